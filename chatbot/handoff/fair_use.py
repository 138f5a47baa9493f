"""Fair use: a visitor who floods the chat goes to the back of the queue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from chatbot.handoff.live_chat import LiveChat
from chatbot.store import SharedState, Tickets

__all__ = ["FLOODS_BEFORE_LOW_PRIORITY", "FLOOD_MEMORY", "FairUse", "FairUseStore"]

log = logging.getLogger(__name__)

#: Refused floods (rate-limited messages) after which a visitor's tickets are ``low``.
FLOODS_BEFORE_LOW_PRIORITY = 3
#: Seconds a visitor's floods are remembered after the last one.
FLOOD_MEMORY = 24 * 3600.0


class FairUseStore(SharedState, Tickets, Protocol):
    """What fair use needs of the store: the shared flood counters and the tickets."""


class FairUse:
    """Counts a visitor's refused floods, shared by every server process."""

    def __init__(self, store: FairUseStore, live: LiveChat, clock: Callable[[], float]) -> None:
        self._store = store
        self._live = live
        self._clock = clock

    async def flooded(self, visitor_id: str) -> None:
        """Count a refused flood; from the third in a day on, the visitor's tickets are
        ``low``."""
        floods = await self._store.bump_counter(f"floods:{visitor_id}", FLOOD_MEMORY)
        if floods == FLOODS_BEFORE_LOW_PRIORITY:
            log.info("visitor %s flooded the chat; their tickets go to low priority", visitor_id)
            for ticket in await self._store.tickets_for_visitor(visitor_id):
                if ticket.status != "closed" and ticket.priority != "low":
                    changed = await self._store.update_ticket(
                        ticket.number, self._clock(), priority="low"
                    )
                    await self._live.changed(changed, "updated")

    async def priority_for(self, visitor_id: str, priority: str) -> str:
        """The priority a new ticket of this visitor gets."""
        floods = await self._store.read_counter(f"floods:{visitor_id}")
        return "low" if floods >= FLOODS_BEFORE_LOW_PRIORITY else priority
