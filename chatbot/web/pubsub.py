"""python-socketio's Redis manager, resubscribing within a second after a Redis outage.

The stock manager doubles its wait after each failed attempt (up to 60 s), so after a
longer outage a process could stay deaf to the others for a minute after Redis is back.
Messages published meanwhile are lost to it either way (pub/sub does not replay): clients
recover them from the store (``history``, and a ``resync`` after an outage).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import socketio

__all__ = ["RedisManager"]

RETRY_SECONDS = 0.5
#: Replaced clients (pubsub and client pairs) kept open, newest first.
KEEP_REPLACED = 8


async def _close_all(clients: list[Any]) -> None:
    for client in clients:
        if client is not None:
            # A dead client may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                await client.aclose()


class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # redis-py 8 caps a pool at 100 connections and raises when a burst of emits needs
        # more; python-socketio then replaces the whole client on every such error, and the
        # replaced clients keep their connections open: Redis ran out of clients under load.
        self.redis_options.setdefault("max_connections", 10_000)
        #: Clients replaced by a reconnect: closed with the manager.
        self._replaced: list[Any] = []
        self._closing: set[asyncio.Future[None]] = set()

    async def disconnect_room(self, room: str, namespace: str = "/") -> None:
        """Disconnect every socket in ``room`` on every process (an erased customer's open
        chats), and close the room."""
        message = {
            "method": "close_room",
            "room": room,
            "namespace": namespace,
            "host_id": self.host_id,
            "disconnect": True,
        }
        await self._handle_close_room(message)
        await self._publish(message)

    async def _handle_close_room(self, message: dict[str, Any]) -> None:
        if message.get("disconnect"):
            namespace = message.get("namespace") or "/"
            for sid, _ in list(self.get_participants(namespace, message.get("room"))):
                await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        await super()._handle_close_room(message)

    def _redis_connect(self) -> None:
        if self.redis is not None:
            self._replaced += [self.pubsub, self.redis]
            # Every failed publish during an outage replaces the client: close all but the
            # newest few (the listener may still be on one of those) instead of keeping
            # hundreds of dead clients until shutdown.
            stale, self._replaced = self._replaced[:-KEEP_REPLACED], self._replaced[-KEEP_REPLACED:]
            if stale:
                task = asyncio.ensure_future(_close_all(stale))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        super()._redis_connect()

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        while True:
            try:
                self._redis_connect()
                # Our own reference: a failed publish reconnects too and replaces
                # ``self.pubsub`` with one that has no subscription, whose ``listen()`` ends
                # at once; looping on that would spin and freeze the event loop.
                pubsub = self.pubsub
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    yield message
                raise ConnectionError("the subscription ended")
            except Exception as exc:
                self._get_logger().warning(
                    "Redis pub/sub lost (%s); resubscribing in %.1f s", exc, RETRY_SECONDS
                )
                await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        """Stop listening and close the Redis connections (python-socketio leaves both)."""
        thread = getattr(self, "thread", None)
        if isinstance(thread, asyncio.Task):
            thread.cancel()
            await asyncio.gather(thread, return_exceptions=True)
        await asyncio.gather(*self._closing, return_exceptions=True)
        await _close_all([*self._replaced, self.pubsub, self.redis])
        self._replaced.clear()
        self.connected = False
