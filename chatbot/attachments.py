"""Attachments (screenshots, logs): type checked by content, size limited, stored as files.

The type comes from the bytes, never from the name or the client's word: PNG, JPEG and
PDF by their signatures, plain text when the bytes are UTF-8 without control characters.
Each file is stored under an unguessable id; only the conversation it was sent in learns
the id.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import InvalidPayload

__all__ = ["ALLOWED_TYPES", "AttachmentStore", "StoredFile", "sniff"]

ALLOWED_TYPES = ("image/png", "image/jpeg", "application/pdf", "text/plain")
_ID = re.compile(r"^f_[A-Za-z0-9_-]{22}$")
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` if it is one we accept, else ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _TEXT_CONTROL.search(data) else "text/plain"


_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


def clean_name(name: str, content_type: str) -> str:
    """A display name without paths or odd characters, with an extension that fits."""
    base = re.sub(r"[^\w.\- ()]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    base = base[:100] or "file"
    extension = _EXTENSIONS[content_type]
    if not base.lower().endswith((extension, ".jpeg", ".log")):
        base += extension
    return base


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: str
    name: str
    type: str
    size: int

    def as_data(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "type": self.type, "size": self.size}


class AttachmentStore:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def save(self, data: object, name: object) -> StoredFile:
        """Check and store one file (blocking: call it in a thread)."""
        if not isinstance(data, bytes | bytearray):
            raise InvalidPayload("'data' must be the file's bytes")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise InvalidPayload("'name' must be the file name")
        if not data:
            raise InvalidPayload("the file is empty", code="empty_file")
        if len(data) > self.max_bytes:
            mb = self.max_bytes / 1024 / 1024
            raise InvalidPayload(f"the file is larger than {mb:g} MB", code="too_large")
        content_type = sniff(bytes(data))
        if content_type is None:
            raise InvalidPayload(
                "only PNG or JPEG images, PDF and plain text files can be sent",
                code="unsupported_type",
            )
        file_id = "f_" + secrets.token_urlsafe(16)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written whole and then renamed: a crash never leaves half a file under its id.
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.folder / (file_id + _EXTENSIONS[content_type]))
        return StoredFile(file_id, clean_name(name, content_type), content_type, len(data))

    def discard(self, file_id: str) -> None:
        found = self.find(file_id)
        if found is not None:
            found[0].unlink(missing_ok=True)

    def find(self, file_id: str) -> tuple[Path, str] | None:
        """The stored file and its (checked) content type."""
        if not _ID.match(file_id):
            return None
        for content_type, extension in _EXTENSIONS.items():
            path = self.folder / (file_id + extension)
            if path.is_file():
                return path, content_type
        return None
