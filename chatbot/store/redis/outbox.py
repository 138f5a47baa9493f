"""The durable work queue on Redis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chatbot.store.records import (
    NewWork,
    OutboxItem,
)
from chatbot.store.redis.connection import RedisBase, num, pairs, to_json

__all__ = ["RedisOutbox", "work_args"]

#: A finished outbox item is kept this long (seconds), for looking into what was sent.
FINISHED_WORK_TTL = 7 * 24 * 3600


class RedisOutbox(RedisBase):
    """The :class:`~chatbot.store.base.Outbox` role."""

    async def enqueue(
        self, kind: str, payload: Mapping[str, Any], due_at: float, key: str | None = None
    ) -> bool:
        work = NewWork(kind=kind, payload=payload, due_at=due_at, key=key)
        added = await self._run("enqueue", *work_args(work)[1:])
        return bool(added)

    async def due_work(self, now: float, limit: int, lease: float = 60.0) -> list[OutboxItem]:
        if limit <= 0:
            return []
        flats = await self._run("due_work", num(now), limit, num(now + lease))
        items = []
        for flat in flats:
            found = pairs(flat)
            items.append(
                OutboxItem(
                    id=int(found["id"]),
                    kind=found["kind"],
                    payload=json.loads(found["payload"]),
                    due_at=float(found["due_at"]),
                    attempts=int(found["attempts"]),
                )
            )
        return items

    async def finish_work(self, item_id: int, now: float, error: str | None = None) -> None:
        await self._run(
            "finish_work",
            int(item_id),
            num(now),
            "0" if error is None else "1",
            error or "",
            FINISHED_WORK_TTL,
        )

    async def retry_work(self, item_id: int, due_at: float, error: str) -> None:
        await self._run("retry_work", int(item_id), num(due_at), error[:500])


def work_args(work: NewWork) -> tuple[str, str, str, str, str]:
    """``has work, key, kind, payload, due at`` as the scripts read them."""
    return ("1", work.key or "", work.kind, to_json(work.payload), num(work.due_at))
