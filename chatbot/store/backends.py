"""The one place that picks a backend: Redis when a URL is configured, else SQLite.

Everything else asks here: :func:`describe` says which store the settings name (what
``/healthz``, backups and the command line report), :func:`store_for` makes it and
:func:`opened_store` opens it for one command.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from chatbot.store.base import Store

__all__ = ["StoreDescription", "StoreSettings", "describe", "opened_store", "store_for"]


class StoreSettings(Protocol):
    """What the choice needs from :class:`chatbot.settings.Settings`."""

    @property
    def redis_url(self) -> str: ...

    @property
    def redis_prefix(self) -> str: ...

    @property
    def database_path(self) -> Path: ...


@dataclass(frozen=True, slots=True)
class StoreDescription:
    """The configured store, as the operator is told about it."""

    backend: Literal["sqlite", "redis"]
    #: Every server process on it sees the same conversations and short-lived state
    #: (who is online, rate limits, turn leases).
    shared: bool
    #: The SQLite database file; ``None`` on Redis (backed up with Redis's own tools).
    database: Path | None

    def missing(self) -> str | None:
        """Why a command that reads the store finds nothing: the database file is not
        there (a wrong ``--data-dir``). ``None`` when there is something to open."""
        if self.database is not None and not self.database.is_file():
            return f"no database at {self.database} (see --data-dir)"
        return None


def describe(settings: StoreSettings) -> StoreDescription:
    """Which store the settings name."""
    if settings.redis_url:
        return StoreDescription(backend="redis", shared=True, database=None)
    return StoreDescription(backend="sqlite", shared=False, database=settings.database_path)


def store_for(settings: StoreSettings) -> Store:
    """The configured store, not yet opened."""
    if describe(settings).backend == "redis":
        from chatbot.store.redis import RedisStore

        return RedisStore(settings.redis_url, prefix=settings.redis_prefix)
    from chatbot.store.sqlite import SQLiteStore

    return SQLiteStore(settings.database_path)


@contextlib.asynccontextmanager
async def opened_store(settings: StoreSettings) -> AsyncIterator[Store]:
    """The configured store, open for the ``async with`` block (a command's work)."""
    store = store_for(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
