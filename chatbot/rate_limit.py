"""Fair use: token buckets per visitor (messages) and per address (connections).

In memory, per process; the Redis issue shares them across processes. A bucket holds
``burst`` tokens and refills ``rate`` tokens per second; an empty bucket says how long to
wait.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, burst: float, rate: float, clock: Callable[[], float], max_keys: int = 100_000
    ) -> None:
        self.burst = burst
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """0.0 when allowed (a token is used), else the seconds to wait for one."""
        return self._take(key, 1.0)

    def peek(self, key: str) -> float:
        """Like :meth:`take`, without using a token: for counting only failures."""
        return self._take(key, 0.0)

    def _take(self, key: str, cost: float) -> float:
        now = self._clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= cost
            return 0.0
        return (1.0 - bucket.tokens) / self.rate if self.rate > 0 else 60.0
