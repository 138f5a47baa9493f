"""Agents' internal notes on tickets, on SQLite."""

from __future__ import annotations

import sqlite3

from chatbot.store.records import (
    Note,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, transaction

__all__ = ["SQLiteNotes"]


class SQLiteNotes(SQLiteBase):
    """The :class:`~chatbot.store.base.Notes` role."""

    async def add_note(self, note: Note) -> tuple[Note, bool]:
        def add(db: sqlite3.Connection) -> tuple[Note, bool]:
            with transaction(db):
                read.one_ticket(db, note.ticket)
                existing = db.execute(
                    "SELECT * FROM notes WHERE ticket = ? AND id = ?", (note.ticket, note.id)
                ).fetchone()
                if existing is not None:
                    return read.note(existing), False
                db.execute(
                    "INSERT INTO notes (ticket, id, agent_id, text, at) VALUES (?, ?, ?, ?, ?)",
                    (note.ticket, note.id, note.agent_id, note.text, note.at),
                )
                return note, True

        return await self._run(add)

    async def notes_for(self, number: str) -> list[Note]:
        def select(db: sqlite3.Connection) -> list[Note]:
            rows = db.execute("SELECT * FROM notes WHERE ticket = ? ORDER BY at", (number,))
            return [read.note(r) for r in rows]

        return await self._run(select)
