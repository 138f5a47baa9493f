"""The words a ticket's status and priority and an agent's role may take: one place for
the protocol, the store, the handoff and the OpenAPI document (a test holds it to them)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "AGENT_ROLES",
    "EDITABLE_STATUSES",
    "LIVE_STATUSES",
    "PRIORITIES",
    "STATUSES",
    "AgentRole",
    "Priority",
    "TicketStatus",
]

TicketStatus = Literal["open", "in_progress", "waiting", "closed"]
#: In the order a ticket usually goes through them.
STATUSES: tuple[TicketStatus, ...] = get_args(TicketStatus)
#: An agent is chatting with the customer: the ticket is held, and the bot keeps quiet.
LIVE_STATUSES: tuple[TicketStatus, ...] = ("in_progress", "waiting")
#: Statuses an agent sets directly; closing has its own step (with a resolution).
EDITABLE_STATUSES: tuple[TicketStatus, ...] = ("open", "waiting", "in_progress")

Priority = Literal["urgent", "vip", "high", "normal", "low"]
#: The queue's order: most urgent first.
PRIORITIES: tuple[Priority, ...] = get_args(Priority)

AgentRole = Literal["agent", "admin"]
AGENT_ROLES: tuple[AgentRole, ...] = get_args(AgentRole)
