"""Shared short-lived state kept in memory: right for a backend that serves one process.

Token buckets, counters and console presence are lost on restart, which is what they are
for: a restart forgets who flooded and closes every console socket anyway.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["MemoryEphemeral"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(slots=True)
class _Counter:
    count: int
    expires_at: float


@dataclass(slots=True)
class _Socket:
    agent_id: str
    expires_at: float


class MemoryEphemeral:
    """The ``take_token``, ``bump_counter`` and ``presence_*`` part of the ``Store`` protocol.

    Each method runs without awaiting, so on one event loop every call is atomic.
    """

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self._max_keys = max_keys
        # bump_counter gets no ``now``: its ttl is measured on this wall clock.
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._counters: OrderedDict[str, _Counter] = OrderedDict()
        self._leases: dict[str, tuple[str, float]] = {}
        self._sockets: dict[str, _Socket] = {}
        self._status: dict[str, str] = {}

    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float:
        """A token bucket, as :class:`chatbot.rate_limit.RateLimiter` keeps one."""
        state = self._buckets.pop(bucket, None)
        if state is None:
            state = _Bucket(tokens=burst, updated=now)
        state.tokens = min(burst, state.tokens + (now - state.updated) * rate)
        state.updated = now
        self._buckets[bucket] = state  # most recently used last
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if state.tokens >= 1.0:
            state.tokens -= cost
            return 0.0
        return (1.0 - state.tokens) / rate if rate > 0 else 60.0

    async def bump_counter(self, name: str, ttl: float) -> int:
        """Add one to a counter that is forgotten ``ttl`` seconds after its last bump."""
        now = self._clock()
        counter = self._counters.pop(name, None)
        if counter is None or counter.expires_at <= now:
            counter = _Counter(count=0, expires_at=now)
        counter.count += 1
        counter.expires_at = now + ttl
        self._counters[name] = counter  # most recently bumped last
        while self._counters:
            oldest = next(iter(self._counters.values()))
            if len(self._counters) <= self._max_keys and oldest.expires_at > now:
                break
            self._counters.popitem(last=False)
        return counter.count

    async def bump_counters(self, names: Sequence[str], ttl: float) -> None:
        """:meth:`bump_counter` for each of ``names``."""
        for name in names:
            await self.bump_counter(name, ttl)

    async def take_lease(self, name: str, holder: str, ttl: float) -> bool:
        """One holder at a time, until it drops the lease or ``ttl`` passes."""
        now = self._clock()
        held = self._leases.get(name)
        if held is not None and held[0] != holder and held[1] > now:
            return False
        self._leases[name] = (holder, now + ttl)
        if len(self._leases) > self._max_keys:  # only dead holders' leases pile up
            for key, (_, until) in list(self._leases.items()):
                if until <= now:
                    del self._leases[key]
        return True

    async def drop_lease(self, name: str, holder: str) -> None:
        held = self._leases.get(name)
        if held is not None and held[0] == holder:
            del self._leases[name]

    async def read_counter(self, name: str) -> int:
        """A counter's value; 0 when it was never bumped or has been forgotten."""
        counter = self._counters.get(name)
        if counter is None or counter.expires_at <= self._clock():
            return 0
        return counter.count

    async def presence_join(self, agent_id: str, sid: str, now: float, ttl: float) -> None:
        """A console socket is open; it counts until ``now + ttl`` unless refreshed."""
        self._sockets.pop(sid, None)
        if not self._live_sids(agent_id, now):
            self._status[agent_id] = "online"
        self._sockets[sid] = _Socket(agent_id=agent_id, expires_at=now + ttl)

    async def presence_leave(self, sid: str) -> str | None:
        """The socket closed: the agent id it belonged to, if known."""
        socket = self._sockets.pop(sid, None)
        if socket is None:
            return None
        if not any(s.agent_id == socket.agent_id for s in self._sockets.values()):
            self._status.pop(socket.agent_id, None)
        return socket.agent_id

    async def presence_set_status(self, agent_id: str, status: str) -> None:
        """``online`` or ``away``, for an agent with a socket open; otherwise ignored."""
        if any(s.agent_id == agent_id for s in self._sockets.values()):
            self._status[agent_id] = status

    async def presence_sockets(self, agent_id: str, now: float) -> list[str]:
        """The agent's live console sockets."""
        return self._live_sids(agent_id, now)

    async def presence(self, now: float) -> dict[str, tuple[str, int]]:
        """Agents with at least one live socket: agent id to (status, number of sockets)."""
        for sid in [sid for sid, s in self._sockets.items() if now >= s.expires_at]:
            del self._sockets[sid]
        counts: dict[str, int] = {}
        for socket in self._sockets.values():
            counts[socket.agent_id] = counts.get(socket.agent_id, 0) + 1
        for agent_id in [a for a in self._status if a not in counts]:
            del self._status[agent_id]
        return {
            agent_id: (self._status.get(agent_id, "online"), count)
            for agent_id, count in counts.items()
        }

    def _live_sids(self, agent_id: str, now: float) -> list[str]:
        return [
            sid for sid, s in self._sockets.items() if s.agent_id == agent_id and now < s.expires_at
        ]
