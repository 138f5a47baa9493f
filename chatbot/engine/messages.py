"""What goes into the engine and comes out of it: the customer's message, replies, asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chatbot.engine.phrases import Phrasebook
from chatbot.handoff.incidents import IncidentNotice
from chatbot.handoff.tickets import TicketSummary
from chatbot.identity import Identity

__all__ = ["ArticleRef", "Ask", "AskKind", "Inbound", "Option", "Reply", "yes_or_no"]

AskKind = Literal["text", "choice", "yes_no"]


@dataclass(frozen=True, slots=True)
class Inbound:
    text: str
    value: str | None = None
    #: The stored message's sequence number (0 when not stored, e.g. ``chatbot ask``).
    seq: int = 0
    #: The widget's locale, used only while the conversation has no language yet.
    locale: str | None = None
    #: When the message was written (timezone-aware), for "since yesterday" and the
    #: expected answer time; ``None`` leaves time expressions unread.
    at: datetime | None = None
    #: The customer's own tickets, newest first (the caller looks them up).
    tickets: tuple[TicketSummary, ...] = ()
    #: Who the customer is, when the portal vouched for them (``None``: anonymous).
    identity: Identity | None = None
    #: Known outages going on now (the caller reads them from the store).
    incidents: tuple[IncidentNotice, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Ask:
    field: str
    kind: AskKind
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleRef:
    id: str
    lang: str
    title: str
    summary: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    lang: str
    articles: tuple[ArticleRef, ...] = ()
    ask: Ask | None = None


def yes_or_no(inbound: Inbound, phrases: Phrasebook) -> str | None:
    if inbound.value in ("yes", "no"):
        return inbound.value
    if phrases.matches(inbound.text, "yes"):
        return "yes"
    if phrases.matches(inbound.text, "no"):
        return "no"
    return None
