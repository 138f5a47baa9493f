"""One SQLite file in WAL mode, used from one worker thread; the transactions on it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from chatbot.errors import StoreUnavailable
from chatbot.store.ephemeral import MemoryEphemeral
from chatbot.store.sqlite.schema import migrate

__all__ = ["SQLiteBase", "to_json", "transaction"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def to_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SQLiteBase(MemoryEphemeral):
    """The connection every role of :class:`~chatbot.store.sqlite.SQLiteStore` runs on.

    sqlite3 blocks, so every call runs on a single dedicated thread: that also serialises
    writers, which is what SQLite wants. One file serves one process, so the shared
    short-lived state (rate limits, presence) lives in this process's memory.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._db: sqlite3.Connection | None = None

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            if self._db is None:
                raise StoreUnavailable("the store is closed")
            try:
                return fn(self._db)
            except sqlite3.OperationalError as exc:
                log.error("sqlite error: %s", exc)
                raise StoreUnavailable("the database is temporarily unavailable") from exc

        if self._db is None:  # closed: its thread is gone too
            raise StoreUnavailable("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def open(self) -> None:
        def connect() -> sqlite3.Connection:
            # Transcripts and password hashes: readable by this user only. SQLite gives
            # the -wal and -shm files the database file's mode.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(self.path, 0o600)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: an acknowledged message survives a power cut, not just a crash.
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=5000")
            migrate(db)
            return db

        loop = asyncio.get_running_loop()
        self._db = await loop.run_in_executor(self._executor, connect)

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, db.close)
        self._executor.shutdown(wait=True)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())


class transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
