"""Counts what a store is asked to do: calls by method, their time, and SQLite's commits.

For tests and benchmarks of what a turn costs the store (``benchmarks/store_cost.py``).
It wraps the coroutine methods of one opened store instance in place, so the server that
holds the instance is measured as it runs.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["WRITES", "StoreMeter"]

#: Store methods that change something: on Redis each is one atomic script or pipeline.
WRITES = frozenset(
    {
        "append_messages",
        "enqueue",
        "create_ticket",
        "update_ticket",
        "touch_ticket",
        "link_ticket",
        "finish_work",
        "retry_work",
        "due_work",
        "bump_counter",
        "bump_counters",
        "take_lease",
        "drop_lease",
        "take_token",
        "presence_join",
        "conversation_for_visitor",
    }
)


class StoreMeter:
    """Counts and times every public coroutine method of one opened store instance and,
    on SQLite, every commit (a ``BEGIN`` ... ``COMMIT``, or a write outside one)."""

    def __init__(self, store: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds = 0.0
        self.sqlite_commits = 0
        self._in_transaction = False
        for name in dir(store):
            if name.startswith("_"):
                continue
            method = getattr(store, name)
            if asyncio.iscoroutinefunction(method):
                setattr(store, name, self._wrap(name, method))
        db = getattr(store, "_db", None)
        if isinstance(db, sqlite3.Connection):
            db.set_trace_callback(self._trace)

    def _wrap(self, name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls[name] += 1

        return timed

    def _trace(self, statement: str) -> None:
        words = statement.split(None, 1)
        verb = words[0].upper() if words else ""
        if verb == "BEGIN":
            self._in_transaction = True
        elif verb in ("COMMIT", "END"):
            self._in_transaction = False
            self.sqlite_commits += 1
        elif verb == "ROLLBACK":
            self._in_transaction = False
        elif verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and not self._in_transaction:
            self.sqlite_commits += 1

    def reset(self) -> None:
        self.calls.clear()
        self.seconds = 0.0
        self.sqlite_commits = 0

    def total(self) -> int:
        return sum(self.calls.values())

    def writes(self) -> int:
        return sum(n for name, n in self.calls.items() if name in WRITES)
