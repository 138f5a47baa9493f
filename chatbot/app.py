"""The application factory: ``create_app(settings)`` wires every part together."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from chatbot import keys
from chatbot.content import build_engine_context
from chatbot.engine import EngineContext
from chatbot.rate_limit import RateLimiter
from chatbot.settings import Settings
from chatbot.store.sqlite import SQLiteStore
from chatbot.web.customer import CustomerNamespace, SocketEmitter
from chatbot.web.pages import page_routes
from chatbot.web.routes import routes
from chatbot.web.tokens import VisitorTokens, load_or_create_secret
from chatbot.web.turns import TurnRunner

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, engine: EngineContext | None = None) -> web.Application:
    """A ready-to-run application. ``engine`` lets tests share one prebuilt context."""
    app = web.Application(client_max_size=1024**2)
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = time.time
    app[keys.MESSAGE_LIMITS] = RateLimiter(
        settings.message_burst, settings.messages_per_second, time.monotonic
    )
    app[keys.CONNECTION_LIMITS] = RateLimiter(
        settings.connection_burst, settings.connections_per_second, time.monotonic
    )
    origins = list(settings.cors_allowed_origins)
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        cors_allowed_origins="*" if origins == ["*"] else origins,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    sio.attach(app, socketio_path="socket.io")
    app[keys.SIO] = sio

    async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
        if engine is not None:
            app[keys.ENGINE] = engine
        else:
            app[keys.ENGINE] = await asyncio.to_thread(build_engine_context, settings)
        yield

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        store = SQLiteStore(settings.database_path)
        await store.open()
        app[keys.STORE] = store
        yield
        await store.close()

    async def sockets_ctx(app: web.Application) -> AsyncIterator[None]:
        secret = load_or_create_secret(settings.secret, settings.data_dir)
        app[keys.TOKENS] = VisitorTokens(secret)
        identity_secret = settings.identity_secret.encode()
        if not identity_secret and settings.demo:
            identity_secret = secrets.token_bytes(32)  # the demo portal signs with it
        app[keys.IDENTITY_SECRET] = identity_secret

        emitter = SocketEmitter(sio)
        runner = TurnRunner(
            app[keys.STORE],
            app[keys.ENGINE],
            emitter,
            clock=app[keys.CLOCK],
            ticket_prefix=settings.ticket_prefix,
        )
        app[keys.TURNS] = runner
        sio.register_namespace(CustomerNamespace(app, "/"))
        yield
        await runner.drain()

    async def close_sockets(app: web.Application) -> None:
        # Before aiohttp waits for open handlers: an open websocket would hold the
        # shutdown up to its timeout. Clients reconnect (to another node) and resume.
        # wait=False: engine.io would otherwise wait on the send queue of a socket whose
        # client has already gone, for ever.
        for socket in list(sio.eio.sockets.values()):
            await socket.close(wait=False, reason=sio.eio.reason.SERVER_DISCONNECT)
        sio.eio.sockets.clear()
        await sio.shutdown()

    app.cleanup_ctx.extend([engine_ctx, store_ctx, sockets_ctx])
    app.on_shutdown.append(close_sockets)
    app.add_routes(routes)
    app.add_routes(page_routes())
    return app
