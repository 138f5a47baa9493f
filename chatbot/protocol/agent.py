"""The agent protocol's payloads (namespace ``/agent`` and the REST API): messages and notes,
ticket changes, claims and transfers, presence, search, incidents."""

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
    required_text,
    ticket_number,
)
from chatbot.protocol.customer import parse_history, parse_typing
from chatbot.ticket_types import EDITABLE_STATUSES, PRIORITIES, Priority, TicketStatus

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
    data = require_object(raw, "request")
    return ticket_number(data.get("ticket"))


def parse_agent_text(raw: Any, max_chars: int, *, articles: bool = False) -> AgentText:
    data = require_object(raw, "message")
    client_id = data.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidPayload("'id' must be 1-64 characters of letters, digits, '_', '-', '.', ':'")
    article = None
    if articles and data.get("article") is not None:
        ref = require_object(data.get("article"), "article")
        article_id = optional_str(ref, "id", 120)
        lang = optional_str(ref, "lang", 8)
        if not article_id or not lang:
            raise InvalidPayload("'article' needs 'id' and 'lang'")
        article = (article_id, lang)
    if article is not None and not str(data.get("text") or "").strip():
        text = ""
    else:
        text = required_text(data, "text", max_chars)
    return AgentText(
        ticket=ticket_number(data.get("ticket")), id=client_id, text=text, article=article
    )


def parse_ticket_change(
    raw: Any,
    priorities: tuple[Priority, ...] = PRIORITIES,
    statuses: tuple[TicketStatus, ...] = EDITABLE_STATUSES,
) -> TicketChange:
    """A change an agent makes to a ticket; ``statuses`` are those they may set."""
    data = require_object(raw, "update")
    title = optional_str(data, "title", 200)
    if title is not None:
        title = " ".join(clean_text(title).split())
        if not title:
            raise InvalidPayload("'title' is empty", code="empty_message")
    fields = None
    if data.get("fields") is not None:
        raw_fields = require_object(data.get("fields"), "fields")
        if len(raw_fields) > 40:
            raise InvalidPayload("at most 40 fields", code="too_long")
        fields = {}
        for name, value in raw_fields.items():
            if not isinstance(name, str) or not _FIELD_NAME.match(name):
                raise InvalidPayload("field names are lower-case words like 'domain'")
            if not isinstance(value, str) or len(value) > 1000:
                raise InvalidPayload(f"field '{name}' must be a string of at most 1000 characters")
            fields[name] = clean_text(value).strip()
    priority = optional_str(data, "priority", 20)
    if priority is not None and priority not in priorities:
        raise InvalidPayload(f"'priority' must be one of {', '.join(priorities)}")
    status = optional_str(data, "status", 20)
    if status is not None and status not in statuses:
        raise InvalidPayload(f"'status' must be one of {', '.join(statuses)}")
    return TicketChange(
        ticket=ticket_number(data.get("ticket")),
        title=title,
        fields=fields,
        priority=priority,
        status=status,
    )


def parse_close(raw: Any) -> tuple[str, str]:
    """``{"ticket": ..., "resolution": "..."}``: the resolution is required."""
    data = require_object(raw, "close")
    return ticket_number(data.get("ticket")), required_text(data, "resolution", 2000)


def parse_transfer(raw: Any) -> tuple[str, str]:
    data = require_object(raw, "transfer")
    to = data.get("to")
    if not isinstance(to, str) or not 1 <= len(to) <= 64:
        raise InvalidPayload("'to' must be an agent id")
    return ticket_number(data.get("ticket")), to


def parse_presence(raw: Any) -> str:
    data = require_object(raw, "presence")
    status = data.get("status")
    if status not in PRESENCE_STATUSES:
        raise InvalidPayload("'status' must be 'online' or 'away'")
    return str(status)


def parse_search(raw: Any) -> tuple[str, str | None]:
    data = require_object(raw, "search")
    query = required_text(data, "q", 500)
    lang = optional_str(data, "lang", 8)
    return query, lang


def parse_agent_history(raw: Any) -> tuple[str, int]:
    data = require_object(raw, "history")
    return ticket_number(data.get("ticket")), parse_history({"after": data.get("after", 0)}).after


def parse_agent_typing(raw: Any) -> tuple[str, bool]:
    data = require_object(raw, "typing")
    return ticket_number(data.get("ticket")), parse_typing({"on": data.get("on")})


def parse_view(raw: Any) -> str | None:
    """``{"ticket": "HS-104233"}``: the console shows this ticket now; ``{"ticket": null}``:
    none."""
    data = require_object(raw, "view")
    if data.get("ticket") is None:
        return None
    return ticket_number(data.get("ticket"))


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
    data = require_object(raw, "'messages'")
    messages: dict[str, str] = {}
    for lang in data:
        if lang not in languages:
            raise InvalidPayload(f"'messages' keys are language codes: {', '.join(languages)}")
        messages[lang] = required_text(data, lang, 1000)
    if required and not messages:
        raise InvalidPayload("'messages' needs the customers' message in at least one language")
    return messages


def parse_incident(
    raw: Any, services: tuple[str, ...], languages: tuple[str, ...]
) -> IncidentRequest:
    """``{"service", "targets": [...], "messages": {lang: text}, "started_at"?}``."""
    data = require_object(raw, "incident")
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
