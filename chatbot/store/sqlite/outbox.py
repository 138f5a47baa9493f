"""The durable work queue on SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from chatbot.store.records import (
    NewWork,
    OutboxItem,
)
from chatbot.store.sqlite.connection import SQLiteBase, to_json, transaction

__all__ = ["SQLiteOutbox", "enqueue_work"]


class SQLiteOutbox(SQLiteBase):
    """The :class:`~chatbot.store.base.Outbox` role."""

    async def enqueue(
        self, kind: str, payload: Mapping[str, Any], due_at: float, key: str | None = None
    ) -> bool:
        work = NewWork(kind=kind, payload=payload, due_at=due_at, key=key)
        return await self._run(lambda db: enqueue_work(db, work))

    async def due_work(self, now: float, limit: int, lease: float = 60.0) -> list[OutboxItem]:
        def take(db: sqlite3.Connection) -> list[OutboxItem]:
            with transaction(db):
                rows = db.execute(
                    "SELECT * FROM outbox WHERE done_at IS NULL AND due_at <= ?"
                    " ORDER BY due_at, id LIMIT ?",
                    (now, limit),
                ).fetchall()
                db.executemany(
                    "UPDATE outbox SET due_at = ? WHERE id = ?",
                    [(now + lease, r["id"]) for r in rows],
                )
            return [
                OutboxItem(
                    id=r["id"],
                    kind=r["kind"],
                    payload=json.loads(r["payload"]),
                    due_at=r["due_at"],
                    attempts=r["attempts"],
                )
                for r in rows
            ]

        return await self._run(take)

    async def finish_work(self, item_id: int, now: float, error: str | None = None) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE outbox SET done_at = ?, last_error = ? WHERE id = ?", (now, error, item_id)
            )
        )

    async def retry_work(self, item_id: int, due_at: float, error: str) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE outbox SET due_at = ?, attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (due_at, error[:500], item_id),
            )
        )


def enqueue_work(db: sqlite3.Connection, work: NewWork) -> bool:
    """Add work inside the caller's transaction; False when its key is pending."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (key, kind, payload, due_at) VALUES (?, ?, ?, ?)",
        (work.key, work.kind, to_json(work.payload), work.due_at),
    )
    return cursor.rowcount == 1
