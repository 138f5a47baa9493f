"""Payloads of the customer protocol (v1): parsing what clients send, shaping acks.

Everything a client sends passes through one of the ``parse_*`` functions, which return a
typed object or raise :class:`~chatbot.errors.InvalidPayload` with a stable code. See
``docs/protocol.md`` for the wire format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatbot.errors import ChatbotError, InvalidPayload
from chatbot.ticket_types import EDITABLE_STATUSES, PRIORITIES, Priority, TicketStatus

__all__ = [
    "CLIENT_ID",
    "PRESENCE_STATUSES",
    "PROTOCOL_VERSION",
    "AgentText",
    "ArticleRequest",
    "ConnectAuth",
    "ConversationsRequest",
    "HistoryRequest",
    "InboundMessage",
    "IncidentRequest",
    "Rating",
    "TicketChange",
    "Upload",
    "error_ack",
    "normalise_locale",
    "ok_ack",
    "parse_agent_history",
    "parse_agent_text",
    "parse_agent_typing",
    "parse_article_request",
    "parse_auth",
    "parse_close",
    "parse_conversation_ref",
    "parse_conversations",
    "parse_history",
    "parse_incident",
    "parse_incident_messages",
    "parse_message",
    "parse_presence",
    "parse_rating",
    "parse_search",
    "parse_ticket_change",
    "parse_ticket_ref",
    "parse_transfer",
    "parse_typing",
    "parse_upload",
    "parse_view",
]

PROTOCOL_VERSION = 1

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_MAX_TOKEN = 512
_MAX_VALUE = 200
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# Norwegian: Bokmål is what we write; "no" and "nn" browsers get Bokmål too.
_LOCALE_ALIASES = {"no": "nb", "nn": "nb", "nob": "nb", "hrv": "hr", "fin": "fi", "rus": "ru"}


@dataclass(frozen=True, slots=True)
class ConnectAuth:
    visitor_token: str | None
    locale: str | None
    #: The customer portal's signed identity (JWT), for logged-in customers.
    user_token: str | None = None
    #: The conversation the widget had open (one of the customer's own, else ignored).
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    id: str
    text: str
    value: str | None
    #: The ask a pressed button belongs to (the ``ask.id`` of a bot message).
    ask_id: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    after: int


def _require_object(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidPayload(f"{what} must be an object")
    return raw


def _optional_str(data: dict[str, Any], key: str, max_len: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidPayload(f"'{key}' must be a string")
    if len(value) > max_len:
        raise InvalidPayload(f"'{key}' is longer than {max_len} characters", code="too_long")
    return value


def normalise_locale(raw: str | None, supported: tuple[str, ...]) -> str | None:
    """``"fi-FI"`` -> ``"fi"``, ``"no"`` -> ``"nb"``; anything unsupported -> ``None``."""
    if not raw or not _LOCALE.match(raw):
        return None
    base = re.split(r"[-_]", raw.lower(), maxsplit=1)[0]
    base = _LOCALE_ALIASES.get(base, base)
    return base if base in supported else None


def parse_auth(raw: Any, supported: tuple[str, ...]) -> ConnectAuth:
    """The ``auth`` object of a customer's connect. Missing auth is an anonymous start."""
    if raw is None:
        return ConnectAuth(visitor_token=None, locale=None)
    data = _require_object(raw, "auth")
    token = _optional_str(data, "visitor_token", _MAX_TOKEN)
    locale = _optional_str(data, "locale", 35)
    user_token = _optional_str(data, "user_token", 4096)
    conversation = _optional_str(data, "conversation_id", 64)
    return ConnectAuth(
        visitor_token=token or None,
        locale=normalise_locale(locale, supported),
        user_token=user_token or None,
        # A stale or mistyped id is no reason to refuse the connection: it is ignored.
        conversation_id=conversation
        if conversation and _CONVERSATION.match(conversation)
        else None,
    )


