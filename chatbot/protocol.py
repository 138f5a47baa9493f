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

__all__ = [
    "PROTOCOL_VERSION",
    "ConnectAuth",
    "HistoryRequest",
    "InboundMessage",
    "error_ack",
    "normalise_locale",
    "ok_ack",
    "parse_auth",
    "parse_history",
    "parse_message",
    "parse_typing",
]

PROTOCOL_VERSION = 1

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
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


@dataclass(frozen=True, slots=True)
class InboundMessage:
    id: str
    text: str
    value: str | None


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
    return ConnectAuth(
        visitor_token=token or None,
        locale=normalise_locale(locale, supported),
        user_token=user_token or None,
    )


def parse_message(raw: Any, max_chars: int) -> InboundMessage:
    data = _require_object(raw, "message")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
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
    return InboundMessage(id=client_id, text=text.strip(), value=value or None)


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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_text(text: str) -> str:
    """Drop control and bidi-override characters; keep newlines and tabs."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def ok_ack(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def error_ack(error: ChatbotError) -> dict[str, Any]:
    return {"ok": False, "error": error.as_payload()}
