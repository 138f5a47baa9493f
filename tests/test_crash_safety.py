"""Crash safety under load: what a server acknowledged survives a SIGKILL and a Redis crash.

Two hundred customers chat with real ``chatbot serve`` processes, each sending its next
message when the bot has answered the last one; some ask for a person and get a ticket.
In the middle of it the server (SQLite) or Redis is killed with SIGKILL and started again.
Afterwards every acknowledged message and every ticket a customer was told about is
stored, a message that was sent but never acknowledged is stored exactly once when the
customer resends it, and every customer goes on chatting.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
import yaml

from chatbot.web.customer import SAFETY_NET_SECONDS
from tests.fixtures import free_port
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 200
#: Every tenth customer asks for a person first, and is told a ticket number.
TICKET_EVERY = 10
TICKET_REQUEST = "I want to talk to a real person about kafebar.no"
#: The crash comes once this many messages (about two per customer) were acknowledged.
ACKS_BEFORE_CRASH = 2 * CUSTOMERS
#: A customer waits at most this long for the bot before writing again.
PATIENCE = 5.0
#: How long one request (or one condition of the whole crowd) may take.
TIMEOUT = 30.0
#: The widget's pause before it resends a message the server could not store just now.
RETRY_SECONDS = 0.1
RETRYABLE = {"temporarily_unavailable", "internal_error"}

#: Every customer comes from 127.0.0.1 and writes fast: lift the per-address and per-visitor
#: limits. The bot's domain checks would reach out to the internet: off.
SERVER_ENV = {
    "PYTHONUNBUFFERED": "1",
    "CHATBOT_CONNECTION_BURST": "1000000",
    "CHATBOT_SOCKETS_PER_ADDRESS": "1000000",
    "CHATBOT_MESSAGE_BURST": "1000000",
    "CHATBOT_MESSAGES_PER_SECOND": "1000000",
    "CHATBOT_DIAGNOSTICS": "0",
    "CHATBOT_LOG_LEVEL": "WARNING",
}


def questions() -> list[str]:
    """Real customer questions in the six languages (the KB benchmark's)."""
    texts: list[str] = []
    for path in sorted((ROOT / "benchmarks" / "data" / "kb_queries").glob("*.yml")):
        texts += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]
    return texts


class ServerProcess:
    """One real ``chatbot serve``; :meth:`start` after :meth:`kill` reuses port and data."""

    def __init__(self, tmp: Path, name: str, redis_url: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp / "data"
        self.log = tmp / f"{name}.log"
        self.redis_url = redis_url
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        if self.redis_url:
            args += ["--redis-url", self.redis_url]
        # The backend is chosen here only: none from the environment running the tests.
        env = {k: v for k, v in os.environ.items() if k not in ("CHATBOT_REDIS_URL", "REDIS_URL")}
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "chatbot", *args],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**env, **SERVER_ENV},
            )

    async def healthy(self) -> None:
        """Return once ``/healthz`` answers 200 (the process loads its models first)."""
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert self.popen is not None and self.popen.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "server did not come up"
                await asyncio.sleep(0.1)  # a process we do not control: nothing to await

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a power cut would."""
        if self.popen is not None:
            if self.popen.poll() is None:
                self.popen.send_signal(signal.SIGKILL)
            self.popen.wait()


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """Every server process a test starts, killed at the end even when it fails."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


class Cut(Exception):
    """The connection dropped before the server answered."""


class Board:
    """The crowd's progress; the test awaits conditions on it instead of sleeping."""

    def __init__(self) -> None:
        self.acks = 0
        self.errors: Counter[str] = Counter()
        self.tickets = 0
        #: Called right after the next message leaves a customer, so that it is in flight.
        self.crash: Callable[[], None] | None = None
        self._changed = asyncio.Condition()

    async def note(self, acks: int = 0, error: str = "", tickets: int = 0) -> None:
        async with self._changed:
            self.acks += acks
            self.tickets += tickets
            if error:
                self.errors[error] += 1
            self._changed.notify_all()

    async def until(
        self, what: str, predicate: Callable[[], bool], detail: Callable[[], object] = str
    ) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), TIMEOUT)
            except TimeoutError:
                raise AssertionError(
                    f"waited in vain for {what}: {self.acks} acks, {dict(self.errors)} {detail()}"
                ) from None


