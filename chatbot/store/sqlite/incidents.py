"""Known outages and the tickets linked to them, on SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from chatbot.errors import Conflict
from chatbot.store.records import (
    Incident,
    NewIncident,
    Ticket,
)
from chatbot.store.sqlite import rows as read
from chatbot.store.sqlite.connection import SQLiteBase, to_json, transaction

__all__ = ["SQLiteIncidents"]


class SQLiteIncidents(SQLiteBase):
    """The :class:`~chatbot.store.base.Incidents` role."""

    async def create_incident(self, incident: NewIncident) -> Incident:
        def create(db: sqlite3.Connection) -> Incident:
            with transaction(db):
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
                        to_json(incident.messages),
                        incident.started_at,
                        incident.created_by,
                        incident.created_at,
                    ),
                )
                return read.incident(read.one_incident(db, incident_id))

        return await self._run(create)

    async def get_incident(self, incident_id: str) -> Incident | None:
        def get(db: sqlite3.Connection) -> Incident | None:
            row = db.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            return None if row is None else read.incident(row)

        return await self._run(get)

    async def list_incidents(self, active_only: bool = False, limit: int = 100) -> list[Incident]:
        def select(db: sqlite3.Connection) -> list[Incident]:
            where = " WHERE resolved_at IS NULL" if active_only else ""
            rows = db.execute(
                f"SELECT * FROM incidents{where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (limit,),
            )
            return [read.incident(r) for r in rows]

        return await self._run(select)

    async def resolve_incident(
        self, incident_id: str, now: float, resolution: Mapping[str, str]
    ) -> Incident:
        def resolve(db: sqlite3.Connection) -> Incident:
            with transaction(db):
                if read.one_incident(db, incident_id)["resolved_at"] is not None:
                    raise Conflict(f"{incident_id} is already resolved", code="incident_resolved")
                db.execute(
                    "UPDATE incidents SET resolved_at = ?, resolution = ? WHERE id = ?",
                    (now, to_json(resolution), incident_id),
                )
                return read.incident(read.one_incident(db, incident_id))

        return await self._run(resolve)

    async def link_ticket(self, number: str, incident_id: str, now: float) -> Ticket:
        def link(db: sqlite3.Connection) -> Ticket:
            with transaction(db):
                read.one_ticket(db, number)
                read.one_incident(db, incident_id)
                db.execute(
                    "UPDATE tickets SET incident = ?, updated_at = ? WHERE number = ?",
                    (incident_id, now, number),
                )
                return read.ticket(read.one_ticket(db, number))

        return await self._run(link)

    async def tickets_for_incident(self, incident_id: str) -> list[Ticket]:
        def select(db: sqlite3.Connection) -> list[Ticket]:
            rows = db.execute(
                "SELECT * FROM tickets WHERE incident = ? ORDER BY created_at", (incident_id,)
            )
            return [read.ticket(r) for r in rows]

        return await self._run(select)