def parse_message(raw: Any, max_chars: int) -> InboundMessage:
    data = _require_object(raw, "message")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise InvalidPayload("'text' must be a string")
    if len(text) > max_chars:
        raise InvalidPayload(f"'text' is longer than {max_chars} characters", code="too_long")
    text = _clean_text(text)
    value = _optional_str(data, "value", _MAX_VALUE)
    if not text.strip() and not value:
        raise InvalidPayload("a message needs 'text' or 'value'", code="empty_message")
    ask_id = _optional_str(data, "ask_id", 64)
    if ask_id and not CLIENT_ID.match(ask_id):
        raise InvalidPayload(
            "'ask_id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'"
        )
    return InboundMessage(
        id=client_id, text=text.strip(), value=value or None, ask_id=ask_id or None
    )


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    name: str
    data: bytes
    #: The agent's ticket; customers send none.
    ticket: str | None = None


def parse_upload(raw: Any, *, with_ticket: bool = False) -> Upload:
    """``{"id": ..., "name": "screenshot.png", "data": <binary>}`` (and ``ticket`` for agents).
    The content and its size are checked where it is stored."""
    data = _require_object(raw, "attach")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise InvalidPayload("'name' must be the file name (at most 255 characters)")
    content = data.get("data")
    if not isinstance(content, bytes | bytearray):
        raise InvalidPayload("'data' must be the file's bytes (a binary attachment)")
    ticket = _ticket_number(data.get("ticket")) if with_ticket else None
    return Upload(id=client_id, name=_clean_text(name).strip(), data=bytes(content), ticket=ticket)


def parse_history(raw: Any) -> HistoryRequest:
    data = _require_object(raw if raw is not None else {}, "history")
    after = data.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0 or after > 2**53:
        raise InvalidPayload("'after' must be a whole number >= 0")
    return HistoryRequest(after=after)


def parse_typing(raw: Any) -> bool:
    data = _require_object(raw, "typing")
    on = data.get("on")
    if not isinstance(on, bool):
        raise InvalidPayload("'on' must be true or false")
    return on


@dataclass(frozen=True, slots=True)
class Rating:
    ticket: str
    score: int
    comment: str


def parse_rating(raw: Any) -> Rating:
    """``{"ticket": "HS-104233", "score": 1-5, "comment": "..."}`` after a closed chat."""
    data = _require_object(raw, "rate")
    ticket = data.get("ticket")
    if not isinstance(ticket, str) or not 1 <= len(ticket) <= 40:
        raise InvalidPayload("'ticket' must be the ticket number")
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidPayload("'score' must be a whole number from 1 to 5")
    comment = _clean_text(_optional_str(data, "comment", 2000) or "").strip()
    return Rating(ticket=ticket, score=score, comment=comment)


_CONVERSATION = re.compile(r"^c_[A-Za-z0-9_\-]{1,40}$")
_ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
#: The most conversations one ``conversations`` ack lists.
MAX_CONVERSATIONS_PAGE = 20


@dataclass(frozen=True, slots=True)
class ConversationsRequest:
    offset: int
    limit: int
    #: The language the dates and statuses are written in; ``None``: the conversation's.
    lang: str | None = None


def parse_conversations(raw: Any, supported: tuple[str, ...]) -> ConversationsRequest:
    """``{"offset": 0, "limit": 10, "lang": "fi"}`` (all optional): a page of the
    customer's own conversations, at most :data:`MAX_CONVERSATIONS_PAGE` at a time."""
    data = _require_object(raw if raw is not None else {}, "conversations")
    offset = data.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 10_000:
        raise InvalidPayload("'offset' must be a whole number from 0 to 10000")
    limit = data.get("limit", MAX_CONVERSATIONS_PAGE)
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= MAX_CONVERSATIONS_PAGE
    ):
        raise InvalidPayload(f"'limit' must be a whole number from 1 to {MAX_CONVERSATIONS_PAGE}")
    lang = normalise_locale(_optional_str(data, "lang", 35), supported)
    return ConversationsRequest(offset=offset, limit=limit, lang=lang)


def parse_conversation_ref(raw: Any) -> str:
    """``{"id": "c_..."}``: one of the customer's conversations (checked where it is used)."""
    data = _require_object(raw, "conversation")
    conversation_id = data.get("id")
    if not isinstance(conversation_id, str) or not _CONVERSATION.match(conversation_id):
        raise InvalidPayload("'id' must be a conversation id like c_Ab3dE")
    return conversation_id


@dataclass(frozen=True, slots=True)
class ArticleRequest:
    id: str
    #: The language wanted; ``None``: the conversation's.
    lang: str | None


