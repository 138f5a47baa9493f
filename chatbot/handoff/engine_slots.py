"""Engine slots: how many turns of one process run or wait for the engine's threads.

More wait in line (first come, first served), each told once by the caller that the bot
answers in a moment. Only the engine's work holds a slot: waiting for a conversation's
lease, storing and sending (a slow store, a reconnecting pub/sub) never block others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from chatbot.metrics import Metrics

__all__ = ["TURN_CAPACITY", "EngineSlots"]

#: Engine slots: turns a process runs or has waiting for the engine's threads at once.
#: More wait in line (first come, first served) after a short "many customers are
#: writing" from the bot: at 20-40 ms of engine time per turn on two threads, the last
#: admitted waits well under a second, and a flood never makes every customer wait
#: seconds. Waiting for a conversation's lease holds no slot.
TURN_CAPACITY = 32


class EngineSlots:
    def __init__(self, capacity: int = TURN_CAPACITY, metrics: Metrics | None = None) -> None:
        self._slots = asyncio.Semaphore(max(1, capacity))
        self._metrics = metrics
        self._admitted = 0
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Turns waiting for a slot."""
        return self._waiting

    def _gauge(self) -> None:
        if self._metrics is not None:
            self._metrics.turns_admitted.set(self._admitted)
            self._metrics.turns_waiting.set(self._waiting)

    @contextlib.asynccontextmanager
    async def slot(self, on_wait: Callable[[], None]) -> AsyncIterator[None]:
        """A slot at once, or after the others in line; ``on_wait`` runs (and must not
        block) when this turn has to wait."""
        if self._slots.locked():
            self._waiting += 1
            self._gauge()
            if self._metrics is not None:
                self._metrics.turns_deferred.inc()
            on_wait()
            try:
                await self._slots.acquire()
            finally:
                self._waiting -= 1
        else:
            await self._slots.acquire()
        self._admitted += 1
        self._gauge()
        try:
            yield
        finally:
            self._admitted -= 1
            self._slots.release()
            self._gauge()
