"""The embedded backend: one SQLite file in WAL mode, used from one worker thread."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from chatbot.errors import NotFound, StoreUnavailable
from chatbot.store.base import (
    Conversation,
    NewMessage,
    NewTicket,
    Sender,
    StoredMessage,
    Ticket,
)

__all__ = ["SQLiteStore"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Each entry migrates the schema from version N to N + 1. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        language TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}',
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX conversations_by_visitor ON conversations (visitor_id, created_at);
    CREATE TABLE messages (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        sender TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        at REAL NOT NULL,
        PRIMARY KEY (conversation_id, seq),
        UNIQUE (conversation_id, id)
    );
    """,
    """
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters (name, value) VALUES ('ticket', 104200);
    CREATE TABLE tickets (
        number TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        visitor_id TEXT NOT NULL,
        status TEXT NOT NULL,
        service TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        priority TEXT NOT NULL,
        fields TEXT NOT NULL,
        missing TEXT NOT NULL,
        expected_response TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        source TEXT NOT NULL UNIQUE,
        customer TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX tickets_by_visitor ON tickets (visitor_id, created_at);
    CREATE INDEX tickets_by_status ON tickets (status, created_at);
    """,
)


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore:
    """Implements :class:`chatbot.store.Store` on one SQLite database file.

    sqlite3 blocks, so every call runs on a single dedicated thread: that also serialises
    writers, which is what SQLite wants.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._db: sqlite3.Connection | None = None

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            if self._db is None:
                raise StoreUnavailable("the store is closed")
            try:
                return fn(self._db)
            except sqlite3.OperationalError as exc:
                log.error("sqlite error: %s", exc)
                raise StoreUnavailable("the database is temporarily unavailable") from exc

        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def open(self) -> None:
        def connect() -> sqlite3.Connection:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: an acknowledged message survives a power cut, not just a crash.
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=5000")
            _migrate(db)
            return db

        loop = asyncio.get_running_loop()
        self._db = await loop.run_in_executor(self._executor, connect)

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, db.close)
        self._executor.shutdown(wait=True)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        def get_or_create(db: sqlite3.Connection) -> Conversation:
            with _transaction(db):
                row = db.execute(
                    "SELECT * FROM conversations WHERE visitor_id = ?"
                    " ORDER BY created_at DESC LIMIT 1",
                    (visitor_id,),
                ).fetchone()
                if row is None:
                    conversation_id = "c_" + secrets.token_urlsafe(12)
                    db.execute(
                        "INSERT INTO conversations"
                        " (id, visitor_id, language, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (conversation_id, visitor_id, language, now, now),
                    )
                    row = db.execute(
                        "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
                    ).fetchone()
                return _conversation(row)

        return await self._run(get_or_create)

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        def get(db: sqlite3.Connection) -> Conversation | None:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            return None if row is None else _conversation(row)

        return await self._run(get)

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        def append(db: sqlite3.Connection) -> list[tuple[StoredMessage, bool]]:
            results: list[tuple[StoredMessage, bool]] = []
            with _transaction(db):
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
                        results.append((_message(existing), False))
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
                            _json(message.data),
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
                    params.append(_json(state))
                if language is not None:
                    sets.append("language = ?")
                    params.append(language)
                db.execute(
                    f"UPDATE conversations SET {', '.join(sets)} WHERE id = ?",
                    (*params, conversation_id),
                )
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
            return [_message(row) for row in rows]

        return await self._run(select)

    async def create_ticket(self, ticket: NewTicket, prefix: str) -> Ticket:
        def create(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                existing = db.execute(
                    "SELECT * FROM tickets WHERE source = ?", (ticket.source,)
                ).fetchone()
                if existing is not None:
                    return _ticket(existing)
                db.execute("UPDATE counters SET value = value + 1 WHERE name = 'ticket'")
                value = db.execute("SELECT value FROM counters WHERE name = 'ticket'").fetchone()
                number = f"{prefix}-{value[0]}"
                db.execute(
                    "INSERT INTO tickets (number, conversation_id, visitor_id, status, service,"
                    " title, language, priority, fields, missing, expected_response,"
                    " created_at, updated_at, source, customer)"
                    " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        number,
                        ticket.conversation_id,
                        ticket.visitor_id,
                        ticket.service,
                        ticket.title,
                        ticket.language,
                        ticket.priority,
                        _json(ticket.fields),
                        json.dumps(list(ticket.missing)),
                        ticket.expected_response,
                        ticket.created_at,
                        ticket.created_at,
                        ticket.source,
                        _json(ticket.customer),
                    ),
                )
                row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
                return _ticket(row)

        return await self._run(create)

    async def get_ticket(self, number: str) -> Ticket | None:
        def get(db: sqlite3.Connection) -> Ticket | None:
            row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
            return None if row is None else _ticket(row)

        return await self._run(get)

    async def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            if status is None:
                rows = db.execute(
                    "SELECT * FROM tickets ORDER BY created_at DESC LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM tickets WHERE status = ? ORDER BY created_at DESC LIMIT ?",
                    (status, limit),
                ).fetchall()
            return [_ticket(row) for row in rows]

        return await self._run(select)

    async def tickets_for_visitor(self, visitor_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE visitor_id = ? ORDER BY created_at DESC",
                (visitor_id,),
            ).fetchall()
            return [_ticket(row) for row in rows]

        return await self._run(select)

    async def touch_ticket(self, number: str, at: float) -> None:
        def touch(db: sqlite3.Connection) -> None:
            db.execute("UPDATE tickets SET updated_at = ? WHERE number = ?", (at, number))

        await self._run(touch)


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _migrate(db: sqlite3.Connection) -> None:
    db.row_factory = sqlite3.Row
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        log.info("migrating database to schema version %d", number)
        db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        visitor_id=row["visitor_id"],
        language=row["language"],
        state=json.loads(row["state"]),
        last_seq=row["last_seq"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        id=row["id"],
        sender=cast(Sender, row["sender"]),
        text=row["text"],
        at=row["at"],
        data=json.loads(row["data"]),
    )


def _ticket(row: sqlite3.Row) -> Ticket:
    return Ticket(
        number=row["number"],
        conversation_id=row["conversation_id"],
        visitor_id=row["visitor_id"],
        status=row["status"],
        service=row["service"],
        title=row["title"],
        language=row["language"],
        priority=row["priority"],
        fields=json.loads(row["fields"]),
        missing=tuple(json.loads(row["missing"])),
        expected_response=row["expected_response"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        customer=json.loads(row["customer"]),
    )
