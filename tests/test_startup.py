"""Start-up honesty: the port answers at once, but nobody is served (and the log says
nothing of serving) until the engine is loaded; then the log says "ready"."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import socketio

from chatbot.engine import EngineContext
from chatbot.serve import serve
from chatbot.settings import Settings
from tests.fixtures import TIMEOUT, ChatClient, free_port


class LogWatch(logging.Handler):
    """The server's log lines, and an event per line awaited by a test."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self._waiting: list[tuple[str, asyncio.Event]] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line)
        for text, event in self._waiting:
            if text in line:
                event.set()

    async def wait_for(self, text: str) -> None:
        event = asyncio.Event()
        if any(text in line for line in self.lines):
            return
        self._waiting.append((text, event))
        await asyncio.wait_for(event.wait(), TIMEOUT)


@dataclass
class HeldLoading:
    """An engine builder that returns the prebuilt engine only when the test says so."""

    engine: EngineContext
    release: threading.Event = field(default_factory=threading.Event)
    fail: bool = False

    def __call__(self, settings: Settings) -> EngineContext:
        self.release.wait(60)
        if self.fail:
            raise RuntimeError("the intent model is corrupt")
        return self.engine


@dataclass
class Starting:
    url: str
    loading: HeldLoading
    log: LogWatch
    stop: asyncio.Event
    task: asyncio.Task[int]


@pytest.fixture
async def starting(tmp_path: Path, engine: EngineContext) -> AsyncIterator[Callable[[], Starting]]:
    watch = LogWatch()
    logger = logging.getLogger("chatbot")
    logger.addHandler(watch)
    level = logger.level
    logger.setLevel(logging.INFO)
    started: list[Starting] = []

    def start() -> Starting:
        port = free_port()
        settings = Settings(port=port, data_dir=tmp_path / "data", diagnostics=False)
        loading, stop = HeldLoading(engine), asyncio.Event()
        task = asyncio.create_task(serve(settings, build=loading, stop=stop))
        server = Starting(f"http://127.0.0.1:{port}", loading, watch, stop, task)
        started.append(server)
        return server

    yield start
    clients = list(ChatClient.opened)
    ChatClient.opened.clear()
    for client in clients:  # a refused client still holds its HTTP session
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), TIMEOUT)
    for server in started:
        server.loading.release.set()
        server.stop.set()
        await asyncio.wait_for(asyncio.gather(server.task, return_exceptions=True), TIMEOUT)
    logger.removeHandler(watch)
    logger.setLevel(level)


async def get(url: str) -> tuple[int, dict[str, object], str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json(), response.headers.get("Retry-After", "")


async def test_a_loading_server_says_starting_and_serves_nobody_until_ready(
    starting: Callable[[], Starting],
) -> None:
    server = starting()
    await server.log.wait_for("chatbot starting on")
    status, health, _ = await get(server.url + "/healthz")
    assert status == 503 and health["status"] == "starting"
    status, body, retry_after = await get(server.url + "/api/openapi.json")
    assert status == 503 and retry_after == "5"
    assert body["error"] == {
        "code": "temporarily_unavailable",
        "message": "the server is starting; please retry in a few seconds",
    }
    customer = ChatClient(server.url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await customer.connect(locale="fi")
    assert not any("ready" in line or "serving" in line for line in server.log.lines)

    server.loading.release.set()
    await server.log.wait_for("chatbot ready: serving on " + server.url)
    status, health, _ = await get(server.url + "/healthz")
    assert status == 200 and health["status"] == "ok"
    customer = ChatClient(server.url)
    session = await customer.connect(locale="fi")
    assert session["language"] == "fi"
    await customer.disconnect()
    server.stop.set()
    assert await asyncio.wait_for(server.task, TIMEOUT) == 0


async def test_an_engine_that_cannot_load_is_never_reported_ready(
    starting: Callable[[], Starting],
) -> None:
    server = starting()
    await server.log.wait_for("chatbot starting on")
    server.loading.fail = True
    server.loading.release.set()
    assert await asyncio.wait_for(server.task, TIMEOUT) == 1
    assert any("could not be loaded" in line for line in server.log.lines)
    assert not any("ready" in line for line in server.log.lines)
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(server.url + "/healthz")


async def test_a_server_stopped_while_loading_exits_cleanly(
    starting: Callable[[], Starting],
) -> None:
    server = starting()
    await server.log.wait_for("chatbot starting on")
    server.stop.set()
    assert await asyncio.wait_for(server.task, TIMEOUT) == 0
    assert any("stopped before the engine was loaded" in line for line in server.log.lines)
