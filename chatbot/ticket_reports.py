"""Tickets as the command line prints them: the fields, the customer and the transcript."""

from __future__ import annotations

from typing import Any

from chatbot.settings import Settings
from chatbot.store import Ticket
from chatbot.store.sqlite import SQLiteStore
from chatbot.web.wire import iso_time

__all__ = ["list_tickets", "show_ticket", "ticket_record"]


def ticket_record(ticket: Ticket) -> dict[str, Any]:
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
        "created_at": iso_time(ticket.created_at),
        "updated_at": iso_time(ticket.updated_at),
    }


async def list_tickets(settings: Settings, status: str | None, limit: int) -> list[dict[str, Any]]:
    store = SQLiteStore(settings.database_path)
    await store.open()
    try:
        return [ticket_record(t) for t in await store.list_tickets(status, limit)]
    finally:
        await store.close()


async def show_ticket(settings: Settings, number: str) -> dict[str, Any] | None:
    store = SQLiteStore(settings.database_path)
    await store.open()
    try:
        ticket = await store.get_ticket(number.upper())
        if ticket is None:
            return None
        record = ticket_record(ticket)
        messages = await store.messages_after(ticket.conversation_id, 0, 10_000)
        record["transcript"] = [
            {"seq": m.seq, "from": m.sender, "text": m.text, "at": iso_time(m.at)} for m in messages
        ]
        return record
    finally:
        await store.close()
