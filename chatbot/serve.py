"""``chatbot serve``: listen at once, say "starting" until the engine is loaded, then serve.

Loading the models and the knowledge-base index takes seconds to minutes (a new help
centre is embedded on its first start). Meanwhile the port is already open and answers
honestly: ``/healthz`` is ``503 {"status": "starting"}`` and every other request is
``503 temporarily_unavailable`` with ``Retry-After``, so a load balancer sends nobody
here and the widget's Socket.IO client simply reconnects. Only once the engine is loaded
and the real application has started does the log say ``ready``; the real server then
takes over the same listening socket (no moment without a listener).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable

from aiohttp import web

from chatbot import __version__
from chatbot.content import build_engine_context
from chatbot.engine import EngineContext
from chatbot.settings import Settings
from chatbot.web.security import security_headers

__all__ = ["RETRY_AFTER_SECONDS", "serve", "starting_app"]

log = logging.getLogger(__name__)

#: What a client is told to wait before it tries again while the server starts.
RETRY_AFTER_SECONDS = 5

EngineBuilder = Callable[[Settings], EngineContext]


def starting_app(settings: Settings) -> web.Application:
    """The stand-in that holds the port while the engine loads: it serves nobody."""

    async def starting(request: web.Request) -> web.Response:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if request.path == "/healthz":
            body: dict[str, object] = {
                "status": "starting",
                "version": __version__,
                "checks": {"engine": "loading"},
            }
        else:
            body = {
                "ok": False,
                "error": {
                    "code": "temporarily_unavailable",
                    "message": "the server is starting; please retry in a few seconds",
                },
            }
        return web.json_response(body, status=503, headers=headers)

    app = web.Application(middlewares=[security_headers(settings)])
    app.router.add_route("*", "/{tail:.*}", starting)
    return app


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


async def _build_in_thread(build: EngineBuilder, settings: Settings) -> EngineContext:
    """``build(settings)`` in a daemon thread: a SIGTERM while loading ends the process at
    once instead of waiting for the models (asyncio's own threads would be waited for)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[EngineContext] = loop.create_future()

    def settle(outcome: EngineContext | BaseException) -> None:
        if future.done():
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def work() -> None:
        try:
            outcome: EngineContext | BaseException = build(settings)
        except BaseException as exc:
            outcome = exc
        # Stopped while loading: the loop may be closed by now, and nobody waits.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=work, name="engine-loader", daemon=True).start()
    return await future


async def serve(
    settings: Settings,
    *,
    build: EngineBuilder = build_engine_context,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Run the chat server until SIGINT/SIGTERM (or ``stop``); the exit status.

    ``build`` and ``stop`` let tests hold the loading and end the server without signals.
    """
    from chatbot.app import create_app
    from chatbot.web.client_address import ClientAccessLogger

    base = f"http://{settings.host}:{settings.port}"
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    sock = _listening_socket(settings.host, settings.port)
    started = time.monotonic()
    holder = web.AppRunner(starting_app(settings), shutdown_timeout=1)
    holding = True
    await holder.setup()
    await web.SockSite(holder, sock.dup()).start()
    log.info("chatbot starting on %s: loading the models and the knowledge base", base)
    loading = asyncio.ensure_future(_build_in_thread(build, settings))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({loading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not loading.done():
            log.info("stopped before the engine was loaded")
            return 0
        try:
            engine = loading.result()
        except Exception:
            log.exception("the engine could not be loaded: not serving")
            return 1
        runner = web.AppRunner(
            create_app(settings, engine=engine),
            shutdown_timeout=5,
            access_log_class=ClientAccessLogger,  # the client's address, not the proxy's
        )
        await runner.setup()
        try:
            await web.SockSite(runner, sock.dup()).start()
            # The real server listens on the same socket now: the stand-in can go.
            holding = False
            await holder.cleanup()
            log.info(
                "chatbot ready: serving on %s (%d articles, loaded in %.1f s)",
                base,
                len(engine.index.kb),
                time.monotonic() - started,
            )
            if on_ready is not None:
                on_ready()
            await stopping
        finally:
            await runner.cleanup()
        return 0
    finally:
        loading.cancel()
        stopping.cancel()
        if holding:
            await holder.cleanup()
        sock.close()
