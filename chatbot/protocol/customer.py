"""The customer protocol's payloads (namespace ``/``): connect, messages, history, ratings,
the conversations list and articles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatbot.errors import InvalidPayload
from chatbot.protocol.common import (
    CLIENT_ID,
    clean_text,
    optional_str,
    require_object,
)

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
    data = require_object(raw, "auth")
    token = optional_str(data, "visitor_token", _MAX_TOKEN)
    locale = optional_str(data, "locale", 35)
    user_token = optional_str(data, "user_token", 4096)
    conversation = optional_str(data, "conversation_id", 64)
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
    data = require_object(raw, "message")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise InvalidPayload("'text' must be a string")
    if len(text) > max_chars:
        raise InvalidPayload(f"'text' is longer than {max_chars} characters", code="too_long")
    text = clean_text(text)
    value = optional_str(data, "value", _MAX_VALUE)
    if not text.strip() and not value:
        raise InvalidPayload("a message needs 'text' or 'value'", code="empty_message")
    ask_id = optional_str(data, "ask_id", 64)
    if ask_id and not CLIENT_ID.match(ask_id):
        raise InvalidPayload(
            "'ask_id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'"
        )
    return InboundMessage(
        id=client_id, text=text.strip(), value=value or None, ask_id=ask_id or None
    )


def parse_history(raw: Any) -> HistoryRequest:
    data = require_object(raw if raw is not None else {}, "history")
    after = data.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0 or after > 2**53:
        raise InvalidPayload("'after' must be a whole number >= 0")
    return HistoryRequest(after=after)


def parse_typing(raw: Any) -> bool:
    data = require_object(raw, "typing")
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
    data = require_object(raw, "rate")
    ticket = data.get("ticket")
    if not isinstance(ticket, str) or not 1 <= len(ticket) <= 40:
        raise InvalidPayload("'ticket' must be the ticket number")
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidPayload("'score' must be a whole number from 1 to 5")
    comment = clean_text(optional_str(data, "comment", 2000) or "").strip()
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
    data = require_object(raw if raw is not None else {}, "conversations")
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
    lang = normalise_locale(optional_str(data, "lang", 35), supported)
    return ConversationsRequest(offset=offset, limit=limit, lang=lang)


def parse_conversation_ref(raw: Any) -> str:
    """``{"id": "c_..."}``: one of the customer's conversations (checked where it is used)."""
    data = require_object(raw, "conversation")
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
    data = require_object(raw, "article")
    article_id = data.get("id")
    if not isinstance(article_id, str) or not _ARTICLE_ID.match(article_id):
        raise InvalidPayload("'id' must be an article id like email-sending")
    return ArticleRequest(
        id=article_id, lang=normalise_locale(optional_str(data, "lang", 35), supported)
    )