class Customer:
    """A widget: keeps its visitor token and its messages' ids, resends what was not acked."""

    def __init__(self, number: int, url: str, texts: Sequence[str], board: Board) -> None:
        self.name = f"c{number}"
        self.url = url
        self.texts = texts
        self.board = board
        self.random = random.Random(number)
        self.wants_ticket = number % TICKET_EVERY == 0
        self.token: str | None = None
        self.conversation_id = ""
        self.session: dict[str, Any] = {}
        #: id -> seq of every acknowledged message.
        self.acked: dict[str, int] = {}
        #: id -> text of messages sent without an ack (yet).
        self.unacked: dict[str, str] = {}
        #: Ticket numbers the server told this customer about.
        self.told: set[str] = set()
        #: The seqs of customer messages the bot has answered.
        self.answered: set[int] = set()
        self.turns_done = 0
        self.resyncs = 0
        self.dropped = False
        self._written = 0
        self.sio: socketio.AsyncClient | None = None
        self._gone = asyncio.Event()
        self._changed = asyncio.Condition()

    async def connect(self, http: aiohttp.ClientSession) -> None:
        """Connect (with the visitor token once there is one) and wait for ``session``."""
        sio = socketio.AsyncClient(reconnection=False, http_session=http)
        gone = asyncio.Event()
        session: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        async def on_session(data: dict[str, Any]) -> None:
            if not session.done():
                session.set_result(data)

        async def on_message(data: dict[str, Any]) -> None:
            reply_to = str(data.get("id", ""))
            if data.get("from") == "bot" and reply_to.startswith("#b"):
                async with self._changed:
                    self.answered.add(int(reply_to[2:].split(".")[0]))
                    self._changed.notify_all()

        async def on_typing(data: dict[str, Any]) -> None:
            if data.get("from") == "bot" and data.get("on") is False:
                async with self._changed:
                    self.turns_done += 1
                    self._changed.notify_all()

        async def on_ticket(data: dict[str, Any]) -> None:
            if data["number"] not in self.told:
                self.told.add(data["number"])
                await self.board.note(tickets=1)

        async def on_resync(data: Any) -> None:
            async with self._changed:
                self.resyncs += 1
                self._changed.notify_all()

        async def on_disconnect(*reason: Any) -> None:
            async with self._changed:
                gone.set()
                self._changed.notify_all()

        for event, handler in (
            ("session", on_session),
            ("message", on_message),
            ("typing", on_typing),
            ("ticket", on_ticket),
            ("resync", on_resync),
            ("disconnect", on_disconnect),
        ):
            sio.on(event, handler)
        auth: dict[str, str] = {"locale": "en"}
        if self.token:
            auth["visitor_token"] = self.token
        self.sio, self._gone = sio, gone
        await sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=TIMEOUT)
        self.session = await asyncio.wait_for(session, TIMEOUT)
        self.token = self.session["visitor_token"]
        self.conversation_id = self.conversation_id or self.session["conversation_id"]

    async def disconnect(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()

    async def request(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit with an ack; :class:`Cut` when the connection drops first."""
        sio, gone = self.sio, self._gone
        assert sio is not None
        if gone.is_set():
            raise Cut
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def callback(*args: Any) -> None:
            if not answer.done():
                answer.set_result(args[0] if args else {})

        try:
            await sio.emit(event, data, callback=callback)
        except socketio.exceptions.SocketIOError as exc:
            raise Cut from exc
        if event == "message" and self.board.crash is not None:
            crash, self.board.crash = self.board.crash, None
            crash()
        dropped: asyncio.Future[Any] = asyncio.ensure_future(gone.wait())
        waiting: set[asyncio.Future[Any]] = {answer, dropped}
        try:
            await asyncio.wait(waiting, timeout=TIMEOUT, return_when="FIRST_COMPLETED")
        finally:
            dropped.cancel()
        if answer.done():
            return answer.result()
        if gone.is_set():
            raise Cut
        raise AssertionError(f"{self.name}: no answer to {event} {data} in {TIMEOUT} s")

    def _write(self) -> list[tuple[str, str]]:
        """The next one or two lines (people press Enter mid-thought), as (id, text)."""
        lines = []
        for _ in range(2 if self.random.random() < 0.3 else 1):
            self._written += 1
            message_id = f"{self.name}-{self._written}"
            first_ticket = self.wants_ticket and self._written == 1
            text = TICKET_REQUEST if first_ticket else self.random.choice(self.texts)
            self.unacked[message_id] = text
            lines.append((message_id, text))
        return lines

    async def chat(self, stop: asyncio.Event) -> None:
        """Write, wait for the bot (or lose patience), write again; until ``stop`` or a cut.
        What was not stored is sent again with the same id."""
        while not stop.is_set() and not self._gone.is_set():
            lines = list(self.unacked.items()) or self._write()
            results = await asyncio.gather(
                *(self.request("message", {"id": i, "text": text}) for i, text in lines),
                return_exceptions=True,
            )
            last, retry = 0, False
            for (message_id, _), ack in zip(lines, results, strict=True):
                if isinstance(ack, Cut):
                    continue
                if isinstance(ack, BaseException):
                    raise ack
                if not ack["ok"]:
                    code = ack["error"]["code"]
                    await self.board.note(error=code)
                    assert code in RETRYABLE, f"{self.name}: {ack}"
                    retry = True
                    continue
                assert ack["id"] == message_id, ack
                del self.unacked[message_id]
                self.acked[message_id] = ack["seq"]
                last = max(last, ack["seq"])
                await self.board.note(acks=1)
            if retry:
                await asyncio.sleep(RETRY_SECONDS)  # the widget's retry interval
            elif last:
                await self.wait_for_bot(last, PATIENCE, strict=False)
        self.dropped = self._gone.is_set()

    async def wait_for_bot(self, seq: int, patience: float, *, strict: bool = True) -> None:
        """Until the bot answered message ``seq``; unless ``strict``, also until its turn
        ended without an answer (the store failed), the server asked for a resync or the
        connection dropped."""
        turns, resyncs = self.turns_done, self.resyncs

        def done() -> bool:
            if seq in self.answered:
                return True
            return not strict and (
                self.turns_done > turns or self.resyncs > resyncs or self._gone.is_set()
            )

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(done), patience)
            except TimeoutError:
                if strict:
                    raise

    async def history(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        after = 0
        while True:
            page = await self.request("history", {"after": after})
            assert page["ok"], page
            messages += page["messages"]
            if not page["more"]:
                return messages
            after = messages[-1]["seq"]


async def connect_all(customers: Sequence[Customer], http: aiohttp.ClientSession) -> None:
    gate = asyncio.Semaphore(50)

    async def one(customer: Customer) -> None:
        async with gate:
            await customer.connect(http)

    await asyncio.gather(*(one(c) for c in customers))


async def check_nothing_acknowledged_is_lost(customer: Customer) -> list[str]:
    """Problems with one conversation after the crash; resends what was never acked."""
    problems = []
    stored = await customer.history()
    by_id = {m["id"]: m for m in stored}
    for message_id, seq in customer.acked.items():
        if message_id not in by_id:
            problems.append(f"{customer.name}: acknowledged {message_id} (seq {seq}) is lost")
        elif by_id[message_id]["seq"] != seq:
            stored_seq = by_id[message_id]["seq"]
            problems.append(f"{customer.name}: {message_id} acked as {seq}, stored as {stored_seq}")
    said = " ".join(m["text"] for m in stored if m["from"] in ("bot", "system"))
    problems += [
        f"{customer.name}: ticket {n} it was told about is not in the conversation"
        for n in sorted(customer.told)
        if n not in said
    ]
    # Sent, never acked: it may or may not have been stored. The widget resends it with the
    # same id, and it is then stored exactly once.
    for message_id, text in list(customer.unacked.items()):
        ack = await customer.request("message", {"id": message_id, "text": text})
        if not ack["ok"]:
            problems.append(f"{customer.name}: resending {message_id}: {ack}")
            continue
        before = by_id.get(message_id)
        if ack["duplicate"] != (before is not None) or (before and before["seq"] != ack["seq"]):
            problems.append(f"{customer.name}: resent {message_id} acked {ack}, was {before}")
        del customer.unacked[message_id]
        customer.acked[message_id] = ack["seq"]
    counts = Counter(m["id"] for m in await customer.history())
    problems += [
        f"{customer.name}: {message_id} stored {counts[message_id]} times"
        for message_id in customer.acked
        if counts[message_id] != 1
    ]
    problems += [f"{customer.name}: {i} stored {n} times" for i, n in counts.items() if n > 1]
    return problems


async def check_goes_on_chatting(customer: Customer) -> list[str]:
    message_id = f"{customer.name}-after"
    ack = await customer.request(
        "message", {"id": message_id, "text": customer.random.choice(customer.texts)}
    )
    if not ack["ok"]:
        return [f"{customer.name}: after the crash: {ack}"]
    try:
        # The promise: every acknowledged message is answered, at the latest by the work
        # queue's safety-net turn (a turn that met the store still recovering is retried
        # there), so within that delay and then the usual time.
        await customer.wait_for_bot(ack["seq"], SAFETY_NET_SECONDS + TIMEOUT)
    except TimeoutError:
        stored = [m["id"] for m in await customer.history() if m["from"] == "bot"]
        answered = any(i.startswith(f"#b{ack['seq']}.") for i in stored)
        return [
            f"{customer.name}: the bot did not answer {message_id} after the crash"
            f" (reply {'stored, not pushed' if answered else 'not stored'})"
        ]
    return []


async def each(
    customers: Sequence[Customer], check: Callable[[Customer], Awaitable[list[str]]]
) -> list[str]:
    results = await asyncio.gather(*(check(c) for c in customers))
    return [problem for problems in results for problem in problems]


async def chatting_until_the_crash(
    customers: Sequence[Customer], board: Board, crash: Callable[[], None]
) -> tuple[asyncio.Event, list[asyncio.Task[None]]]:
    """Start every customer chatting; once tickets are given and enough messages stored,
    ``crash`` right after the next message leaves a customer. Returns what stops them."""
    stop = asyncio.Event()
    chats = [asyncio.create_task(c.chat(stop)) for c in customers]
    await board.until(
        "tickets and acks before the crash",
        lambda: (
            board.acks >= ACKS_BEFORE_CRASH and all(c.told for c in customers if c.wants_ticket)
        ),
    )
    crashed = asyncio.Event()

    def crash_now() -> None:
        crash()
        crashed.set()

    board.crash = crash_now
    await asyncio.wait_for(crashed.wait(), TIMEOUT)
    return stop, chats


@pytest.mark.slow
async def test_a_server_killed_while_200_customers_chat_loses_no_acknowledged_message(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = ServerProcess(tmp_path, "sqlite")
    servers.append(server)
    server.start()
    await server.healthy()
    board = Board()
    texts = questions()
    customers = [Customer(n, server.url, texts, board) for n in range(CUSTOMERS)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await connect_all(customers, http)
        _, chats = await chatting_until_the_crash(customers, board, server.kill)
        await asyncio.wait_for(asyncio.gather(*chats), TIMEOUT)
        assert all(c.dropped for c in customers) and not board.errors
        # At least the message that left just before the SIGKILL went unacknowledged.
        assert any(c.unacked for c in customers)
        for customer in customers:
            await customer.disconnect()

        server.start()
        await server.healthy()
        await connect_all(customers, http)
        for customer in customers:
            # The same visitor token opens the same conversation, with its open ticket.
            assert customer.session["conversation_id"] == customer.conversation_id
            ticket = customer.session["ticket"]
            if customer.told:
                assert ticket and ticket["number"] in customer.told, customer.name
        problems = await each(customers, check_nothing_acknowledged_is_lost)
        assert not problems, "\n".join(problems)
        problems = await each(customers, check_goes_on_chatting)
        assert not problems, "\n".join(problems)
        for customer in customers:
            await customer.disconnect()


@pytest.mark.slow
async def test_a_redis_crash_while_200_customers_chat_loses_no_acknowledged_message(
    tmp_path: Path, redis_server: RedisServer, servers: list[ServerProcess]
) -> None:
    pair = [ServerProcess(tmp_path, name, redis_server.url) for name in ("one", "two")]
    servers += pair
    for server in pair:
        server.start()
    await asyncio.gather(*(server.healthy() for server in pair))
    board = Board()
    texts = questions()
    customers = [Customer(n, pair[n % 2].url, texts, board) for n in range(CUSTOMERS)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await connect_all(customers, http)
        stop, chats = await chatting_until_the_crash(customers, board, redis_server.kill)
        # Customers write on, are told to retry later, and do.
        await board.until("customers hitting the outage", lambda: board.errors.total() >= 50)
        await asyncio.to_thread(redis_server.start)
        # Without a server restart: every customer gets two more messages stored.
        marks = {c.name: len(c.acked) for c in customers}

        def behind() -> list[str]:
            return [c.name for c in customers if len(c.acked) < marks[c.name] + 2]

        await board.until("every customer chatting again", lambda: not behind(), behind)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*chats), TIMEOUT)
        assert not any(c.dropped for c in customers), "a connection dropped"
        assert all(server.running for server in pair)
        assert set(board.errors) == {"temporarily_unavailable"}, board.errors
        problems = await each(customers, check_nothing_acknowledged_is_lost)
        assert not problems, "\n".join(problems)
        problems = await each(customers, check_goes_on_chatting)
        assert not problems, "\n".join(problems)
        for customer in customers:
            await customer.disconnect()
