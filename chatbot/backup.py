"""``chatbot backup`` and ``chatbot restore``: the data directory, copied while it is used.

A backup is a folder: ``chatbot.sqlite3`` (a consistent copy of the live database),
``attachments/`` (the uploaded files), ``secret.key`` when the server keeps its signing
key there (without it, visitors' tokens would stop working after a restore) and
``backup.json`` (what it holds). Everything in it is readable by its owner only.

The database is copied first and the attachments after it: a file is written before
the message that points at it is stored, so every file the copied database names is
on disk by the time the files are copied (unless erasure or retention deleted it in
between). Files uploaded meanwhile are copied too and are simply unused.

With Redis the store lives in Redis, whose own persistence backs it up
(docs/deployment.md); a backup then holds the files only.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chatbot.settings import Settings
from chatbot.store.backends import describe
from chatbot.store.sqlite.backup import DatabaseInfo, check_database, copy_database

__all__ = ["BackupError", "BackupReport", "back_up", "restore"]

DATABASE = "chatbot.sqlite3"
ATTACHMENTS = "attachments"
SECRET = "secret.key"
MANIFEST = "backup.json"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    folder: Path
    database: DatabaseInfo | None
    attachments: int
    attachment_bytes: int
    seconds: float


def back_up(settings: Settings, dest: Path) -> BackupReport:
    """Copy the data directory of a running (or stopped) server into the new folder
    ``dest``."""
    started = time.monotonic()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty folder")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(dest, 0o700)
    database = None
    store = describe(settings)
    if store.database is not None:
        missing = store.missing()
        if missing:
            raise BackupError(missing)
        database = copy_database(store.database, dest / DATABASE)
    files, size = _copy_files(settings.data_dir / ATTACHMENTS, dest / ATTACHMENTS)
    if (settings.data_dir / SECRET).is_file():
        _copy_private(settings.data_dir / SECRET, dest / SECRET)
    report = BackupReport(dest, database, files, size, time.monotonic() - started)
    manifest: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "store": "sqlite" if database is not None else "redis (not in this backup)",
        "database": asdict(database) if database is not None else None,
        "attachments": files,
        "attachment_bytes": size,
    }
    fd = os.open(dest / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2)
        out.write("\n")
    return report


def restore(source: Path, data_dir: Path, *, force: bool = False) -> Path | None:
    """Put the backup in ``source`` into ``data_dir``, for a server that is not running.

    A data directory that already has a database is refused unless ``force``; then what
    was there is moved aside, never deleted, and its folder is returned. A stale
    ``-wal`` beside a restored database would be replayed into it: it is moved aside too.
    """
    backup_db = source / DATABASE
    if not (source / MANIFEST).is_file():
        raise BackupError(f"{source} is not a backup made by chatbot backup")
    if backup_db.is_file() and check_database(backup_db).schema_version == 0:
        raise BackupError(f"{backup_db} holds no chatbot tables")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    aside = None
    occupied = [
        data_dir / name
        for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", ATTACHMENTS, SECRET)
        if (data_dir / name).exists()
    ]
    if occupied:
        if not force:
            names = ", ".join(path.name for path in occupied)
            raise BackupError(f"{data_dir} already holds {names}: stop the server, add --force")
        aside = data_dir / time.strftime("before-restore-%Y%m%dT%H%M%S")
        aside.mkdir(mode=0o700)
        for path in occupied:
            path.rename(aside / path.name)
    if backup_db.is_file():
        _copy_private(backup_db, data_dir / DATABASE)
    _copy_files(source / ATTACHMENTS, data_dir / ATTACHMENTS)
    if (source / SECRET).is_file():
        _copy_private(source / SECRET, data_dir / SECRET)
    return aside


def _copy_files(source: Path, dest: Path) -> tuple[int, int]:
    """Copy the attachment files (not uploads still being written): (count, bytes)."""
    dest.mkdir(mode=0o700, exist_ok=True)
    count = size = 0
    if not source.is_dir():
        return count, size
    for path in sorted(source.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            _copy_private(path, dest / path.name)
        except FileNotFoundError:  # erased or expired while the backup ran
            continue
        count += 1
        size += (dest / path.name).stat().st_size
    return count, size


def _copy_private(source: Path, dest: Path) -> None:
    """Copy one file, 0600, written beside its name and renamed once on disk."""
    partial = dest.with_name(f".{dest.name}.partial")
    with open(source, "rb") as src:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
    os.replace(partial, dest)
