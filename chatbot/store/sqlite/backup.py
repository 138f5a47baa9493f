"""A consistent copy of a live SQLite database, and the checks a restore needs.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database pages
inside one read transaction. In WAL mode a reader never blocks the server's writers
and sees one committed state, so the copy holds exactly the transactions committed
before it started: every message acknowledged by then, none half-written. All pages
are copied in one step: a copy made in several steps starts over whenever another
connection writes, which under steady traffic may be for ever.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DatabaseInfo", "UnusableDatabase", "check_database", "copy_database"]


class UnusableDatabase(Exception):
    """The file is missing, not a database, or fails ``PRAGMA integrity_check``."""


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    schema_version: int
    conversations: int
    messages: int
    tickets: int
    size: int


def copy_database(source: Path, target: Path) -> DatabaseInfo:
    """Copy the database at ``source`` (the server may be writing to it) to ``target``.

    ``target`` is written beside itself first and renamed when complete and checked, so
    it is never a partial copy. It is a single file (rollback journal, no ``-wal``), mode
    0600 like the database.
    """
    if not source.is_file():
        raise UnusableDatabase(f"no database at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY, 0o600))
    # Not read-only: a reader of a WAL database needs to write the -shm index.
    with contextlib.closing(sqlite3.connect(source, timeout=30)) as src:
        _refuse_non_database(src, source)
        with contextlib.closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=-1)
            # The copy carries the source's WAL flag; a backup is one self-contained file.
            dst.execute("PRAGMA journal_mode=DELETE")
    info = check_database(partial)
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return info


def check_database(path: Path) -> DatabaseInfo:
    """What the database holds, after ``PRAGMA integrity_check`` found nothing wrong."""
    if not path.is_file():
        raise UnusableDatabase(f"no database at {path}")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        _refuse_non_database(db, path)
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise UnusableDatabase(f"{path} is damaged: {'; '.join(problems[:5])}")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}

        def count(table: str) -> int:
            if table not in tables:
                return 0
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        return DatabaseInfo(
            schema_version=int(db.execute("PRAGMA user_version").fetchone()[0]),
            conversations=count("conversations"),
            messages=count("messages"),
            tickets=count("tickets"),
            size=path.stat().st_size,
        )


def _refuse_non_database(db: sqlite3.Connection, path: Path) -> None:
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(f"{path} is not a database: {exc}") from exc


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
