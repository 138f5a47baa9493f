"""What every Socket.IO namespace of ours shares: error acks with a stable code, an error
ack for an unknown event, and no way for a client to forge ``connect`` or ``disconnect``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import socketio
from aiohttp import web

from chatbot.errors import ChatbotError, StoreUnavailable
from chatbot.protocol import error_ack
from chatbot.web import keys

__all__ = ["Namespace", "acked", "count_failure", "refused"]

log = logging.getLogger(__name__)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[dict[str, Any]]])


def count_failure(app: web.Application, exc: ChatbotError) -> None:
    """Every refused event or connection counts in the metrics; a store outage also tells
    the heartbeat to resync clients once it is over."""
    app[keys.METRICS].error(exc.code)
    if isinstance(exc, StoreUnavailable):
        app[keys.HEARTBEAT].store_failed()


def refused(exc: ChatbotError) -> socketio.exceptions.ConnectionRefusedError:
    """A refused connection: the client's ``connect_error`` receives ``{"message": ...,
    "data": {"code": ...}}``."""
    return socketio.exceptions.ConnectionRefusedError(exc.message, {"code": exc.code})


def acked(handler: Handler) -> Handler:
    """Turn every failure into an error ack with a stable code; log the unexpected."""

    @functools.wraps(handler)
    async def wrapper(self: Namespace, sid: str, *args: Any) -> dict[str, Any]:
        try:
            return await handler(self, sid, *args)
        except ChatbotError as exc:
            count_failure(self.app, exc)
            return error_ack(exc)
        except Exception:
            log.exception("%s failed", handler.__name__)
            self.app[keys.METRICS].error("server_error")
            return error_ack(ChatbotError("unexpected server error; please retry"))

    return wrapper  # type: ignore[return-value]


class Namespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """One namespace with ``on_<event>`` handlers and the application beside it."""

    def __init__(self, app: web.Application, namespace: str) -> None:
        super().__init__(namespace)
        self.app = app

    def _genuine(self, event: str, args: tuple[Any, ...]) -> bool:
        """python-socketio also routes a client's EVENT packet named "connect" or
        "disconnect" here: only the real handshake carries the server's environ (with the
        aiohttp request in it), and only a real disconnect comes for a socket that is
        closing."""
        if event == "connect":
            return len(args) >= 2 and isinstance(args[1], dict) and "aiohttp.request" in args[1]
        return bool(args) and not self.server.manager.is_connected(args[0], self.namespace)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """Unknown events get an error ack instead of silence."""
        if event in ("connect", "disconnect"):
            if not self._genuine(event, args):
                return error_ack(ChatbotError(f"'{event}' is not an event", code="unknown_event"))
        elif not hasattr(self, f"on_{event}"):
            log.debug("unknown event %r", event)
            return error_ack(ChatbotError(f"unknown event '{event}'", code="unknown_event"))
        return await super().trigger_event(event, *args)
