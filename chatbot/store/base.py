"""What a store does, by role: a narrow ``Protocol`` per role, and ``Store``, all of them.

A consumer depends on the roles it uses (the notifier on :class:`Outbox`, the privacy
tools on :class:`Privacy`); a backend implements :class:`Store`. The records they pass
are in :mod:`chatbot.store.records` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from chatbot.store.records import (
    PRIORITIES,
    STATUSES,
    Agent,
    Conversation,
    ConversationStat,
    ConversationSummary,
    Incident,
    NewAgent,
    NewIncident,
    NewMessage,
    NewTicket,
    NewWork,
    Note,
    OutboxItem,
    Sender,
    StoredMessage,
    Ticket,
    VisitorData,
)

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "Agent",
    "Agents",
    "Conversation",
    "ConversationStat",
    "ConversationSummary",
    "Conversations",
    "Incident",
    "Incidents",
    "NewAgent",
    "NewIncident",
    "NewMessage",
    "NewTicket",
    "NewWork",
    "Note",
    "Notes",
    "Outbox",
    "OutboxItem",
    "Privacy",
    "Reports",
    "Sender",
    "SharedState",
    "Store",
    "StoredMessage",
    "Ticket",
    "Tickets",
    "VisitorData",
]


class Conversations(Protocol):
    """Conversations and their messages: what the customer and the bot say."""

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        """The visitor's current conversation, created on first use."""

    async def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    async def start_conversation(self, visitor_id: str, language: str, now: float) -> Conversation:
        """A fresh conversation for the visitor, their current one from now on (what
        :meth:`conversation_for_visitor` returns); their current one when it is still
        empty, so asking twice makes no second empty conversation."""

    async def conversations_of(
        self, visitor_id: str, offset: int = 0, limit: int = 20
    ) -> list[ConversationSummary]:
        """The visitor's conversations with at least one message, newest first (the order
        in which they were started), ``limit`` of them from ``offset``."""

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
        work: NewWork | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        """Store messages in order, each with the next ``seq``, in one transaction.

        A message whose id is already stored in the conversation is not stored again: the
        stored one is returned with ``False``. ``state`` and ``language``, when given,
        replace the conversation's in the same transaction; ``work`` is enqueued in it (as
        :meth:`enqueue` does) when at least one message was stored.
        """

    async def messages_after(
        self, conversation_id: str, after_seq: int, limit: int
    ) -> list[StoredMessage]: ...


class Tickets(Protocol):
    """Tickets, the queue of tickets waiting for a person, and who holds what."""

    async def create_ticket(self, ticket: NewTicket, prefix: str) -> Ticket:
        """Store a ticket under the next free number (``<prefix>-<n>``), atomically; a
        ticket with the same ``source`` is returned instead of a second one."""

    async def get_ticket(self, number: str) -> Ticket | None: ...

    async def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]:
        """Newest first."""

    async def tickets_for_visitor(self, visitor_id: str) -> list[Ticket]:
        """Newest first."""

    async def touch_ticket(self, number: str, at: float) -> None:
        """Mark that something new happened on the ticket."""

    async def update_ticket(
        self,
        number: str,
        now: float,
        *,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
        priority: str | None = None,
        status: str | None = None,
    ) -> Ticket:
        """Change what an agent may edit; :class:`NotFound` when there is no such ticket."""

    async def queue(self, limit: int = 200) -> list[Ticket]:
        """Open tickets, by priority (``PRIORITIES``) and then waiting time."""

    async def tickets_for_agent(self, agent_id: str) -> list[Ticket]:
        """The agent's claimed, not closed tickets, oldest first."""

    async def claim_ticket(self, number: str, agent_id: str, max_chats: int, now: float) -> Ticket:
        """Give an open ticket to the agent, atomically: of two agents claiming at once,
        one wins and the other gets :class:`~chatbot.errors.Conflict` (``already_claimed``).
        ``too_many_chats`` when the agent already holds ``max_chats``."""

    async def transfer_ticket(
        self, number: str, from_agent: str | None, to_agent: str, max_chats: int, now: float
    ) -> Ticket:
        """Move a claimed ticket from ``from_agent`` (``None``: whoever holds it)."""

    async def release_ticket(self, number: str, agent_id: str | None, now: float) -> Ticket:
        """Put a claimed ticket back into the queue."""

    async def close_ticket(self, number: str, resolution: str, now: float) -> Ticket: ...

    async def rate_ticket(self, number: str, score: int, comment: str, now: float) -> Ticket:
        """The customer's rating of a closed ticket (the latest counts)."""

    async def mark_first_response(self, number: str, at: float) -> None:
        """Record the first agent reply's time, once."""

    async def set_emailed_seq(self, number: str, seq: int) -> None: ...


class Agents(Protocol):
    """Agents and their login sessions."""

    async def add_agent(self, agent: NewAgent) -> Agent:
        """:class:`~chatbot.errors.Conflict` when the e-mail address is taken."""

    async def set_agent_password(self, email: str, password_hash: str) -> Agent: ...

    async def agent_credentials(self, email: str) -> tuple[Agent, str] | None:
        """The agent with this e-mail address (any case) and their password hash."""

    async def get_agent(self, agent_id: str) -> Agent | None: ...

    async def list_agents(self) -> list[Agent]: ...

    async def create_session(
        self, token_hash: str, agent_id: str, created_at: float, expires_at: float
    ) -> None: ...

    async def session_agent(self, token_hash: str, now: float) -> Agent | None:
        """The agent of an unexpired, unrevoked session (and an enabled agent)."""

    async def revoke_session(self, token_hash: str) -> None: ...


