"""The ``Store`` interface every backend implements, and the records it holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = ["Conversation", "NewMessage", "NewTicket", "Sender", "Store", "StoredMessage", "Ticket"]

Sender = Literal["customer", "bot", "agent", "system"]


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


class Store(Protocol):
    """Durable conversation storage. Every method is atomic; messages are idempotent by id."""

    async def open(self) -> None:
        """Create or migrate the schema and connect."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`~chatbot.errors.StoreUnavailable` when the backend cannot serve."""

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        """The visitor's current conversation, created on first use."""

    async def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        """Store messages in order, each with the next ``seq``, in one transaction.

        A message whose id is already stored in the conversation is not stored again: the
        stored one is returned with ``False``. ``state`` and ``language``, when given,
        replace the conversation's in the same transaction.
        """

    async def messages_after(
        self, conversation_id: str, after_seq: int, limit: int
    ) -> list[StoredMessage]: ...

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
