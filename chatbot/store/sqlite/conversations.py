"""Conversations and their messages on SQLite."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from chatbot.errors import NotFound
from chatbot.store.records import (
    Conversation,
    ConversationSummary,
    NewMessage,
    NewWork,
    StoredMessage,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, to_json, transaction
from chatbot.store.sqlite.outbox import enqueue_work

__all__ = ["SQLiteConversations"]


class SQLiteConversations(SQLiteBase):
    """The :class:`~chatbot.store.base.Conversations` role."""

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        def get_or_create(db: sqlite3.Connection) -> Conversation:
            with transaction(db):
                row = db.execute(
                    "SELECT * FROM conversations WHERE visitor_id = ?"
                    " ORDER BY created_at DESC LIMIT 1",
                    (visitor_id,),
                ).fetchone()
                if row is None:
                    row = _insert_conversation(db, visitor_id, language, now)
                return read.conversation(row)

        return await self._run(get_or_create)

    async def start_conversation(self, visitor_id: str, language: str, now: float) -> Conversation:
        def start(db: sqlite3.Connection) -> Conversation:
            with transaction(db):
                row = db.execute(
                    "SELECT * FROM conversations WHERE visitor_id = ?"
                    " ORDER BY created_at DESC LIMIT 1",
                    (visitor_id,),
                ).fetchone()
                if row is not None and int(row["last_seq"]) == 0:
                    return read.conversation(row)
                # Started after the current one even if the clock stepped back: the
                # newest started is the current one.
                started = now if row is None else max(now, float(row["created_at"]) + 0.001)
                return read.conversation(_insert_conversation(db, visitor_id, language, started))

        return await self._run(start)

    async def conversations_of(
        self, visitor_id: str, offset: int = 0, limit: int = 20
    ) -> list[ConversationSummary]:
        def select(db: sqlite3.Connection) -> list[ConversationSummary]:
            rows = db.execute(
                "SELECT c.id, c.language, c.created_at, c.updated_at, c.last_seq,"
                " (SELECT m.text FROM messages m WHERE m.conversation_id = c.id"
                "  AND m.sender = 'customer' ORDER BY m.seq LIMIT 1) AS first_message"
                " FROM conversations c WHERE c.visitor_id = ? AND c.last_seq > 0"
                " ORDER BY c.created_at DESC LIMIT ? OFFSET ?",
                (visitor_id, limit, offset),
            ).fetchall()
            return [
                ConversationSummary(
                    id=row["id"],
                    language=row["language"],
                    created_at=float(row["created_at"]),
                    updated_at=float(row["updated_at"]),
                    last_seq=int(row["last_seq"]),
                    first_message=row["first_message"] or "",
                )
                for row in rows
            ]

        return await self._run(select)

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        def get(db: sqlite3.Connection) -> Conversation | None:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            return None if row is None else read.conversation(row)

        return await self._run(get)

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
        work: NewWork | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        def append(db: sqlite3.Connection) -> list[tuple[StoredMessage, bool]]:
            results: list[tuple[StoredMessage, bool]] = []
            with transaction(db):
                row = db.execute(
                    "SELECT last_seq FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
                if row is None:
                    raise NotFound(f"no conversation {conversation_id}")
                seq = int(row[0])
                updated_at = None
                for message in messages:
                    existing = db.execute(
                        "SELECT * FROM messages WHERE conversation_id = ? AND id = ?",
                        (conversation_id, message.id),
                    ).fetchone()
                    if existing is not None:
                        results.append((read.message(existing), False))
                        continue
                    seq += 1
                    db.execute(
                        "INSERT INTO messages (conversation_id, seq, id, sender, text, data, at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            conversation_id,
                            seq,
                            message.id,
                            message.sender,
                            message.text,
                            to_json(message.data),
                            message.at,
                        ),
                    )
                    updated_at = message.at
                    results.append(
                        (
                            StoredMessage(
                                conversation_id=conversation_id,
                                seq=seq,
                                id=message.id,
                                sender=message.sender,
                                text=message.text,
                                at=message.at,
                                data=dict(message.data),
                            ),
                            True,
                        )
                    )
                sets = ["last_seq = ?"]
                params: list[Any] = [seq]
                if updated_at is not None:
                    sets.append("updated_at = ?")
                    params.append(updated_at)
                if state is not None:
                    sets.append("state = ?")
                    params.append(to_json(state))
                if language is not None:
                    sets.append("language = ?")
                    params.append(language)
                db.execute(
                    f"UPDATE conversations SET {', '.join(sets)} WHERE id = ?",
                    (*params, conversation_id),
                )
                if work is not None and updated_at is not None:
                    enqueue_work(db, work)
            return results

        return await self._run(append)

    async def messages_after(
        self, conversation_id: str, after_seq: int, limit: int
    ) -> list[StoredMessage]:
        def select(db: sqlite3.Connection) -> list[StoredMessage]:
            rows = db.execute(
                "SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (conversation_id, after_seq, limit),
            ).fetchall()
            return [read.message(row) for row in rows]

        return await self._run(select)


def _insert_conversation(
    db: sqlite3.Connection, visitor_id: str, language: str, at: float
) -> sqlite3.Row:
    """A new conversation of the visitor, started ``at``, as its stored row."""
    conversation_id = "c_" + secrets.token_urlsafe(12)
    db.execute(
        "INSERT INTO conversations (id, visitor_id, language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (conversation_id, visitor_id, language, at, at),
    )
    row: sqlite3.Row = db.execute(
        "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return row
