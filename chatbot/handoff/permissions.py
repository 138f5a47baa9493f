"""Who may do what with a ticket in the live chat: the rules, without the steps."""

from __future__ import annotations

from chatbot.errors import Conflict, Forbidden
from chatbot.protocol import TicketChange
from chatbot.store import Agent, Ticket
from chatbot.ticket_types import LIVE_STATUSES

__all__ = [
    "check_close",
    "check_update",
    "check_writer",
    "holder_for",
    "require_admin",
]


def require_admin(agent: Agent, refusal: str) -> Agent:
    """``agent`` if an admin; :class:`Forbidden` with ``refusal`` otherwise."""
    if agent.role != "admin":
        raise Forbidden(refusal)
    return agent


def holder_for(agent: Agent) -> str | None:
    """The holder a claim rule checks for ``agent``: an admin acts for any holder."""
    return None if agent.role == "admin" else agent.id


def _check_open(ticket: Ticket) -> None:
    if ticket.status == "closed":
        raise Conflict(f"{ticket.number} is closed", code="ticket_closed")


def check_writer(agent: Agent, ticket: Ticket) -> None:
    """Raise unless ``agent`` may write to the customer: the holder, or an admin."""
    _check_open(ticket)
    if ticket.assignee != agent.id and agent.role != "admin":
        raise Forbidden(f"claim {ticket.number} before you write to the customer")


def check_close(agent: Agent, ticket: Ticket) -> None:
    """Raise unless ``agent`` may close ``ticket``: theirs, in the queue, or an admin."""
    _check_open(ticket)
    if ticket.assignee not in (None, agent.id) and agent.role != "admin":
        raise Forbidden(f"{ticket.number} is another agent's chat")


def check_update(ticket: Ticket, change: TicketChange) -> None:
    """Raise unless ``change`` may be applied to ``ticket`` as it is now."""
    _check_open(ticket)
    # Who holds a ticket changes only by claim, transfer and release.
    if change.status == "open" and ticket.assignee is not None:
        raise Conflict(f"release {ticket.number} to put it back in the queue")
    if change.status in LIVE_STATUSES and ticket.assignee is None:
        raise Conflict(f"claim {ticket.number} first")
