"""The connection pool every role of :class:`~chatbot.store.redis.RedisStore` runs on, the
scripts registered on it, and the mapping of Redis errors to the store's."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

from chatbot.errors import Conflict, NotFound, StoreUnavailable
from chatbot.store.records import Ticket
from chatbot.store.redis import rows as read
from chatbot.store.redis.scripts import SCRIPTS

__all__ = ["RedisBase", "num", "pairs", "to_json"]

log = logging.getLogger(__name__)

_DOMAIN_ERROR = re.compile(r"CHATBOT\|(\w+)\|(\w+)\|(.*)", re.DOTALL)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def num(value: float) -> str:
    """A float as Redis and Lua read it back exactly."""
    return repr(float(value))


def pairs(flat: Sequence[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


class RedisBase:
    """The pool, the scripts and the error mapping every role of the Redis store shares."""

    def __init__(
        self,
        url: str,
        prefix: str = "chatbot:",
        *,
        timeout: float = 2.0,
        max_connections: int = 100,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._timeout = timeout
        self._max_connections = max_connections
        self._redis: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}

    async def open(self) -> None:
        pool = BlockingConnectionPool.from_url(
            self.url,
            max_connections=self._max_connections,
            timeout=self._timeout,
            decode_responses=True,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            socket_keepalive=True,
            health_check_interval=15,
            # One immediate retry on a fresh connection: a pooled connection from before a
            # Redis restart fails once, the retry reconnects. Timeouts are not retried, so a
            # hung Redis costs one timeout, not several.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            retry_on_error=[RedisConnectionError],
        )
        client = Redis.from_pool(pool)
        self._scripts = {name: client.register_script(src) for name, src in SCRIPTS.items()}
        self._redis = client
        await self.ping()

    async def close(self) -> None:
        client, self._redis = self._redis, None
        if client is not None:
            await client.aclose()

    async def ping(self) -> None:
        with self._errors():
            await self._client.ping()

    @property
    def _client(self) -> Redis:
        if self._redis is None:
            raise StoreUnavailable("the store is closed")
        return self._redis

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ResponseError as exc:
            found = _DOMAIN_ERROR.search(str(exc))
            if found is None:
                log.error("redis error: %s", exc)
                raise StoreUnavailable("the store is temporarily unavailable") from exc
            kind, code, message = found.groups()
            if kind == "not_found":
                raise NotFound(message.strip()) from None
            raise Conflict(message.strip(), code=code) from None
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable: %s", exc)
            raise StoreUnavailable("the store is temporarily unavailable") from exc

    async def _run(self, script: str, *args: str | int, keys: Sequence[str] = ()) -> Any:
        with self._errors():
            return await self._scripts[script](keys=list(keys), args=[self.prefix, *args])

    async def _hash(self, key: str) -> dict[str, str]:
        return cast(dict[str, str], await self._client.hgetall(key))

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def _tickets(
        self, index: str, how: str = "asc", start: str = "0", stop: str = "-1", limit: int = -1
    ) -> list[Ticket]:
        flats = await self._run("records", how, start, stop, limit, "t:", keys=[index])
        return [read.ticket(pairs(flat)) for flat in flats]