def parse_article_request(raw: Any, supported: tuple[str, ...]) -> ArticleRequest:
    """``{"id": "email-sending", "lang": "fi"}``: a help-centre article to read in the
    widget (``lang`` optional; an unsupported one counts as none)."""
    data = _require_object(raw, "article")
    article_id = data.get("id")
    if not isinstance(article_id, str) or not _ARTICLE_ID.match(article_id):
        raise InvalidPayload("'id' must be an article id like email-sending")
    return ArticleRequest(
        id=article_id, lang=normalise_locale(_optional_str(data, "lang", 35), supported)
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_text(text: str) -> str:
    """Drop control and bidi-override characters; keep newlines and tabs."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def ok_ack(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def error_ack(error: ChatbotError) -> dict[str, Any]:
    return {"ok": False, "error": error.as_payload()}


# The agent protocol (namespace ``/agent`` and the REST API).

_TICKET = re.compile(r"^[A-Za-z0-9]{1,10}-[0-9]{1,12}$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PRESENCE_STATUSES = ("online", "away")


@dataclass(frozen=True, slots=True)
class AgentText:
    """An agent's chat message or internal note."""

    ticket: str
    id: str
    text: str
    #: An article sent as a card: (article id, language).
    article: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class TicketChange:
    ticket: str
    title: str | None
    fields: dict[str, str] | None
    priority: Priority | None
    status: TicketStatus | None


def parse_ticket_ref(raw: Any) -> str:
    """``{"ticket": "HS-104233"}`` -> ``"HS-104233"``."""
    data = _require_object(raw, "request")
    return _ticket_number(data.get("ticket"))


def _ticket_number(value: Any) -> str:
    if not isinstance(value, str) or not _TICKET.match(value.strip()):
        raise InvalidPayload("'ticket' must be a ticket number like HS-104233")
    return value.strip().upper()


def _required_text(data: dict[str, Any], key: str, max_chars: int) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidPayload(f"'{key}' must be a string")
    if len(value) > max_chars:
        raise InvalidPayload(f"'{key}' is longer than {max_chars} characters", code="too_long")
    value = _clean_text(value).strip()
    if not value:
        raise InvalidPayload(f"'{key}' is empty", code="empty_message")
    return value


def parse_agent_text(raw: Any, max_chars: int, *, articles: bool = False) -> AgentText:
    data = _require_object(raw, "message")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    article = None
    if articles and data.get("article") is not None:
        ref = _require_object(data.get("article"), "article")
        article_id = _optional_str(ref, "id", 120)
        lang = _optional_str(ref, "lang", 8)
        if not article_id or not lang:
            raise InvalidPayload("'article' needs 'id' and 'lang'")
        article = (article_id, lang)
    if article is not None and not str(data.get("text") or "").strip():
        text = ""
    else:
        text = _required_text(data, "text", max_chars)
    return AgentText(
        ticket=_ticket_number(data.get("ticket")), id=client_id, text=text, article=article
    )


def parse_ticket_change(
    raw: Any,
    priorities: tuple[Priority, ...] = PRIORITIES,
    statuses: tuple[TicketStatus, ...] = EDITABLE_STATUSES,
) -> TicketChange:
    """A change an agent makes to a ticket; ``statuses`` are those they may set."""
    data = _require_object(raw, "update")
    title = _optional_str(data, "title", 200)
    if title is not None:
        title = " ".join(_clean_text(title).split())
        if not title:
            raise InvalidPayload("'title' is empty", code="empty_message")
    fields = None
    if data.get("fields") is not None:
        raw_fields = _require_object(data.get("fields"), "fields")
        if len(raw_fields) > 40:
            raise InvalidPayload("at most 40 fields", code="too_long")
        fields = {}
        for name, value in raw_fields.items():
            if not isinstance(name, str) or not _FIELD_NAME.match(name):
                raise InvalidPayload("field names are lower-case words like 'domain'")
            if not isinstance(value, str) or len(value) > 1000:
                raise InvalidPayload(f"field '{name}' must be a string of at most 1000 characters")
            fields[name] = _clean_text(value).strip()
    priority = _optional_str(data, "priority", 20)
    if priority is not None and priority not in priorities:
        raise InvalidPayload(f"'priority' must be one of {', '.join(priorities)}")
    status = _optional_str(data, "status", 20)
    if status is not None and status not in statuses:
        raise InvalidPayload(f"'status' must be one of {', '.join(statuses)}")
    return TicketChange(
        ticket=_ticket_number(data.get("ticket")),
        title=title,
        fields=fields,
        priority=priority,
        status=status,
    )


def parse_close(raw: Any) -> tuple[str, str]:
    """``{"ticket": ..., "resolution": "..."}``: the resolution is required."""
    data = _require_object(raw, "close")
    return _ticket_number(data.get("ticket")), _required_text(data, "resolution", 2000)


def parse_transfer(raw: Any) -> tuple[str, str]:
    data = _require_object(raw, "transfer")
    to = data.get("to")
    if not isinstance(to, str) or not 1 <= len(to) <= 64:
        raise InvalidPayload("'to' must be an agent id")
    return _ticket_number(data.get("ticket")), to


def parse_presence(raw: Any) -> str:
    data = _require_object(raw, "presence")
    status = data.get("status")
    if status not in PRESENCE_STATUSES:
        raise InvalidPayload("'status' must be 'online' or 'away'")
    return str(status)


def parse_search(raw: Any) -> tuple[str, str | None]:
    data = _require_object(raw, "search")
    query = _required_text(data, "q", 500)
    lang = _optional_str(data, "lang", 8)
    return query, lang


def parse_agent_history(raw: Any) -> tuple[str, int]:
    data = _require_object(raw, "history")
    return _ticket_number(data.get("ticket")), parse_history({"after": data.get("after", 0)}).after


def parse_agent_typing(raw: Any) -> tuple[str, bool]:
    data = _require_object(raw, "typing")
    return _ticket_number(data.get("ticket")), parse_typing({"on": data.get("on")})


def parse_view(raw: Any) -> str | None:
    """``{"ticket": "HS-104233"}``: the console shows this ticket now; ``{"ticket": null}``:
    none."""
    data = _require_object(raw, "view")
    if data.get("ticket") is None:
        return None
    return _ticket_number(data.get("ticket"))


@dataclass(frozen=True, slots=True)
class IncidentRequest:
    service: str
    targets: tuple[str, ...]
    messages: dict[str, str]
    #: Unix time; ``None``: now.
    started_at: float | None


_TARGET = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")


def parse_incident_messages(
    raw: Any, languages: tuple[str, ...], *, required: bool
) -> dict[str, str]:
    """``{"en": "...", "fi": "..."}``: what customers are told, per language."""
    if raw is None and not required:
        return {}
    data = _require_object(raw, "'messages'")
    messages: dict[str, str] = {}
    for lang in data:
        if lang not in languages:
            raise InvalidPayload(f"'messages' keys are language codes: {', '.join(languages)}")
        messages[lang] = _required_text(data, lang, 1000)
    if required and not messages:
        raise InvalidPayload("'messages' needs the customers' message in at least one language")
    return messages


def parse_incident(
    raw: Any, services: tuple[str, ...], languages: tuple[str, ...]
) -> IncidentRequest:
    """``{"service", "targets": [...], "messages": {lang: text}, "started_at"?}``."""
    data = _require_object(raw, "incident")
    service = data.get("service")
    if service not in services:
        raise InvalidPayload(f"'service' must be one of {', '.join(services)}")
    targets_raw = data.get("targets", [])
    if not isinstance(targets_raw, list) or len(targets_raw) > 200:
        raise InvalidPayload("'targets' must be a list of at most 200 server or domain names")
    targets = []
    for target in targets_raw:
        if not isinstance(target, str) or not _TARGET.match(target.strip().lower()):
            raise InvalidPayload("each target is a server or domain name like mail3 or kafebar.no")
        targets.append(target.strip().lower())
    started_at = data.get("started_at")
    if started_at is not None and (
        isinstance(started_at, bool)
        or not isinstance(started_at, int | float)
        or not 0 < started_at < 10**11
    ):
        raise InvalidPayload("'started_at' must be a Unix time in seconds")
    return IncidentRequest(
        service=str(service),
        targets=tuple(dict.fromkeys(targets)),
        messages=parse_incident_messages(data.get("messages"), languages, required=True),
        started_at=float(started_at) if started_at is not None else None,
    )
