"""Known outages and the tickets linked to them, on Redis."""

from __future__ import annotations

from collections.abc import Mapping

from chatbot.store.records import (
    Incident,
    NewIncident,
    Ticket,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, num, pairs, to_json

__all__ = ["RedisIncidents"]


class RedisIncidents(RedisBase):
    """The :class:`~chatbot.store.base.Incidents` role."""

    async def create_incident(self, incident: NewIncident) -> Incident:
        fields = [
            "service",
            incident.service,
            "targets",
            to_json(list(incident.targets)),
            "messages",
            to_json(incident.messages),
            "started_at",
            num(incident.started_at),
            "created_by",
            incident.created_by,
            "created_at",
            num(incident.created_at),
            "resolution",
            "{}",
        ]
        flat = await self._run("create_incident", num(incident.created_at), *fields)
        return read.incident(pairs(flat))

    async def get_incident(self, incident_id: str) -> Incident | None:
        with self._errors():
            found = await self._hash(self._key("i", incident_id))
        return read.incident(found) if found else None

    async def list_incidents(self, active_only: bool = False, limit: int = 100) -> list[Incident]:
        if limit <= 0:
            return []
        index = self._key("incidents", "active") if active_only else self._key("incidents")
        flats = await self._run("records", "desc", "0", str(limit - 1), limit, "i:", keys=[index])
        incidents = [read.incident(pairs(flat)) for flat in flats]
        # Newest first; of two created at once, the later one (as SQLite's rowid).
        return sorted(incidents, key=lambda i: (i.created_at, _serial(i.id)), reverse=True)

    async def resolve_incident(
        self, incident_id: str, now: float, resolution: Mapping[str, str]
    ) -> Incident:
        flat = await self._run("resolve_incident", incident_id, num(now), to_json(resolution))
        return read.incident(pairs(flat))

    async def link_ticket(self, number: str, incident_id: str, now: float) -> Ticket:
        return read.ticket(pairs(await self._run("link_ticket", number, incident_id, num(now))))

    async def tickets_for_incident(self, incident_id: str) -> list[Ticket]:
        return await self._tickets(self._key("i", incident_id, "tickets"))


def _serial(incident_id: str) -> int:
    digits = incident_id.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0
