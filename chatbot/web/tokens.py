"""Visitor tokens: opaque to the client, signed by the server, bound to one visitor."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from chatbot.errors import InvalidToken

__all__ = ["VisitorTokens", "load_or_create_secret"]

log = logging.getLogger(__name__)

_VERSION = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class VisitorTokens:
    """``v1.<visitor id>.<HMAC-SHA256>``: the id cannot be changed without the key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 bytes")
        self._key = hashlib.sha256(b"chatbot visitor token\x00" + secret).digest()

    def _sign(self, visitor_id: str) -> str:
        mac = hmac.new(self._key, f"{_VERSION}.{visitor_id}".encode(), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self) -> tuple[str, str]:
        """A new visitor: ``(visitor_id, token)``."""
        visitor_id = _b64(secrets.token_bytes(16))
        return visitor_id, f"{_VERSION}.{visitor_id}.{self._sign(visitor_id)}"

    def verify(self, token: str) -> str:
        """The visitor id inside ``token``; :class:`InvalidToken` when forged or malformed."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or not parts[1]:
            raise InvalidToken("the visitor token is malformed; connect without it")
        if not hmac.compare_digest(parts[2], self._sign(parts[1])):
            raise InvalidToken("the visitor token is not valid here; connect without it")
        return parts[1]


def load_or_create_secret(configured: str, data_dir: Path) -> bytes:
    """The configured secret, else one kept in ``<data dir>/secret.key`` (created 0600)."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if path.is_file():
        return path.read_bytes().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32).encode()
    # Written aside and linked into place: of processes starting together on one data dir,
    # exactly one secret wins and every process reads that one.
    spare = data_dir / f".secret.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(spare, path)
        log.info("created a new signing secret in %s", path)
    except FileExistsError:
        value = path.read_bytes().strip()
    finally:
        spare.unlink()
    return value
