"""The SQLite schema: migrations from each version to the next, applied on open."""

from __future__ import annotations

import logging
import sqlite3

__all__ = ["MIGRATIONS", "migrate"]

log = logging.getLogger(__name__)

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


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database to the newest schema version, one transaction per step."""
    db.row_factory = sqlite3.Row
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        log.info("migrating database to schema version %d", number)
        db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
