"""The active incidents as the engine reads them, cached for a few seconds per process."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from chatbot.store import Incidents
from chatbot.tickets.incidents import IncidentNotice

__all__ = ["INCIDENT_CACHE_SECONDS", "ActiveIncidents"]

#: Other processes' new incidents reach this one's bot within this many seconds.
INCIDENT_CACHE_SECONDS = 5.0


class ActiveIncidents:
    def __init__(self, store: Incidents) -> None:
        self._store = store
        self._cache: tuple[IncidentNotice, ...] = ()
        self._read_at = -INCIDENT_CACHE_SECONDS

    async def current(self) -> tuple[IncidentNotice, ...]:
        """The active incidents, read at most every few seconds (every turn needs them)."""
        now = time.monotonic()
        if now - self._read_at > INCIDENT_CACHE_SECONDS:
            self._cache = tuple(
                IncidentNotice(
                    id=i.id,
                    service=i.service,
                    targets=i.targets,
                    messages=i.messages,
                    started_at=datetime.fromtimestamp(i.started_at, UTC),
                )
                for i in await self._store.list_incidents(active_only=True)
            )
            self._read_at = now
        return self._cache

    def forget(self) -> None:
        """An incident was posted or resolved here: read them again on the next turn."""
        self._read_at = -INCIDENT_CACHE_SECONDS
