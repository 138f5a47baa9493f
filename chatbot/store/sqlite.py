"""The embedded backend: one SQLite file in WAL mode, used from one worker thread."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from chatbot.errors import Conflict, NotFound, StoreUnavailable
from chatbot.store.base import (
    PRIORITIES,
    Agent,
    Conversation,
    ConversationStat,
    Incident,
    NewAgent,
    NewIncident,
    NewMessage,
    NewTicket,
    NewWork,
    Note,
    OutboxItem,
    Sender,
    StoredMessage,
    Ticket,
    VisitorData,
)
from chatbot.store.ephemeral import MemoryEphemeral

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
    """
    CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE agent_sessions (
        token_hash TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    ALTER TABLE tickets ADD COLUMN assignee TEXT REFERENCES agents (id);
    ALTER TABLE tickets ADD COLUMN claimed_at REAL;
    ALTER TABLE tickets ADD COLUMN first_response_at REAL;
    ALTER TABLE tickets ADD COLUMN closed_at REAL;
    ALTER TABLE tickets ADD COLUMN resolution TEXT;
    ALTER TABLE tickets ADD COLUMN rating INTEGER;
    ALTER TABLE tickets ADD COLUMN rating_comment TEXT;
    ALTER TABLE tickets ADD COLUMN emailed_seq INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX tickets_by_assignee ON tickets (assignee, status);
    CREATE TABLE notes (
        ticket TEXT NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
        id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        text TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (ticket, id)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        due_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at REAL
    );
    CREATE UNIQUE INDEX outbox_pending_key ON outbox (key) WHERE done_at IS NULL;
    CREATE INDEX outbox_due ON outbox (done_at, due_at);
    """,
    """
    INSERT INTO counters (name, value) VALUES ('incident', 0);
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        targets TEXT NOT NULL,
        messages TEXT NOT NULL,
        started_at REAL NOT NULL,
        created_by TEXT NOT NULL,
        created_at REAL NOT NULL,
        resolved_at REAL,
        resolution TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX incidents_by_age ON incidents (created_at);
    ALTER TABLE tickets ADD COLUMN incident TEXT REFERENCES incidents (id);
    CREATE INDEX tickets_by_incident ON tickets (incident, created_at);
    CREATE INDEX conversations_by_activity ON conversations (updated_at);
    """,
)

_PRIORITY_ORDER = (
    "CASE priority "
    + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(PRIORITIES))
    + f" ELSE {len(PRIORITIES)} END"
)


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore(MemoryEphemeral):
    """Implements :class:`chatbot.store.Store` on one SQLite database file.

    sqlite3 blocks, so every call runs on a single dedicated thread: that also serialises
    writers, which is what SQLite wants. One file serves one process, so the shared
    short-lived state (rate limits, presence) lives in this process's memory.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
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
            # Transcripts and password hashes: readable by this user only. SQLite gives
            # the -wal and -shm files the database file's mode.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(self.path, 0o600)
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
        work: NewWork | None = None,
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
                if work is not None and updated_at is not None:
                    _enqueue(db, work)
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

    async def update_ticket(
        self,
        number: str,
        now: float,
        *,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
        priority: str | None = None,
        status: str | None = None,
    ) -> Ticket:
        def update(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                _one_ticket(db, number)
                sets: list[str] = ["updated_at = ?"]
                params: list[object] = [now]
                for column, value in (
                    ("title", title),
                    ("fields", None if fields is None else _json(fields)),
                    ("priority", priority),
                    ("status", status),
                ):
                    if value is not None:
                        sets.append(f"{column} = ?")
                        params.append(value)
                db.execute(
                    f"UPDATE tickets SET {', '.join(sets)} WHERE number = ?", (*params, number)
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(update)

    async def queue(self, limit: int = 200) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                f"SELECT * FROM tickets WHERE status = 'open'"
                f" ORDER BY {_PRIORITY_ORDER}, created_at LIMIT ?",
                (limit,),
            ).fetchall()
            return [_ticket(row) for row in rows]

        return await self._run(select)

    async def tickets_for_agent(self, agent_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE assignee = ? AND status IN ('in_progress', 'waiting')"
                " ORDER BY claimed_at",
                (agent_id,),
            ).fetchall()
            return [_ticket(row) for row in rows]

        return await self._run(select)

    async def claim_ticket(self, number: str, agent_id: str, max_chats: int, now: float) -> Ticket:
        def claim(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                row = _unclosed_ticket(db, number)
                if row["assignee"] == agent_id:
                    return _ticket(row)
                if row["assignee"] is not None:
                    raise Conflict(f"{number} has already been taken", code="already_claimed")
                if _active_chats(db, agent_id) >= max_chats:
                    raise Conflict(
                        f"you already have {max_chats} chats open", code="too_many_chats"
                    )
                db.execute(
                    "UPDATE tickets SET assignee = ?, status = 'in_progress', claimed_at = ?,"
                    " updated_at = ? WHERE number = ?",
                    (agent_id, now, now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(claim)

    async def transfer_ticket(
        self, number: str, from_agent: str | None, to_agent: str, max_chats: int, now: float
    ) -> Ticket:
        def transfer(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                row = _unclosed_ticket(db, number)
                if from_agent is not None and row["assignee"] != from_agent:
                    raise Conflict(f"{number} is not yours", code="not_assigned")
                if db.execute("SELECT 1 FROM agents WHERE id = ?", (to_agent,)).fetchone() is None:
                    raise NotFound(f"no agent {to_agent}")
                if row["assignee"] != to_agent and _active_chats(db, to_agent) >= max_chats:
                    raise Conflict(
                        f"that agent already has {max_chats} chats open", code="too_many_chats"
                    )
                db.execute(
                    "UPDATE tickets SET assignee = ?, status = 'in_progress',"
                    " claimed_at = COALESCE(claimed_at, ?), updated_at = ? WHERE number = ?",
                    (to_agent, now, now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(transfer)

    async def release_ticket(self, number: str, agent_id: str | None, now: float) -> Ticket:
        def release(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                row = _unclosed_ticket(db, number)
                if agent_id is not None and row["assignee"] != agent_id:
                    raise Conflict(f"{number} is not yours", code="not_assigned")
                db.execute(
                    "UPDATE tickets SET assignee = NULL, status = 'open', updated_at = ?"
                    " WHERE number = ?",
                    (now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(release)

    async def close_ticket(self, number: str, resolution: str, now: float) -> Ticket:
        def close(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                _unclosed_ticket(db, number)
                db.execute(
                    "UPDATE tickets SET status = 'closed', resolution = ?, closed_at = ?,"
                    " updated_at = ? WHERE number = ?",
                    (resolution, now, now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(close)

    async def rate_ticket(self, number: str, score: int, comment: str, now: float) -> Ticket:
        def rate(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                row = _one_ticket(db, number)
                if row["status"] != "closed":
                    raise Conflict(f"{number} is not closed yet", code="not_closed")
                db.execute(
                    "UPDATE tickets SET rating = ?, rating_comment = ?, updated_at = ?"
                    " WHERE number = ?",
                    (score, comment or None, now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(rate)

    async def mark_first_response(self, number: str, at: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE tickets SET first_response_at = ?"
                " WHERE number = ? AND first_response_at IS NULL",
                (at, number),
            )
        )

    async def set_emailed_seq(self, number: str, seq: int) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE tickets SET emailed_seq = MAX(emailed_seq, ?) WHERE number = ?",
                (seq, number),
            )
        )

    async def add_agent(self, agent: NewAgent) -> Agent:
        def add(db: sqlite3.Connection) -> Agent:
            agent_id = "a_" + secrets.token_urlsafe(9)
            try:
                with _transaction(db):
                    db.execute(
                        "INSERT INTO agents (id, email, name, role, password_hash, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            agent_id,
                            agent.email,
                            agent.name,
                            agent.role,
                            agent.password_hash,
                            agent.created_at,
                        ),
                    )
            except sqlite3.IntegrityError:
                raise Conflict(
                    f"{agent.email} already has an account", code="email_taken"
                ) from None
            return _agent(db.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone())

        return await self._run(add)

    async def set_agent_password(self, email: str, password_hash: str) -> Agent:
        def update(db: sqlite3.Connection) -> Agent:
            with _transaction(db):
                db.execute(
                    "UPDATE agents SET password_hash = ? WHERE email = ?", (password_hash, email)
                )
                row = db.execute("SELECT * FROM agents WHERE email = ?", (email,)).fetchone()
                if row is None:
                    raise NotFound(f"no agent {email}")
                # A new password ends every session of the old one.
                db.execute("DELETE FROM agent_sessions WHERE agent_id = ?", (row["id"],))
                return _agent(row)

        return await self._run(update)

    async def agent_credentials(self, email: str) -> tuple[Agent, str] | None:
        def get(db: sqlite3.Connection) -> tuple[Agent, str] | None:
            row = db.execute("SELECT * FROM agents WHERE email = ?", (email,)).fetchone()
            return None if row is None else (_agent(row), str(row["password_hash"]))

        return await self._run(get)

    async def get_agent(self, agent_id: str) -> Agent | None:
        def get(db: sqlite3.Connection) -> Agent | None:
            row = db.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
            return None if row is None else _agent(row)

        return await self._run(get)

    async def list_agents(self) -> list[Agent]:
        def select(db: sqlite3.Connection) -> list[Agent]:
            return [_agent(r) for r in db.execute("SELECT * FROM agents ORDER BY name")]

        return await self._run(select)

    async def create_session(
        self, token_hash: str, agent_id: str, created_at: float, expires_at: float
    ) -> None:
        def create(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("DELETE FROM agent_sessions WHERE expires_at < ?", (created_at,))
                db.execute(
                    "INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?)",
                    (token_hash, agent_id, created_at, expires_at),
                )

        await self._run(create)

    async def session_agent(self, token_hash: str, now: float) -> Agent | None:
        def get(db: sqlite3.Connection) -> Agent | None:
            row = db.execute(
                "SELECT agents.* FROM agent_sessions JOIN agents ON agents.id = agent_id"
                " WHERE token_hash = ? AND expires_at > ? AND disabled = 0",
                (token_hash, now),
            ).fetchone()
            return None if row is None else _agent(row)

        return await self._run(get)

    async def revoke_session(self, token_hash: str) -> None:
        await self._run(
            lambda db: db.execute("DELETE FROM agent_sessions WHERE token_hash = ?", (token_hash,))
        )

    async def add_note(self, note: Note) -> tuple[Note, bool]:
        def add(db: sqlite3.Connection) -> tuple[Note, bool]:
            with _transaction(db):
                _one_ticket(db, note.ticket)
                existing = db.execute(
                    "SELECT * FROM notes WHERE ticket = ? AND id = ?", (note.ticket, note.id)
                ).fetchone()
                if existing is not None:
                    return _note(existing), False
                db.execute(
                    "INSERT INTO notes (ticket, id, agent_id, text, at) VALUES (?, ?, ?, ?, ?)",
                    (note.ticket, note.id, note.agent_id, note.text, note.at),
                )
                return note, True

        return await self._run(add)

    async def notes_for(self, number: str) -> list[Note]:
        def select(db: sqlite3.Connection) -> list[Note]:
            rows = db.execute("SELECT * FROM notes WHERE ticket = ? ORDER BY at", (number,))
            return [_note(r) for r in rows]

        return await self._run(select)

    async def enqueue(
        self, kind: str, payload: Mapping[str, Any], due_at: float, key: str | None = None
    ) -> bool:
        work = NewWork(kind=kind, payload=payload, due_at=due_at, key=key)
        return await self._run(lambda db: _enqueue(db, work))

    async def due_work(self, now: float, limit: int, lease: float = 60.0) -> list[OutboxItem]:
        def take(db: sqlite3.Connection) -> list[OutboxItem]:
            with _transaction(db):
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

    async def conversation_stats(self, since: float, until: float) -> list[ConversationStat]:
        def select(db: sqlite3.Connection) -> list[ConversationStat]:
            rows = db.execute(
                "SELECT c.id, c.language, c.created_at, EXISTS ("
                "  SELECT 1 FROM messages m WHERE m.conversation_id = c.id"
                "  AND m.sender = 'bot' AND json_extract(m.data, '$.articles') IS NOT NULL"
                " ) AS had_article"
                " FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?"
                " AND c.last_seq > 0",
                (since, until),
            )
            return [
                ConversationStat(
                    id=r["id"],
                    language=r["language"],
                    created_at=r["created_at"],
                    had_article=bool(r["had_article"]),
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
            return [_ticket(r) for r in rows]

        return await self._run(select)

    async def count_tickets(self) -> dict[str, int]:
        def count(db: sqlite3.Connection) -> dict[str, int]:
            rows = db.execute("SELECT status, COUNT(*) FROM tickets GROUP BY status")
            return {str(status): int(n) for status, n in rows}

        return await self._run(count)

    async def create_incident(self, incident: NewIncident) -> Incident:
        def create(db: sqlite3.Connection) -> Incident:
            with _transaction(db):
                db.execute("UPDATE counters SET value = value + 1 WHERE name = 'incident'")
                value = db.execute("SELECT value FROM counters WHERE name = 'incident'").fetchone()
                incident_id = f"INC-{value[0]}"
                db.execute(
                    "INSERT INTO incidents (id, service, targets, messages, started_at,"
                    " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        incident_id,
                        incident.service,
                        json.dumps(list(incident.targets), ensure_ascii=False),
                        _json(incident.messages),
                        incident.started_at,
                        incident.created_by,
                        incident.created_at,
                    ),
                )
                return _incident(_one_incident(db, incident_id))

        return await self._run(create)

    async def get_incident(self, incident_id: str) -> Incident | None:
        def get(db: sqlite3.Connection) -> Incident | None:
            row = db.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            return None if row is None else _incident(row)

        return await self._run(get)

    async def list_incidents(self, active_only: bool = False, limit: int = 100) -> list[Incident]:
        def select(db: sqlite3.Connection) -> list[Incident]:
            where = " WHERE resolved_at IS NULL" if active_only else ""
            rows = db.execute(
                f"SELECT * FROM incidents{where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (limit,),
            )
            return [_incident(r) for r in rows]

        return await self._run(select)

    async def resolve_incident(
        self, incident_id: str, now: float, resolution: Mapping[str, str]
    ) -> Incident:
        def resolve(db: sqlite3.Connection) -> Incident:
            with _transaction(db):
                if _one_incident(db, incident_id)["resolved_at"] is not None:
                    raise Conflict(f"{incident_id} is already resolved", code="incident_resolved")
                db.execute(
                    "UPDATE incidents SET resolved_at = ?, resolution = ? WHERE id = ?",
                    (now, _json(resolution), incident_id),
                )
                return _incident(_one_incident(db, incident_id))

        return await self._run(resolve)

    async def link_ticket(self, number: str, incident_id: str, now: float) -> Ticket:
        def link(db: sqlite3.Connection) -> Ticket:
            with _transaction(db):
                _one_ticket(db, number)
                _one_incident(db, incident_id)
                db.execute(
                    "UPDATE tickets SET incident = ?, updated_at = ? WHERE number = ?",
                    (incident_id, now, number),
                )
                return _ticket(_one_ticket(db, number))

        return await self._run(link)

    async def tickets_for_incident(self, incident_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE incident = ? ORDER BY created_at", (incident_id,)
            )
            return [_ticket(r) for r in rows]

        return await self._run(select)

    async def purge_conversations(self, before: float, empty_only: bool = False) -> list[str]:
        def purge(db: sqlite3.Connection) -> list[str]:
            with _transaction(db):
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
                _conversation(r)
                for r in db.execute(
                    "SELECT * FROM conversations WHERE visitor_id = ? ORDER BY created_at, id",
                    (visitor_id,),
                )
            ]
            messages = [
                _message(r)
                for c in conversations
                for r in db.execute(
                    "SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq", (c.id,)
                )
            ]
            tickets = [_ticket(r) for r in _visitor_tickets(db, visitor_id)]
            return VisitorData(
                visitor_id=visitor_id,
                conversations=conversations,
                messages=messages,
                tickets=tickets,
            )

        return await self._run(select)

    async def delete_visitor(self, visitor_id: str) -> list[str]:
        def delete(db: sqlite3.Connection) -> list[str]:
            with _transaction(db):
                ids = [
                    str(r[0])
                    for r in db.execute(
                        "SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at, id",
                        (visitor_id,),
                    )
                ]
                # A ticket is the visitor's even when filed on another conversation.
                db.executemany(
                    "DELETE FROM tickets WHERE number = ?",
                    [(r["number"],) for r in _visitor_tickets(db, visitor_id)],
                )
                _delete_conversations(db, ids)
            return ids

        return await self._run(delete)


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _enqueue(db: sqlite3.Connection, work: NewWork) -> bool:
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (key, kind, payload, due_at) VALUES (?, ?, ?, ?)",
        (work.key, work.kind, _json(work.payload), work.due_at),
    )
    return cursor.rowcount == 1


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
        assignee=row["assignee"],
        claimed_at=row["claimed_at"],
        first_response_at=row["first_response_at"],
        closed_at=row["closed_at"],
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        emailed_seq=row["emailed_seq"],
        incident=row["incident"],
    )


def _agent(row: sqlite3.Row) -> Agent:
    return Agent(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        created_at=row["created_at"],
        disabled=bool(row["disabled"]),
    )


def _note(row: sqlite3.Row) -> Note:
    return Note(
        ticket=row["ticket"], id=row["id"], agent_id=row["agent_id"], text=row["text"], at=row["at"]
    )


def _one_ticket(db: sqlite3.Connection, number: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
    if row is None:
        raise NotFound(f"no ticket {number}")
    return cast(sqlite3.Row, row)


def _unclosed_ticket(db: sqlite3.Connection, number: str) -> sqlite3.Row:
    row = _one_ticket(db, number)
    if row["status"] == "closed":
        raise Conflict(f"{number} is closed", code="ticket_closed")
    return row


def _active_chats(db: sqlite3.Connection, agent_id: str) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM tickets WHERE assignee = ? AND status IN ('in_progress', 'waiting')",
        (agent_id,),
    ).fetchone()
    return int(row[0])


def _incident(row: sqlite3.Row) -> Incident:
    return Incident(
        id=row["id"],
        service=row["service"],
        targets=tuple(json.loads(row["targets"])),
        messages=json.loads(row["messages"]),
        started_at=row["started_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        resolution=json.loads(row["resolution"]),
    )


def _one_incident(db: sqlite3.Connection, incident_id: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return cast(sqlite3.Row, row)


def _visitor_tickets(db: sqlite3.Connection, visitor_id: str) -> list[sqlite3.Row]:
    """The visitor's tickets and every ticket on one of their conversations, oldest first."""
    return db.execute(
        "SELECT * FROM tickets WHERE visitor_id = ? OR conversation_id IN"
        " (SELECT id FROM conversations WHERE visitor_id = ?) ORDER BY created_at, number",
        (visitor_id, visitor_id),
    ).fetchall()


def _delete_conversations(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Delete conversations with everything hanging off them, inside the caller's transaction.

    Messages and tickets cascade from the conversation and notes from the ticket; the notes
    are deleted first all the same, so nothing depends on how the cascade was declared.
    """
    rows = [(conversation_id,) for conversation_id in ids]
    db.executemany(
        "DELETE FROM notes WHERE ticket IN (SELECT number FROM tickets WHERE conversation_id = ?)",
        rows,
    )
    db.executemany("DELETE FROM messages WHERE conversation_id = ?", rows)
    db.executemany("DELETE FROM tickets WHERE conversation_id = ?", rows)
    db.executemany("DELETE FROM conversations WHERE id = ?", rows)
