"""Reusable test fixtures: a real server on a real port and a real Socket.IO client."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.app import create_app
from chatbot.content import build_engine_context
from chatbot.engine import EngineContext
from chatbot.settings import Settings

__all__ = [
    "AgentClient",
    "ChatClient",
    "MovingClock",
    "ServerFactory",
    "add_agent",
    "chat_server",
    "engine",
    "free_port",
    "login",
    "make_server",
]

TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_ids = itertools.count(1)


class ChatClient:
    """A customer's Socket.IO connection that records what the server sends."""

    #: Every client a test opened, closed by the server fixture even when a test fails.
    opened: ClassVar[list[ChatClient]] = []

    def __init__(
        self,
        url: str,
        *,
        transports: Sequence[str] = ("websocket",),
        headers: dict[str, str] | None = None,
        local_address: str | None = None,
    ) -> None:
        """``local_address``: the loopback address (127.x.y.z) the client connects from."""
        ChatClient.opened.append(self)
        self.url = url
        self.transports = list(transports)
        self.headers = headers or {}
        self.http: aiohttp.ClientSession | None = None
        if local_address is not None:
            connector = aiohttp.TCPConnector(local_addr=(local_address, 0))
            self.http = aiohttp.ClientSession(connector=connector)
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http)
        self.received: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        self.session: dict[str, Any] | None = None
        self.refused: Any = None
        self._session_event = asyncio.Event()
        self._turn_done: asyncio.Queue[None] = asyncio.Queue()
        self._new_message = asyncio.Condition()
        self.sio.on("session", self._on_session)
        self.sio.on("message", self._on_message)
        self.sio.on("typing", self._on_typing)
        self.sio.on("connect_error", self._on_connect_error)
        self.sio.on("ticket", self._on_ticket)
        #: Set when the server asks to fetch what was missed (after an outage).
        self.resynced = asyncio.Event()
        self.sio.on("resync", self._on_resync)

    async def _on_session(self, data: dict[str, Any]) -> None:
        self.session = data
        self._session_event.set()

    async def _on_message(self, data: dict[str, Any]) -> None:
        async with self._new_message:
            self.received.append(data)
            self._new_message.notify_all()

    async def _on_typing(self, data: dict[str, Any]) -> None:
        if data.get("from") == "bot" and data.get("on") is False:
            self._turn_done.put_nowait(None)

    async def _on_ticket(self, data: dict[str, Any]) -> None:
        self.tickets.append(data)

    async def _on_connect_error(self, data: Any) -> None:
        self.refused = data

    async def _on_resync(self, data: Any) -> None:
        self.resynced.set()

    async def connect(self, **auth: Any) -> dict[str, Any]:
        await self.sio.connect(
            self.url,
            auth=auth or None,
            headers=self.headers,
            transports=self.transports,
            wait_timeout=TIMEOUT,
        )
        await asyncio.wait_for(self._session_event.wait(), TIMEOUT)
        assert self.session is not None
        return self.session

    async def disconnect(self) -> None:
        # Also after a refused connect: the transport below may still be open.
        await self.sio.disconnect()
        if self.http is not None:
            await self.http.close()

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, timeout=TIMEOUT)

    async def send(
        self,
        text: str = "",
        *,
        value: str | None = None,
        id: str | None = None,
        ask_id: str | None = None,
    ) -> Any:
        payload: dict[str, Any] = {"id": id or f"m{next(_ids)}", "text": text}
        if value is not None:
            payload["value"] = value
        if ask_id is not None:
            payload["ask_id"] = ask_id
        return await self.call("message", payload)

    async def say(
        self, text: str = "", *, value: str | None = None, ask_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Send a message and return the bot's replies to it, once the bot has finished."""
        before = len(self.received)
        ack = await self.send(text, value=value, ask_id=ask_id)
        assert ack["ok"], ack
        await asyncio.wait_for(self._turn_done.get(), TIMEOUT)
        return [m for m in self.received[before:] if m["from"] == "bot"]

    async def ask_for_person(self, text: str) -> list[dict[str, Any]]:
        """Say ``text`` (a request for a person) and, when the bot asks an anonymous
        visitor where to reach them before the ticket, press Skip: the replies."""
        replies = await self.say(text)
        ask = replies[-1].get("ask") if replies else None
        if ask and ask.get("field") == "contact_email":
            replies += await self.say("Skip", value="skip", ask_id=ask.get("id"))
        return replies

    async def wait_for_messages(self, count: int) -> list[dict[str, Any]]:
        async with self._new_message:
            await asyncio.wait_for(
                self._new_message.wait_for(lambda: len(self.received) >= count), TIMEOUT
            )
        return self.received


class AgentClient:
    """An agent console's Socket.IO connection to ``/agent``, recording every event."""

    opened: ClassVar[list[AgentClient]] = []

    def __init__(self, url: str) -> None:
        AgentClient.opened.append(self)
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.refused: Any = None
        self._changed = asyncio.Condition()
        for event in ("session", "queue", "ticket", "message", "note", "typing", "presence"):
            self.sio.on(event, self._recorder(event), namespace="/agent")
        self.sio.on("connect_error", self._on_connect_error, namespace="/agent")
        self.disconnected = asyncio.Event()
        self.sio.on("disconnect", self._on_disconnect, namespace="/agent")

    async def _on_disconnect(self, *reason: Any) -> None:
        self.disconnected.set()

    def _recorder(self, event: str) -> Callable[[Any], Awaitable[None]]:
        async def record(data: Any) -> None:
            async with self._changed:
                self.events.append((event, data))
                self._changed.notify_all()

        return record

    async def _on_connect_error(self, data: Any) -> None:
        self.refused = data

    async def connect(self, token: str | None) -> None:
        await self.sio.connect(
            self.url,
            auth={"token": token} if token is not None else None,
            namespaces=["/agent"],
            transports=["websocket"],
            wait_timeout=TIMEOUT,
        )
        await self.wait_for("session")

    async def disconnect(self) -> None:
        await self.sio.disconnect()

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace="/agent", timeout=TIMEOUT)

    def seen(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait_for(self, event: str, where: Callable[[Any], bool] = lambda data: True) -> Any:
        """The first ``event`` (so far or still to come) for which ``where`` holds."""

        def found() -> Any:
            return next((d for n, d in self.events if n == event and where(d)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), TIMEOUT)
        return found()


async def add_agent(
    server: TestServer, email: str, name: str, role: str = "agent"
) -> tuple[str, str]:
    """A new agent account on the running server: (email, password)."""
    from chatbot.web import keys

    password = f"pw-{name}-{next(_ids)}-long-enough"
    await server.app[keys.AGENT_AUTH].add(email, name, password, role)  # type: ignore[arg-type]
    return email, password


async def login(server: TestServer, email: str, password: str) -> str:
    """``POST /api/auth/login``: the session token."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        response = await http.post(
            server.make_url("/api/auth/login"), json={"email": email, "password": password}
        )
        body = await response.json()
        assert response.status == 200, body
        return str(body["token"])


ServerFactory = Callable[..., Awaitable[TestServer]]


class MovingClock:
    """A server's time (``make_server(clock=...)``) that a test moves on instead of sleeping."""

    def __init__(self) -> None:
        self.shift = 0.0

    def __call__(self) -> float:
        return time.time() + self.shift


@pytest.fixture(scope="session")
def engine() -> EngineContext:
    """The engine built from the bundled content, once for the whole run."""
    # Engine tests see no domain checks unless they turn them on (they need a runner).
    return dataclasses.replace(build_engine_context(Settings()), diagnostics=False)


@pytest.fixture
async def make_server(tmp_path: Path, engine: EngineContext) -> AsyncIterator[ServerFactory]:
    servers: list[TestServer] = []

    async def start(
        data_dir: Path | None = None, clock: Callable[[], float] | None = None, **overrides: Any
    ) -> TestServer:
        """``clock``: the server's time (tests move it on instead of sleeping)."""
        from chatbot.web import keys

        # The bot's domain checks would reach out to the internet: only the tests of the
        # diagnosis turn them on, against local servers.
        overrides.setdefault("diagnostics", False)
        settings = Settings(data_dir=data_dir or tmp_path / "data", **overrides)
        app = create_app(settings, engine=engine)
        if clock is not None:
            app[keys.CLOCK] = clock
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return server

    yield start
    # Whatever a test left open is closed, even when one close fails (a socket the server
    # already dropped): the next test must start clean.
    clients: list[ChatClient | AgentClient] = [*ChatClient.opened, *AgentClient.opened]
    ChatClient.opened.clear()
    AgentClient.opened.clear()
    try:
        for client in clients:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(client.disconnect(), TIMEOUT)
    finally:
        for server in servers:
            await server.close()


@pytest.fixture
async def chat_server(make_server: ServerFactory) -> TestServer:
    return await make_server()


def bearer(token: str) -> dict[str, str]:
    """The header an agent's API request carries."""
    return {"Authorization": f"Bearer {token}"}


def server_url(server: TestServer) -> str:
    return str(server.make_url("/")).rstrip("/")


async def drain_turns(server: TestServer) -> None:
    """Wait for the bot's turns in flight: what the bot says to the messages acknowledged
    so far is stored and sent when this returns (a test of "the bot keeps quiet" awaits
    this instead of sleeping)."""
    from chatbot.web import keys

    await server.app[keys.TURNS].drain()


#: The outbox's work that reaches outside: mails and webhooks (the turn safety net waits
#: its 30 s and is not drained here).
OUTGOING_WORK = ("email", "reply_digest", "webhook")


async def drain_outbox(server: TestServer) -> None:
    """Wait until the work queue (SQLite store) holds no pending mail or webhook: what
    the notifier will ever send for what happened so far has been sent."""
    import sqlite3

    from chatbot.web import keys

    path = server.app[keys.SETTINGS].database_path
    marks = ",".join("?" * len(OUTGOING_WORK))
    query = f"SELECT count(*) FROM outbox WHERE done_at IS NULL AND kind IN ({marks})"

    def pending() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return int(db.execute(query, OUTGOING_WORK).fetchone()[0])

    deadline = time.monotonic() + TIMEOUT
    while (left := await asyncio.to_thread(pending)) > 0:
        assert time.monotonic() < deadline, f"{left} mails or webhooks still pending"
        await asyncio.sleep(0.05)
