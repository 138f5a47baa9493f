"""What the customer and agent payloads share: ids, text cleaning, the acks, attachments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatbot.errors import ChatbotError, InvalidPayload

__all__ = [
    "CLIENT_ID",
    "PROTOCOL_VERSION",
    "Upload",
    "clean_text",
    "error_ack",
    "ok_ack",
    "optional_str",
    "parse_upload",
    "require_object",
    "required_text",
    "ticket_number",
]

PROTOCOL_VERSION = 1

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_TICKET = re.compile(r"^[A-Za-z0-9]{1,10}-[0-9]{1,12}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def require_object(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidPayload(f"{what} must be an object")
    return raw


def optional_str(data: dict[str, Any], key: str, max_len: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidPayload(f"'{key}' must be a string")
    if len(value) > max_len:
        raise InvalidPayload(f"'{key}' is longer than {max_len} characters", code="too_long")
    return value


def ticket_number(value: Any) -> str:
    if not isinstance(value, str) or not _TICKET.match(value.strip()):
        raise InvalidPayload("'ticket' must be a ticket number like HS-104233")
    return value.strip().upper()


def required_text(data: dict[str, Any], key: str, max_chars: int) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidPayload(f"'{key}' must be a string")
    if len(value) > max_chars:
        raise InvalidPayload(f"'{key}' is longer than {max_chars} characters", code="too_long")
    value = clean_text(value).strip()
    if not value:
        raise InvalidPayload(f"'{key}' is empty", code="empty_message")
    return value


def clean_text(text: str) -> str:
    """Drop control and bidi-override characters; keep newlines and tabs."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def ok_ack(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def error_ack(error: ChatbotError) -> dict[str, Any]:
    return {"ok": False, "error": error.as_payload()}


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
    data = require_object(raw, "attach")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise InvalidPayload("'name' must be the file name (at most 255 characters)")
    content = data.get("data")
    if not isinstance(content, bytes | bytearray):
        raise InvalidPayload("'data' must be the file's bytes (a binary attachment)")
    ticket = ticket_number(data.get("ticket")) if with_ticket else None
    return Upload(id=client_id, name=clean_text(name).strip(), data=bytes(content), ticket=ticket)
