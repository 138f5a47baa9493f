"""The Socket.IO server, bounded per visitor before any payload is parsed.

python-socketio trusts its peer more than a public website can: a packet may declare any
number of binary attachments, websocket frames are inflated with permessage-deflate (a
5 KB frame becomes megabytes), a bare engine.io socket that never joins a namespace is
never counted, and a client that stops reading makes the server queue every reply. Here:

* websocket compression is off (a frame costs what was sent);
* a packet carries at most one attachment, and a text packet at most
  :data:`MAX_TEXT_PACKET` bytes; a packet that does not parse (deep nesting, a 5,000-digit
  number) gets an ``invalid_payload`` ack when it has an id, and one log line;
* engine.io sockets are counted per address, before the handshake completes, and a
  socket that has not joined a namespace within :data:`JOIN_SECONDS` is closed;
* a socket whose send queue passes :data:`MAX_BACKLOG` packets is disconnected (it
  resyncs with ``history`` when it reconnects) instead of buffering without bound.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from typing import Any

import socketio
from aiohttp.web import WebSocketResponse
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet

from chatbot.errors import InvalidPayload
from chatbot.protocol import error_ack

__all__ = ["GuardedServer", "peer_address"]

log = logging.getLogger(__name__)

#: The largest text packet: a message of ``max_message_chars`` in JSON is far below.
MAX_TEXT_PACKET = 64 * 1024
#: Seconds a bare engine.io socket may stay without joining ``/`` or ``/agent``.
JOIN_SECONDS = 10.0
#: Packets queued for one socket before it counts as not reading.
MAX_BACKLOG = 200

_WEBSOCKET = "chatbot.websocket"

_HEADER = re.compile(r"^(\d)(?:(\d+)-)?(?:(/[^,]*),)?(\d+)?")


def peer_address(environ: dict[str, Any]) -> str:
    """The client's address (see :mod:`chatbot.web.client_address`). Not ``REMOTE_ADDR``:
    engine.io writes 127.0.0.1 there for every aiohttp request."""
    request = environ.get("aiohttp.request")
    return str(getattr(request, "remote", None) or "unknown")


class _Packet(packet.Packet):  # type: ignore[misc]
    """A Socket.IO packet that refuses what the protocol never needs."""

    def decode(self, encoded_packet: Any) -> int:
        if isinstance(encoded_packet, str) and len(encoded_packet) > MAX_TEXT_PACKET:
            raise ValueError("packet too large")
        count: int = super().decode(encoded_packet) or 0
        if count > 1:
            raise ValueError("at most one attachment per packet")
        return count


class _PlainWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket without permessage-deflate."""

    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self.environ = environ
        environ[_WEBSOCKET] = self._sock  # to hang up on a client that ignores "close"
        await self.handler(self)
        return self._sock


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    def __init__(self, *, sockets_per_address: int, **kwargs: Any) -> None:
        super().__init__(serializer=_Packet, **kwargs)
        self.eio._async = {**self.eio._async, "websocket": _PlainWebSocket}
        self._per_address = sockets_per_address
        self._open: Counter[str] = Counter()
        self._address_of: dict[str, str] = {}
        self._refused = 0
        self._tasks: set[asyncio.Future[Any]] = set()

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        address = peer_address(environ)
        if self._open[address] >= self._per_address:
            self._refused += 1
            if self._refused % 1000 == 1:
                log.warning("refusing sockets from %s: %d open", address, self._open[address])
            return False  # engine.io answers 401 and keeps nothing
        self._open[address] += 1
        self._address_of[eio_sid] = address
        await super()._handle_eio_connect(eio_sid, environ)
        asyncio.get_running_loop().call_later(JOIN_SECONDS, self._check_joined, eio_sid)
        return None

    def _check_joined(self, eio_sid: str) -> None:
        if eio_sid not in self._address_of:
            return
        if any(
            self.manager.sid_from_eio_sid(eio_sid, namespace)
            for namespace in self.manager.get_namespaces()
        ):
            return
        self._later(self.hang_up(eio_sid))

    async def hang_up(self, eio_sid: str) -> None:
        """Disconnect and close the transport: engine.io's close packet alone leaves the
        connection (and its file handle) to a client that may never answer it."""
        environ = self.environ.get(eio_sid) or {}
        websocket = environ.get(_WEBSOCKET)
        await self.eio.disconnect(eio_sid)
        if websocket is not None:
            await websocket.close()

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any = None) -> None:
        address = self._address_of.pop(eio_sid, None)
        if address is not None:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]
        await super()._handle_eio_disconnect(eio_sid, reason)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, RecursionError) as exc:
            self._binary_packet.pop(eio_sid, None)
            log.info("unreadable packet from %s: %s", eio_sid, str(exc)[:80])
            await self._refuse(eio_sid, data)

    async def _refuse(self, eio_sid: str, data: Any) -> None:
        """An error ack when the packet asked for one; a connection that sends binary
        nobody asked for is closed."""
        header = _HEADER.match(data) if isinstance(data, str) else None
        if header is None or header.group(4) is None:
            if not isinstance(data, str):
                await self.hang_up(eio_sid)
            return
        ack = error_ack(InvalidPayload("the packet could not be read"))
        reply = self.packet_class(
            packet.ACK, data=[ack], namespace=header.group(3) or "/", id=int(header.group(4))
        )
        await self._send_packet(eio_sid, reply)

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        socket = self.eio.sockets.get(eio_sid)
        if socket is not None and socket.queue.qsize() > MAX_BACKLOG:
            # The client does not read: drop it rather than buffer its replies.
            if not getattr(socket, "closing", False):
                log.info("closing %s: %d packets unread", eio_sid, socket.queue.qsize())
                self._later(self.hang_up(eio_sid))
            return
        await super()._send_packet(eio_sid, pkt)

    def open_sockets(self, address: str) -> int:
        return self._open[address]
