"""The one place that picks a backend: Redis when a URL is configured, else SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from chatbot.store.base import Store

__all__ = ["StoreSettings", "store_for"]


class StoreSettings(Protocol):
    """What the choice needs from :class:`chatbot.settings.Settings`."""

    @property
    def redis_url(self) -> str: ...

    @property
    def redis_prefix(self) -> str: ...

    @property
    def database_path(self) -> Path: ...


def store_for(settings: StoreSettings) -> Store:
    """The configured store, not yet opened."""
    if settings.redis_url:
        from chatbot.store.redis import RedisStore

        return RedisStore(settings.redis_url, prefix=settings.redis_prefix)
    from chatbot.store.sqlite import SQLiteStore

    return SQLiteStore(settings.database_path)
