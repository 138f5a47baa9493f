"""Tickets on SQLite: filing, agents' edits, the queue, claims and closing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from chatbot.errors import Conflict, NotFound
from chatbot.store.records import (
    PRIORITIES,
    NewTicket,
    Ticket,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, to_json, transaction

__all__ = ["SQLiteTickets"]


_PRIORITY_ORDER = (
    "CASE priority "
    + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(PRIORITIES))
    + f" ELSE {len(PRIORITIES)} END"
)


class SQLiteTickets(SQLiteBase):
    """The :class:`~chatbot.store.base.Tickets` role."""

    async def create_ticket(self, ticket: NewTicket, prefix: str) -> Ticket:
        def create(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                existing = db.execute(
                    "SELECT * FROM tickets WHERE source = ?", (ticket.source,)
                ).fetchone()
                if existing is not None:
                    return read.ticket(existing)
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
                        to_json(ticket.fields),
                        json.dumps(list(ticket.missing)),
                        ticket.expected_response,
                        ticket.created_at,
                        ticket.created_at,
                        ticket.source,
                        to_json(ticket.customer),
                    ),
                )
                row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
                return read.ticket(row)

        return await self._run(create)

    async def get_ticket(self, number: str) -> Ticket | None:
        def get(db: sqlite3.Connection) -> Ticket | None:
            row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
            return None if row is None else read.ticket(row)

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
            return [read.ticket(row) for row in rows]

        return await self._run(select)

    async def tickets_for_visitor(self, visitor_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE visitor_id = ? ORDER BY created_at DESC",
                (visitor_id,),
            ).fetchall()
            return [read.ticket(row) for row in rows]

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
            with transaction(db):
                read.one_ticket(db, number)
                sets: list[str] = ["updated_at = ?"]
                params: list[object] = [now]
                for column, value in (
                    ("title", title),
                    ("fields", None if fields is None else to_json(fields)),
                    ("priority", priority),
                    ("status", status),
                ):
                    if value is not None:
                        sets.append(f"{column} = ?")
                        params.append(value)
                db.execute(
                    f"UPDATE tickets SET {', '.join(sets)} WHERE number = ?", (*params, number)
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(update)

    async def queue(self, limit: int = 200) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                f"SELECT * FROM tickets WHERE status = 'open'"
                f" ORDER BY {_PRIORITY_ORDER}, created_at LIMIT ?",
                (limit,),
            ).fetchall()
            return [read.ticket(row) for row in rows]

        return await self._run(select)

    async def tickets_for_agent(self, agent_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE assignee = ? AND status IN ('in_progress', 'waiting')"
                " ORDER BY claimed_at",
                (agent_id,),
            ).fetchall()
            return [read.ticket(row) for row in rows]

        return await self._run(select)

    async def claim_ticket(self, number: str, agent_id: str, max_chats: int, now: float) -> Ticket:
        def claim(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                row = read.unclosed_ticket(db, number)
                if row["assignee"] == agent_id:
                    return read.ticket(row)
                if row["assignee"] is not None:
                    raise Conflict(f"{number} has already been taken", code="already_claimed")
                if read.active_chats(db, agent_id) >= max_chats:
                    raise Conflict(
                        f"you already have {max_chats} chats open", code="too_many_chats"
                    )
                db.execute(
                    "UPDATE tickets SET assignee = ?, status = 'in_progress', claimed_at = ?,"
                    " updated_at = ? WHERE number = ?",
                    (agent_id, now, now, number),
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(claim)

    async def transfer_ticket(
        self, number: str, from_agent: str | None, to_agent: str, max_chats: int, now: float
    ) -> Ticket:
        def transfer(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                row = read.unclosed_ticket(db, number)
                if from_agent is not None and row["assignee"] != from_agent:
                    raise Conflict(f"{number} is not yours", code="not_assigned")
                if db.execute("SELECT 1 FROM agents WHERE id = ?", (to_agent,)).fetchone() is None:
                    raise NotFound(f"no agent {to_agent}")
                if row["assignee"] != to_agent and read.active_chats(db, to_agent) >= max_chats:
                    raise Conflict(
                        f"that agent already has {max_chats} chats open", code="too_many_chats"
                    )
                db.execute(
                    "UPDATE tickets SET assignee = ?, status = 'in_progress',"
                    " claimed_at = COALESCE(claimed_at, ?), updated_at = ? WHERE number = ?",
                    (to_agent, now, now, number),
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(transfer)

    async def release_ticket(self, number: str, agent_id: str | None, now: float) -> Ticket:
        def release(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                row = read.unclosed_ticket(db, number)
                if agent_id is not None and row["assignee"] != agent_id:
                    raise Conflict(f"{number} is not yours", code="not_assigned")
                db.execute(
                    "UPDATE tickets SET assignee = NULL, status = 'open', updated_at = ?"
                    " WHERE number = ?",
                    (now, number),
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(release)

    async def close_ticket(self, number: str, resolution: str, now: float) -> Ticket:
        def close(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                read.unclosed_ticket(db, number)
                db.execute(
                    "UPDATE tickets SET status = 'closed', resolution = ?, closed_at = ?,"
                    " updated_at = ? WHERE number = ?",
                    (resolution, now, now, number),
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(close)

    async def rate_ticket(self, number: str, score: int, comment: str, now: float) -> Ticket:
        def rate(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                row = read.one_ticket(db, number)
                if row["status"] != "closed":
                    raise Conflict(f"{number} is not closed yet", code="not_closed")
                db.execute(
                    "UPDATE tickets SET rating = ?, rating_comment = ?, updated_at = ?"
                    " WHERE number = ?",
                    (score, comment or None, now, number),
                )
                return read.ticket(read.one_ticket(db, number))

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
