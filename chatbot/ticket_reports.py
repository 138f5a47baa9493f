"""Tickets as the command line prints them: the fields, the customer and the transcript."""

from __future__ import annotations

from typing import Any

from chatbot.records import iso_time, ticket_record
from chatbot.settings import Settings
from chatbot.store.backends import opened_store

__all__ = ["list_tickets", "show_ticket"]


async def list_tickets(settings: Settings, status: str | None, limit: int) -> list[dict[str, Any]]:
    async with opened_store(settings) as store:
        return [ticket_record(t) for t in await store.list_tickets(status, limit)]


async def show_ticket(settings: Settings, number: str) -> dict[str, Any] | None:
    async with opened_store(settings) as store:
        ticket = await store.get_ticket(number.upper())
        if ticket is None:
            return None
        record = ticket_record(ticket)
        messages = await store.messages_after(ticket.conversation_id, 0, 10_000)
        record["transcript"] = [
            {"seq": m.seq, "from": m.sender, "text": m.text, "at": iso_time(m.at)} for m in messages
        ]
        return record
