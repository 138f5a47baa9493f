"""Agent accounts and their login sessions on SQLite."""

from __future__ import annotations

import secrets
import sqlite3

from chatbot.errors import Conflict, NotFound
from chatbot.store.records import (
    Agent,
    NewAgent,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, transaction

__all__ = ["SQLiteAgents"]


class SQLiteAgents(SQLiteBase):
    """The :class:`~chatbot.store.base.Agents` role."""

    async def add_agent(self, agent: NewAgent) -> Agent:
        def add(db: sqlite3.Connection) -> Agent:
            agent_id = "a_" + secrets.token_urlsafe(9)
            try:
                with transaction(db):
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
            return read.agent(
                db.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
            )

        return await self._run(add)

    async def set_agent_password(self, email: str, password_hash: str) -> Agent:
        def update(db: sqlite3.Connection) -> Agent:
            with transaction(db):
                db.execute(
                    "UPDATE agents SET password_hash = ? WHERE email = ?", (password_hash, email)
                )
                row = db.execute("SELECT * FROM agents WHERE email = ?", (email,)).fetchone()
                if row is None:
                    raise NotFound(f"no agent {email}")
                # A new password ends every session of the old one.
                db.execute("DELETE FROM agent_sessions WHERE agent_id = ?", (row["id"],))
                return read.agent(row)

        return await self._run(update)

    async def agent_credentials(self, email: str) -> tuple[Agent, str] | None:
        def get(db: sqlite3.Connection) -> tuple[Agent, str] | None:
            row = db.execute("SELECT * FROM agents WHERE email = ?", (email,)).fetchone()
            return None if row is None else (read.agent(row), str(row["password_hash"]))

        return await self._run(get)

    async def get_agent(self, agent_id: str) -> Agent | None:
        def get(db: sqlite3.Connection) -> Agent | None:
            row = db.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
            return None if row is None else read.agent(row)

        return await self._run(get)

    async def list_agents(self) -> list[Agent]:
        def select(db: sqlite3.Connection) -> list[Agent]:
            return [read.agent(r) for r in db.execute("SELECT * FROM agents ORDER BY name")]

        return await self._run(select)

    async def create_session(
        self, token_hash: str, agent_id: str, created_at: float, expires_at: float
    ) -> None:
        def create(db: sqlite3.Connection) -> None:
            with transaction(db):
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
            return None if row is None else read.agent(row)

        return await self._run(get)

    async def revoke_session(self, token_hash: str) -> None:
        await self._run(
            lambda db: db.execute("DELETE FROM agent_sessions WHERE token_hash = ?", (token_hash,))
        )
