"""Stored records as JSON for the support team: console, REST API, webhooks, CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chatbot.store import Agent, Incident, Note, StoredMessage, Ticket

__all__ = ["incident_record", "iso_time", "message_record", "note_record", "ticket_record"]


def iso_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _maybe_time(at: float | None) -> str | None:
    return None if at is None else iso_time(at)


def ticket_record(ticket: Ticket, agents: dict[str, Agent] | None = None) -> dict[str, Any]:
    """Everything the support team may see of a ticket (never shown to customers)."""
    assignee = None
    if ticket.assignee is not None:
        agent = (agents or {}).get(ticket.assignee)
        assignee = {"id": ticket.assignee, "name": agent.name if agent else None}
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "language": ticket.language,
        "service": ticket.service,
        "fields": dict(ticket.fields),
        "missing": list(ticket.missing),
        "expected_response": ticket.expected_response,
        "customer": {"visitor_id": ticket.visitor_id, **dict(ticket.customer)},
        "conversation_id": ticket.conversation_id,
        "assignee": assignee,
        "created_at": iso_time(ticket.created_at),
        "updated_at": iso_time(ticket.updated_at),
        "claimed_at": _maybe_time(ticket.claimed_at),
        "first_response_at": _maybe_time(ticket.first_response_at),
        "closed_at": _maybe_time(ticket.closed_at),
        "resolution": ticket.resolution,
        "rating": ticket.rating,
        "rating_comment": ticket.rating_comment,
        "incident": ticket.incident,
    }


def incident_record(incident: Incident) -> dict[str, Any]:
    """An incident for the support team (the public status shows less: no targets)."""
    return {
        "id": incident.id,
        "service": incident.service,
        "targets": list(incident.targets),
        "messages": dict(incident.messages),
        "started_at": iso_time(incident.started_at),
        "created_by": incident.created_by,
        "created_at": iso_time(incident.created_at),
        "resolved_at": _maybe_time(incident.resolved_at),
        "resolution": dict(incident.resolution),
    }


def message_record(message: StoredMessage) -> dict[str, Any]:
    """A conversation message for the support team: the customer's wire shape, plus who."""
    record: dict[str, Any] = {
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "id": message.id,
        "from": message.sender,
        "text": message.text,
        "at": iso_time(message.at),
    }
    for key in (
        "lang",
        "articles",
        "ask",
        "value",
        "redacted",
        "agent",
        "event",
        "attachment",
        "diagnosis",
    ):
        if key in message.data:
            record[key] = message.data[key]
    return record


def note_record(note: Note, agents: dict[str, Agent] | None = None) -> dict[str, Any]:
    agent = (agents or {}).get(note.agent_id)
    return {
        "ticket": note.ticket,
        "id": note.id,
        "agent": {"id": note.agent_id, "name": agent.name if agent else None},
        "text": note.text,
        "at": iso_time(note.at),
    }
