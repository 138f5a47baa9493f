"""Visitor tokens: opaque to the client, signed by the server, bound to one visitor."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from chatbot.errors import InvalidToken

__all__ = ["VisitorTokens", "load_or_create_secret"]

log = logging.getLogger(__name__)

_VERSION = "v2"
#: Tokens of the first version carry no issue time: still accepted, and replaced by a
#: current one on the visitor's next connection.
_OLD_VERSION = "v1"
#: A visitor who has not been back for this long starts afresh.
LIFETIME_SECONDS = 90 * 24 * 3600.0
#: A token older than this is replaced when the visitor connects (renewed on use).
RENEW_AFTER_SECONDS = 24 * 3600.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class VisitorTokens:
    """``v2.<visitor id>.<issued at>.<HMAC-SHA256>``: neither the id nor the time can be
    changed without the key. A token expires :data:`LIFETIME_SECONDS` after it was issued
    and is renewed whenever the visitor connects with one older than a day."""

    def __init__(
        self,
        secret: bytes,
        clock: Callable[[], float] = time.time,
        lifetime: float = LIFETIME_SECONDS,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 bytes")
        self._key = hashlib.sha256(b"chatbot visitor token\x00" + secret).digest()
        self._clock = clock
        self._lifetime = lifetime

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def issue(self, visitor_id: str | None = None) -> tuple[str, str]:
        """A token for ``visitor_id`` (a new visitor when ``None``): ``(visitor_id, token)``."""
        visitor_id = visitor_id or _b64(secrets.token_bytes(16))
        body = f"{_VERSION}.{visitor_id}.{int(self._clock())}"
        return visitor_id, f"{body}.{self._sign(body)}"

    def verify(self, token: str) -> str:
        """The visitor id inside ``token``; :class:`InvalidToken` when forged, malformed or
        expired."""
        parts = token.split(".")
        if len(parts) == 3 and parts[0] == _OLD_VERSION and parts[1]:
            if not hmac.compare_digest(parts[2], self._sign(f"{parts[0]}.{parts[1]}")):
                raise InvalidToken("the visitor token is not valid here; connect without it")
            return parts[1]
        if len(parts) != 4 or parts[0] != _VERSION or not parts[1] or not parts[2].isdigit():
            raise InvalidToken("the visitor token is malformed; connect without it")
        if not hmac.compare_digest(parts[3], self._sign(".".join(parts[:3]))):
            raise InvalidToken("the visitor token is not valid here; connect without it")
        if int(parts[2]) + self._lifetime < self._clock():
            raise InvalidToken("the visitor token has expired; connect without it")
        return parts[1]

    def renewed(self, token: str) -> str | None:
        """A fresh token for the same visitor when ``token`` (already verified) is due for
        renewal, else ``None``."""
        parts = token.split(".")
        if parts[0] == _VERSION and int(parts[2]) + RENEW_AFTER_SECONDS > self._clock():
            return None
        return self.issue(parts[1])[1]


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
