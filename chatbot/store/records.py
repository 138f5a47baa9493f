"""The records a store holds and returns: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "Agent",
    "Conversation",
    "ConversationStat",
    "ConversationSummary",
    "Incident",
    "NewAgent",
    "NewIncident",
    "NewMessage",
    "NewTicket",
    "NewWork",
    "Note",
    "OutboxItem",
    "Sender",
    "StoredMessage",
    "Ticket",
    "VisitorData",
]

Sender = Literal["customer", "bot", "agent", "system"]

#: Ticket statuses: ``open`` waits in the queue for a person, ``in_progress`` is claimed by
#: an agent (live chat), ``waiting`` waits for the customer's answer, ``closed`` is done.
STATUSES: tuple[str, ...] = ("open", "in_progress", "waiting", "closed")
#: Queue order, most urgent first.
PRIORITIES: tuple[str, ...] = ("urgent", "vip", "high", "normal", "low")


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    visitor_id: str
    language: str
    #: The conversation engine's state, as JSON-able data.
    state: Mapping[str, Any]
    last_seq: int
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One of a visitor's conversations as their list of conversations shows it."""

    id: str
    language: str
    created_at: float
    updated_at: float
    last_seq: int
    #: What the customer wrote first (already redacted when stored); "" when nothing.
    first_message: str


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message about to be stored; ``id`` is the client's id or one the server made."""

    id: str
    sender: Sender
    text: str
    at: float
    #: Optional parts of the wire message: ``lang``, ``articles``, ``ask``, ``value``.
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    conversation_id: str
    seq: int
    id: str
    sender: Sender
    text: str
    at: float
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewTicket:
    conversation_id: str
    visitor_id: str
    service: str
    title: str
    language: str
    priority: str
    fields: Mapping[str, str]
    missing: tuple[str, ...]
    expected_response: str | None
    created_at: float
    #: What caused it (conversation and message): creating the same source twice
    #: returns the first ticket.
    source: str
    #: The verified identity of the customer, if any.
    customer: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ticket:
    number: str
    conversation_id: str
    visitor_id: str
    status: str
    service: str
    title: str
    language: str
    priority: str
    fields: Mapping[str, str]
    missing: tuple[str, ...]
    expected_response: str | None
    created_at: float
    updated_at: float
    customer: Mapping[str, Any] = field(default_factory=dict)
    #: The agent who holds it, when claimed.
    assignee: str | None = None
    claimed_at: float | None = None
    first_response_at: float | None = None
    closed_at: float | None = None
    resolution: str | None = None
    #: The customer's rating after close: 1-5, and an optional comment.
    rating: int | None = None
    rating_comment: str | None = None
    #: The last conversation ``seq`` the customer was sent by e-mail.
    emailed_seq: int = 0
    #: The incident this ticket was linked to (it is a symptom of a known outage).
    incident: str | None = None


@dataclass(frozen=True, slots=True)
class NewAgent:
    email: str
    name: str
    role: Literal["agent", "admin"]
    password_hash: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    email: str
    name: str
    role: str
    created_at: float
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Note:
    """An agent's internal note on a ticket: never shown to the customer."""

    ticket: str
    id: str
    agent_id: str
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class NewWork:
    """Work for the durable work queue (see :meth:`Store.enqueue`)."""

    kind: str
    payload: Mapping[str, Any]
    due_at: float
    #: Nothing is added while work with this key is pending.
    key: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """Work for the notifier (an e-mail, a webhook call), kept until it is done."""

    id: int
    kind: str
    payload: Mapping[str, Any]
    due_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class ConversationStat:
    """One conversation as the reports count it."""

    id: str
    language: str
    created_at: float
    #: The bot offered at least one help-centre article.
    had_article: bool
    #: When the bot last offered one (``None``: never).
    article_at: float | None = None
    #: The customer said yes to "Did this solve your problem?" (a bot reply recorded
    #: ``feedback: confirmed``) at least once.
    confirmed: bool = False
    #: The customer wrote again after the last article the bot offered.
    wrote_after_article: bool = False


@dataclass(frozen=True, slots=True)
class NewIncident:
    """A known outage, as an admin announces it."""

    #: The service it hits, as in ticket forms: ``email``, ``website``, ``dns``, ...
    service: str
    #: Servers or domains affected, lower case (``mail3``, ``mail3.example.net``); empty
    #: means every customer of the service.
    targets: tuple[str, ...]
    #: What customers are told, per language code (at least the default language).
    messages: Mapping[str, str]
    started_at: float
    created_by: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Incident:
    #: ``INC-<n>``, allocated by the store.
    id: str
    service: str
    targets: tuple[str, ...]
    messages: Mapping[str, str]
    started_at: float
    created_by: str
    created_at: float
    resolved_at: float | None = None
    #: What customers are told when it is over, per language code.
    resolution: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VisitorData:
    """Everything stored about one visitor (or verified customer): for export."""

    visitor_id: str
    conversations: list[Conversation]
    #: Every message of those conversations, by conversation and ``seq``.
    messages: list[StoredMessage]
    tickets: list[Ticket]
