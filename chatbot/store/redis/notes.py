"""Agents' internal notes on tickets, on Redis."""

from __future__ import annotations

from chatbot.store.records import (
    Note,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, to_json

__all__ = ["RedisNotes"]


class RedisNotes(RedisBase):
    """The :class:`~chatbot.store.base.Notes` role."""

    async def add_note(self, note: Note) -> tuple[Note, bool]:
        record = {"id": note.id, "agent_id": note.agent_id, "text": note.text, "at": note.at}
        existing = await self._run("add_note", note.ticket, note.id, to_json(record))
        if existing:
            return read.note(note.ticket, existing), False
        return note, True

    async def notes_for(self, number: str) -> list[Note]:
        notes = [read.note(number, raw) for raw in await self._run("notes_for", number) if raw]
        return sorted(notes, key=lambda n: n.at)
