"""Shared short-lived state on Redis: rate limits, counters, turn leases, presence."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

from chatbot.store.redis.connection import RedisBase, num

__all__ = ["RedisSharedState"]


class RedisSharedState(RedisBase):
    """The :class:`~chatbot.store.base.SharedState` role."""

    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float:
        wait = await self._run("take_token", bucket, num(burst), num(rate), num(now), num(cost))
        return float(wait)

    async def bump_counter(self, name: str, ttl: float) -> int:
        key = self._key("counter", "n", name)
        with self._errors():
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.pexpire(key, max(1, math.ceil(ttl * 1000)))
            count, _ = await pipe.execute()
        return int(count)

    async def bump_counters(self, names: Sequence[str], ttl: float) -> None:
        if not names:
            return
        ms = max(1, math.ceil(ttl * 1000))
        with self._errors():
            pipe = self._client.pipeline(transaction=False)
            for name in names:
                key = self._key("counter", "n", name)
                pipe.incr(key)
                pipe.pexpire(key, ms)
            await pipe.execute()

    async def read_counter(self, name: str) -> int:
        with self._errors():
            value = await self._client.get(self._key("counter", "n", name))
        return int(value or 0)

    async def take_lease(self, name: str, holder: str, ttl: float) -> bool:
        """``SET NX`` with an expiry, or a renewal by the same holder."""
        ms = max(1, math.ceil(ttl * 1000))
        return bool(await self._run("take_lease", holder, ms, keys=[self._key("lease", name)]))

    async def drop_lease(self, name: str, holder: str) -> None:
        await self._run("drop_lease", holder, keys=[self._key("lease", name)])

    async def presence_join(self, agent_id: str, sid: str, now: float, ttl: float) -> None:
        await self._run("presence_join", agent_id, sid, num(now), num(now + ttl))

    async def presence_leave(self, sid: str) -> str | None:
        return cast(str | None, await self._run("presence_leave", sid))

    async def presence_set_status(self, agent_id: str, status: str) -> None:
        await self._run("presence_set_status", agent_id, status)

    async def presence_sockets(self, agent_id: str, now: float) -> list[str]:
        with self._errors():
            sids = await self._client.zrangebyscore(
                self._key("presence", "a", agent_id), f"({num(now)}", "+inf"
            )
        return cast(list[str], sids)

    async def presence(self, now: float) -> dict[str, tuple[str, int]]:
        rows = await self._run("presence", num(now))
        return {agent: (status, int(count)) for agent, status, count in rows}
