"""What the support lead's report counts, on SQLite."""

from __future__ import annotations

import sqlite3

from chatbot.store.records import (
    ConversationStat,
    Ticket,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase

__all__ = ["SQLiteReports"]


class SQLiteReports(SQLiteBase):
    """The :class:`~chatbot.store.base.Reports` role."""

    async def conversation_stats(self, since: float, until: float) -> list[ConversationStat]:
        def select(db: sqlite3.Connection) -> list[ConversationStat]:
            # Per conversation, along the (conversation_id, seq) key: no scan of the
            # other conversations' messages.
            rows = db.execute(
                "WITH s AS ("
                "  SELECT c.id, c.language, c.created_at, ("
                "   SELECT MAX(m.seq) FROM messages m WHERE m.conversation_id = c.id"
                "   AND m.sender = 'bot' AND json_extract(m.data, '$.articles') IS NOT NULL"
                "  ) AS article_seq"
                "  FROM conversations c"
                "  WHERE c.created_at >= ? AND c.created_at < ? AND c.last_seq > 0"
                ") SELECT s.*, ("
                "  SELECT m.at FROM messages m WHERE m.conversation_id = s.id"
                "  AND m.seq = s.article_seq"
                " ) AS article_at, EXISTS ("
                "  SELECT 1 FROM messages m WHERE m.conversation_id = s.id"
                "  AND m.sender = 'bot' AND json_extract(m.data, '$.feedback') = 'confirmed'"
                " ) AS confirmed, EXISTS ("
                "  SELECT 1 FROM messages m WHERE m.conversation_id = s.id"
                "  AND m.sender = 'customer' AND m.seq > s.article_seq"
                " ) AS wrote_after FROM s",
                (since, until),
            )
            return [
                ConversationStat(
                    id=r["id"],
                    language=r["language"],
                    created_at=r["created_at"],
                    had_article=r["article_seq"] is not None,
                    article_at=r["article_at"],
                    confirmed=bool(r["confirmed"]),
                    wrote_after_article=bool(r["wrote_after"]),
                )
                for r in rows
            ]

        return await self._run(select)

    async def tickets_between(self, since: float, until: float) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE created_at >= ? AND created_at < ?"
                " ORDER BY created_at",
                (since, until),
            )
            return [read.ticket(r) for r in rows]

        return await self._run(select)

    async def count_tickets(self) -> dict[str, int]:
        def count(db: sqlite3.Connection) -> dict[str, int]:
            rows = db.execute("SELECT status, COUNT(*) FROM tickets GROUP BY status")
            return {str(status): int(n) for status, n in rows}

        return await self._run(count)
