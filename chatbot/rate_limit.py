"""Fair use: token buckets per visitor (messages), per address (connections) and per login.

The buckets live in the store's shared short-lived state, so every server process on one
Redis sees the same counts (with SQLite, in the one process's memory). A bucket holds
``burst`` tokens and refills ``rate`` tokens per second; an empty bucket says how long to
wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["RateLimiter", "TokenBuckets"]


class TokenBuckets(Protocol):
    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float: ...


class RateLimiter:
    """One kind of limit (``name``), keyed by visitor, address or account."""

    def __init__(
        self,
        buckets: TokenBuckets,
        name: str,
        burst: float,
        rate: float,
        clock: Callable[[], float],
    ) -> None:
        self.name = name
        self.burst = burst
        self.rate = rate
        self._buckets = buckets
        self._clock = clock

    async def take(self, key: str) -> float:
        """0.0 when allowed (a token is used), else the seconds to wait for one."""
        return await self._buckets.take_token(
            f"{self.name}:{key}", self.burst, self.rate, self._clock()
        )

    async def peek(self, key: str) -> float:
        """Like :meth:`take`, without using a token: for counting only failures."""
        return await self._buckets.take_token(
            f"{self.name}:{key}", self.burst, self.rate, self._clock(), cost=0.0
        )
