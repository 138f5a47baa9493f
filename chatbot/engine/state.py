"""The conversation state the engine reads and returns; stored as JSON between turns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

__all__ = ["ConversationState", "LanguageSource"]

#: Where the conversation language came from: nothing yet, the widget's locale, or text.
LanguageSource = Literal["default", "locale", "detected"]


@dataclass(frozen=True, slots=True)
class ConversationState:
    language: str = "en"
    language_source: LanguageSource = "default"
    #: The ``ask.field`` the bot waits an answer to ("solved", "open_ticket"), if any.
    awaiting: str | None = None
    #: The article last offered, and the question that led to it.
    article_id: str | None = None
    query: str | None = None
    #: How many searches in a row found nothing.
    misses: int = 0
    #: Every fact the customer has given so far: entity kind -> values.
    facts: dict[str, list[str]] = field(default_factory=dict)
    #: Further requests of an earlier message, answered one at a time.
    pending_requests: tuple[str, ...] = ()
    #: The service the conversation is about, once known.
    service: str | None = None
    #: The ticket form being filled (see ``chatbot.engine.form_flow``), if any.
    form: dict[str, Any] | None = None
    #: The customer called it urgent.
    urgent: bool = False
    #: An open ticket of theirs the bot offered to add to.
    offered_ticket: str | None = None
    #: Domains already checked in this conversation (``service:domain``), and the last
    #: diagnosis in one line, for the ticket.
    diagnosed: tuple[str, ...] = ()
    diagnosis: str | None = None
    #: The incident the customer has been told about, once.
    incident: str | None = None
    #: The last customer message (by seq) the engine has answered.
    processed_seq: int = 0
    #: How many asks the bot has made (ask ids count on from it), and the id of the one
    #: waiting for an answer.
    asks_made: int = 0
    pending_ask: str | None = None
    #: Times each question has been asked in the current episode (form or offer), so
    #: that none is asked more than twice.
    asked: dict[str, int] = field(default_factory=dict)
    #: The address an anonymous visitor gave to be reached at, for every ticket of the
    #: conversation ("": they chose not to give one, and are not asked again).
    contact_email: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationState:
        """Restore from storage, ignoring keys an older or newer version wrote."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("pending_requests", "diagnosed"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)

    def evolve(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)
