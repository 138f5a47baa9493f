"""How much an anonymous visitor may upload: files and bytes per hour, per visitor and
per address, and never below a floor of free disk.

The buckets live in the store's shared short-lived state (the same on every process of
one Redis). The per-address allowance is larger than the per-visitor one: an office
behind one address holds many visitors, a script holds many visitor tokens.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import ChatbotError, RateLimited
from chatbot.rate_limit import TokenBuckets

__all__ = ["QuotaSettings", "UploadQuota"]

_HOUR = 3600.0
_MB = 1024 * 1024


class StorageFull(ChatbotError):
    code = "storage_full"


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    files_per_hour: int = 20
    mb_per_hour: float = 50.0
    #: How many visitors' worth one address may upload.
    address_factor: int = 4
    #: Uploads stop while the attachments' disk has less free space than this.
    min_free_mb: float = 256.0


class UploadQuota:
    def __init__(
        self,
        buckets: TokenBuckets,
        folder: Path,
        settings: QuotaSettings,
        clock: Callable[[], float],
    ) -> None:
        self._buckets = buckets
        self._folder = folder
        self._settings = settings
        self._clock = clock

    async def admit(self, visitor: str, address: str, size: int) -> None:
        """Count one upload of ``size`` bytes, or raise ``rate_limited`` (with the wait)
        or ``storage_full``. Called before the file is written."""
        if self._free_bytes() - size < self._settings.min_free_mb * _MB:
            raise StorageFull("uploads are paused for lack of disk space; try again later")
        quota = self._settings
        limits = (
            (f"visitor:{visitor}", 1),
            (f"address:{address}", quota.address_factor),
        )
        now = self._clock()
        for key, factor in limits:
            files = quota.files_per_hour * factor
            wait = await self._buckets.take_token(f"upload-files:{key}", files, files / _HOUR, now)
            if not wait:
                data = quota.mb_per_hour * factor * _MB
                wait = await self._buckets.take_token(
                    f"upload-bytes:{key}", data, data / _HOUR, now, cost=float(size)
                )
            if wait:
                raise RateLimited("you have sent many files; wait a while", wait)

    def _free_bytes(self) -> float:
        folder = self._folder
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return float(shutil.disk_usage(folder).free)