class Notes(Protocol):
    """Agents' internal notes on tickets."""

    async def add_note(self, note: Note) -> tuple[Note, bool]:
        """Idempotent by (ticket, id), like messages."""

    async def notes_for(self, number: str) -> list[Note]: ...


class Outbox(Protocol):
    """The durable work queue: e-mails, webhooks, the turn safety net."""

    async def enqueue(
        self, kind: str, payload: Mapping[str, Any], due_at: float, key: str | None = None
    ) -> bool:
        """Add work; with a ``key``, nothing is added while work with that key is pending."""

    async def due_work(self, now: float, limit: int, lease: float = 60.0) -> list[OutboxItem]:
        """Take due work: each item returned is leased (not due again) for ``lease`` seconds,
        so two processes never take the same item; one that dies lets it fall due again."""

    async def finish_work(self, item_id: int, now: float, error: str | None = None) -> None:
        """Done (or given up on, with the last ``error``)."""

    async def retry_work(self, item_id: int, due_at: float, error: str) -> None: ...


class Reports(Protocol):
    """What the support lead's report counts."""

    async def conversation_stats(self, since: float, until: float) -> list[ConversationStat]: ...

    async def tickets_between(self, since: float, until: float) -> list[Ticket]:
        """Tickets created in the period."""

    async def count_tickets(self) -> dict[str, int]:
        """How many tickets have each status (statuses without tickets may be left out)."""


class Incidents(Protocol):
    """Known outages, told to affected customers before they queue."""

    async def create_incident(self, incident: NewIncident) -> Incident: ...

    async def get_incident(self, incident_id: str) -> Incident | None: ...

    async def list_incidents(self, active_only: bool = False, limit: int = 100) -> list[Incident]:
        """Newest first; ``active_only``: not resolved."""

    async def resolve_incident(
        self, incident_id: str, now: float, resolution: Mapping[str, str]
    ) -> Incident:
        """:class:`NotFound`, or :class:`Conflict` (``incident_resolved``) the second time."""

    async def link_ticket(self, number: str, incident_id: str, now: float) -> Ticket:
        """Mark the ticket as a symptom of the incident."""

    async def tickets_for_incident(self, incident_id: str) -> list[Ticket]:
        """Oldest first."""


class Privacy(Protocol):
    """Retention, export and erasure."""

    async def purge_conversations(self, before: float, empty_only: bool = False) -> list[str]:
        """Delete every conversation last active before ``before`` whose tickets (if any)
        are all closed, with its messages, tickets and notes; return the deleted ids.
        ``empty_only``: only conversations without a single message (a page view)."""

    async def visitor_data(self, visitor_id: str) -> VisitorData: ...

    async def delete_visitor(self, visitor_id: str) -> list[str]:
        """Delete all of the visitor's conversations, messages, tickets and notes; return
        the deleted conversation ids."""


class SharedState(Protocol):
    """Shared, short-lived state: the same for every server process on one backend
    (rate limits, counters, turn leases, agents' console presence)."""

    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float:
        """A token bucket: ``burst`` tokens, refilled at ``rate`` per second. 0.0 when a
        token was available (``cost`` of them are used), else the seconds to wait."""

    async def bump_counter(self, name: str, ttl: float) -> int:
        """Add one to a counter that is forgotten ``ttl`` seconds after its last bump."""

    async def bump_counters(self, names: Sequence[str], ttl: float) -> None:
        """:meth:`bump_counter` for many counters in one call (a heartbeat)."""

    async def read_counter(self, name: str) -> int:
        """A counter's value; 0 when it was never bumped or has been forgotten."""

    async def take_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Hold ``name`` for ``ttl`` seconds unless another holder has it: one process at a
        time does a conversation's turn. True when ``holder`` has it (again)."""

    async def drop_lease(self, name: str, holder: str) -> None:
        """Give ``name`` up, if ``holder`` still has it."""

    async def presence_join(self, agent_id: str, sid: str, now: float, ttl: float) -> None:
        """A console socket is open; it counts until ``now + ttl`` unless refreshed."""

    async def presence_leave(self, sid: str) -> str | None:
        """The socket closed: the agent id it belonged to, if known."""

    async def presence_set_status(self, agent_id: str, status: str) -> None:
        """``online`` or ``away``: the agent's choice, kept while any socket is open."""

    async def presence_sockets(self, agent_id: str, now: float) -> list[str]:
        """The agent's live console sockets, on any process."""

    async def presence(self, now: float) -> dict[str, tuple[str, int]]:
        """Agents with at least one live socket: agent id to (status, number of sockets)."""


class Store(
    Conversations,
    Tickets,
    Agents,
    Notes,
    Outbox,
    Reports,
    Incidents,
    Privacy,
    SharedState,
    Protocol,
):
    """Durable conversation storage: every role at once, as a backend implements it.
    Every method is atomic; messages are idempotent by id."""

    async def open(self) -> None:
        """Create or migrate the schema and connect."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`~chatbot.errors.StoreUnavailable` when the backend cannot serve."""
