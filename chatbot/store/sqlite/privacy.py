"""Retention, export and erasure on SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from chatbot.store.records import (
    VisitorData,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, transaction

__all__ = ["SQLitePrivacy"]


class SQLitePrivacy(SQLiteBase):
    """The :class:`~chatbot.store.base.Privacy` role."""

    async def purge_conversations(self, before: float, empty_only: bool = False) -> list[str]:
        def purge(db: sqlite3.Connection) -> list[str]:
            with transaction(db):
                ids = [
                    str(r[0])
                    for r in db.execute(
                        "SELECT id FROM conversations c WHERE updated_at < ?"
                        " AND (? = 0 OR last_seq = 0) AND NOT EXISTS ("
                        "  SELECT 1 FROM tickets t WHERE t.conversation_id = c.id"
                        "  AND t.status != 'closed'"
                        ") ORDER BY updated_at",
                        (before, int(empty_only)),
                    )
                ]
                _delete_conversations(db, ids)
            return ids

        return await self._run(purge)

    async def visitor_data(self, visitor_id: str) -> VisitorData:
        def select(db: sqlite3.Connection) -> VisitorData:
            conversations = [
                read.conversation(r)
                for r in db.execute(
                    "SELECT * FROM conversations WHERE visitor_id = ? ORDER BY created_at, id",
                    (visitor_id,),
                )
            ]
            messages = [
                read.message(r)
                for c in conversations
                for r in db.execute(
                    "SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq", (c.id,)
                )
            ]
            tickets = [read.ticket(r) for r in read.visitor_tickets(db, visitor_id)]
            return VisitorData(
                visitor_id=visitor_id,
                conversations=conversations,
                messages=messages,
                tickets=tickets,
            )

        return await self._run(select)

    async def delete_visitor(self, visitor_id: str) -> list[str]:
        def delete(db: sqlite3.Connection) -> list[str]:
            with transaction(db):
                ids = [
                    str(r[0])
                    for r in db.execute(
                        "SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at, id",
                        (visitor_id,),
                    )
                ]
                # A ticket is the visitor's even when filed on another conversation.
                numbers = [str(r["number"]) for r in read.visitor_tickets(db, visitor_id)]
                _forget_work(db, numbers)
                db.executemany("DELETE FROM tickets WHERE number = ?", [(n,) for n in numbers])
                _delete_conversations(db, ids)
            return ids

        return await self._run(delete)


def _delete_conversations(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Delete conversations with everything hanging off them, inside the caller's transaction.

    Messages and tickets cascade from the conversation and notes from the ticket; the notes
    are deleted first all the same, so nothing depends on how the cascade was declared.
    """
    rows = [(conversation_id,) for conversation_id in ids]
    numbers: list[str] = []
    for row in rows:
        numbers += [
            str(r[0])
            for r in db.execute("SELECT number FROM tickets WHERE conversation_id = ?", row)
        ]
    _forget_work(db, numbers)
    db.executemany(
        "DELETE FROM notes WHERE ticket IN (SELECT number FROM tickets WHERE conversation_id = ?)",
        rows,
    )
    db.executemany("DELETE FROM messages WHERE conversation_id = ?", rows)
    db.executemany("DELETE FROM tickets WHERE conversation_id = ?", rows)
    db.executemany("DELETE FROM conversations WHERE id = ?", rows)


def _forget_work(db: sqlite3.Connection, numbers: Sequence[str]) -> None:
    """Delete the outbox work about these tickets, sent or not: a mail keeps the customer's
    address and words, a webhook the ticket with its fields (a contact address among them)."""
    if not numbers:
        return
    db.execute(
        "DELETE FROM outbox WHERE coalesce("
        " json_extract(payload, '$.ticket'),"
        " json_extract(payload, '$.body.data.ticket.number'),"
        " json_extract(payload, '$.body.data.ticket')"
        ") IN (SELECT value FROM json_each(?))",
        (json.dumps(list(numbers)),),
    )
