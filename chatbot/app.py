"""The application factory: ``create_app(settings)`` wires every part together."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from chatbot import keys
from chatbot.content import build_engine_context
from chatbot.engine import EngineContext
from chatbot.settings import Settings
from chatbot.store import StoredMessage
from chatbot.store.sqlite import SQLiteStore
from chatbot.web.customer import CustomerNamespace, emit_messages
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
        app[keys.ENGINE] = engine or await asyncio.to_thread(build_engine_context, settings)
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

        async def emit(conversation_id: str, messages: list[StoredMessage]) -> None:
            await emit_messages(sio, conversation_id, messages)

        runner = TurnRunner(app[keys.STORE], app[keys.ENGINE], emit, clock=app[keys.CLOCK])
        app[keys.TURNS] = runner
        sio.register_namespace(CustomerNamespace(app, "/"))
        yield
        await runner.drain()

    async def close_sockets(app: web.Application) -> None:
        # Before aiohttp waits for open handlers: websockets would hold it up otherwise.
        await sio.shutdown()

    app.cleanup_ctx.extend([engine_ctx, store_ctx, sockets_ctx])
    app.on_shutdown.append(close_sockets)
    app.add_routes(routes)
    return app
