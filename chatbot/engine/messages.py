"""What goes into the engine and comes out of it: the customer's message, replies, asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chatbot.identity import Identity
from chatbot.tickets.drafts import TicketSummary
from chatbot.tickets.incidents import IncidentNotice

__all__ = [
    "ArticleRef",
    "Ask",
    "AskKind",
    "DiagnosisNote",
    "Feedback",
    "Inbound",
    "Option",
    "Reply",
]

AskKind = Literal["text", "choice", "yes_no"]
#: What the customer said of the article the bot showed, as the reply that answers it
#: records: yes to "Did this solve your problem?", or no (or "I don't know").
Feedback = Literal["confirmed", "not_helpful"]


@dataclass(frozen=True, slots=True)
class DiagnosisNote:
    """What the runner's diagnosis of a domain found, ready to be said."""

    domain: str
    #: Phrase keys and their values, most telling first (empty: it could not run).
    lines: tuple[tuple[str, dict[str, str]], ...] = ()
    #: The cause is on the customer's side: no ticket needed if they agree.
    explains: bool = False
    #: One line for the ticket's ``diagnosis`` field.
    summary: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    text: str
    #: When the message was written (timezone-aware): "since yesterday", the expected
    #: answer time. The engine never reads a clock.
    at: datetime
    value: str | None = None
    #: The ask a pressed button was drawn under (``Ask.id``), if the widget said.
    ask_id: str | None = None
    #: The stored message's sequence number (0 when not stored, e.g. ``chatbot ask``).
    seq: int = 0
    #: The widget's locale, used only while the conversation has no language yet.
    locale: str | None = None
    #: The customer's own tickets, newest first (the caller looks them up).
    tickets: tuple[TicketSummary, ...] = ()
    #: Who the customer is, when the portal vouched for them (``None``: anonymous).
    identity: Identity | None = None
    #: Known outages going on now (the caller reads them from the store).
    incidents: tuple[IncidentNotice, ...] = ()
    #: Not a message: the result of the diagnosis the engine asked for.
    diagnosis: DiagnosisNote | None = None


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Ask:
    field: str
    kind: AskKind
    options: tuple[Option, ...] = ()
    #: Unique in the conversation: a button value sent for it answers this ask only.
    id: str = ""


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
    #: Set on the reply to the customer's answer to "Did this solve your problem?": the
    #: reports count a knowledge-base answer as confirmed from it.
    feedback: Feedback | None = None
