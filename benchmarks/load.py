"""Load: many customers chatting at once, against the bot and against the bare transport.

    python benchmarks/load.py [--connections 100,1000,5000] [--rate 50] [--duration 20]
                              [--modes echo,sqlite,redis] [--workers 3] [--texts varied]
    python benchmarks/load.py --ramp [--ramp-rates 10,20,40,80,150,250,400] [--step 5]
    python benchmarks/load.py --ramp --overload    # then 30 s at twice the best rate
    python benchmarks/load.py ... --profile DIR     # and a py-spy profile of each bot mode

For each number of connections K and each mode it starts fresh servers as separate
processes, then K simulated customers (python-socketio clients in ``--workers`` client
processes) connect over websockets. Each customer holds a conversation: real questions
from ``benchmarks/data/kb_queries`` in the six languages, sent so that all customers
together send ``--rate`` messages per second for ``--duration`` seconds. It measures:

- the bot's reply latency, from sending a message to receiving the first reply to it,
  p50/p95/p99; a message never answered counts as infinitely late;
- messages per second answered, errors (refused connections, error acks, timeouts), and
  "busy" notices (the bot's "many customers are writing" while a turn waits for capacity);
- lost messages: acknowledged messages missing from the conversation's ``history`` at the
  end, or never answered (must be 0);
- server CPU milliseconds per answered message: the server processes' user + system CPU
  time (children and Redis included) from the first message until the last answer,
  divided by the messages answered; process CPU time, so it holds on a shared machine.
  ``srv%`` is that CPU time over the wall time of the window (100% = one core);
  ``cli%`` the same for the client processes (near the core count, the clients limit);
- server memory per connection: the servers' RSS growth while the K sockets connect.

``--ramp`` keeps the K connections and raises the offered rate step by step (``--step``
seconds each, the backlog drained between steps) until the bot's p99 passes 1 s or
messages fail, and reports each step and the highest rate sustained with p99 <= 1 s.

``--texts varied`` (the default) swaps two letters in one word of each question, as people
typing do: the bot caches the embeddings of recent queries, and 516 questions repeated
would be answered from that cache instead of costing what real, mostly unique questions
cost. ``--texts repeat`` sends the questions as written.

``--overload`` then offers twice the highest sustained rate for 30 s and checks (exit
status 1 if not): no acknowledged message lost or unanswered, the turns admitted at once
answered with p99 under 1 s, every turn that waited for capacity told so (the busy notice)
with p99 under 1 s from sending, and answered properly afterwards.

Modes: ``echo`` is a bare python-socketio server that answers each message at once
(``benchmarks/echo_server.py``: the transport's own limit on this machine); ``sqlite`` is
one ``chatbot serve`` process; ``redis`` is two ``chatbot serve`` processes sharing one
Redis (customers alternate between them); ``sqlite-lex`` and ``redis-lex`` are the same
without the sentence embedder (``CHATBOT_SEMANTIC=0``, lexical search only). The table
ends with the bot's p99 as a multiple of the echo server's p99 at the same load. Clients
and servers share this machine's cores.

The check "at 1,000 connections each sending one message per 15 s, the bot's p99 is at
most 10x the echo server's p99 of the same run" is one command (exit status 1 if not):

    python benchmarks/load.py --connections 1000 --rate 67 --duration 30 \\
        --modes echo,sqlite --max-p99-ratio 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import random
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from load_servers import ROOT, Servers, raise_fd_limit
from turn_profile import Profile

CONNECT_CONCURRENCY = 50
#: After the sending stops, how long answers may still arrive.
GRACE = 15.0
#: The ramp stops at the first step whose p99 passes this (seconds).
RAMP_P99 = 1.0
RAMP_RATES = "10,20,40,80,150,250,400,600,1000"
#: ``--overload``: seconds at twice the rate the ramp sustained.
OVERLOAD_SECONDS = 30.0
_REPLY_ID = re.compile(r"#b(\d+)\.")


def questions() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "benchmarks" / "data" / "kb_queries").glob("*.yml")):
        texts += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]
    return texts


def with_typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters of one longer word swapped."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    j = rng.randrange(1, len(words[i]) - 2)
    w = words[i]
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


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
    # This step's:
    step_seqs: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    errors: int = 0
    busy: int = 0
    #: seq -> when the "many customers are writing" notice for it arrived.
    waits: dict[int, float] = field(default_factory=dict)
    #: seq -> its reply's latency.
    latency_of: dict[int, float] = field(default_factory=dict)

    def reply(self, seq: int, at: float) -> None:
        if seq not in self.answered:
            self.answered.add(seq)
            self.latencies.append(at - self.sent[seq])
            self.latency_of[seq] = at - self.sent[seq]
            self.arrivals.append(at)

    def overload(self) -> dict[str, Any]:
        """This step's turns that waited for capacity (shed: told "one moment") and
        those admitted at once."""
        shed = [s for s in self.step_seqs if s in self.waits]
        return {
            "admitted": [
                self.latency_of[s]
                for s in self.step_seqs
                if s not in self.waits and s in self.latency_of
            ],
            "notice": [self.waits[s] - self.sent[s] for s in shed],
            "shed": len(shed),
            "shed_answered": sum(s in self.answered for s in shed),
        }


async def run_customers(urls: list[str], count: int, texts_mode: str, conn: Any) -> None:
    """Connect ``count`` customers, then chat in steps as the main process says."""
    import aiohttp
    import socketio

    texts = questions()
    rng = random.Random(os.getpid())
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    customers = [Customer(urls[i % len(urls)]) for i in range(count)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    loop = asyncio.get_running_loop()

    async def connect(customer: Customer) -> bool:
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        session = loop.create_future()

        async def on_session(data: Any) -> None:
            if not session.done():
                session.set_result(data)

        async def on_message(data: Any) -> None:
            if data.get("from") != "bot":
                return
            reply_to = str(data.get("id", ""))
            if reply_to.startswith("#wait"):
                customer.busy += 1
                if reply_to[5:].isdigit():
                    customer.waits.setdefault(int(reply_to[5:]), time.perf_counter())
            elif match := _REPLY_ID.match(reply_to):
                seq, now = int(match[1]), time.perf_counter()
                if seq in customer.sent:
                    customer.reply(seq, now)
                else:
                    customer.early.setdefault(seq, now)

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
    conn.send(results.count(False))
    live = [c for c in customers if c.sio is not None]

    async def chat(customer: Customer, interval: float, stop: float) -> None:
        offset = rng.uniform(0, interval)
        if time.perf_counter() + offset >= stop:
            return
        await asyncio.sleep(offset)
        while (started := time.perf_counter()) < stop:
            message_id = f"L{os.getpid()}-{id(customer)}-{started}"
            text = rng.choice(texts)
            if texts_mode == "varied":
                text = with_typo(text, rng)
            try:
                ack = await customer.sio.call(
                    "message", {"id": message_id, "text": text}, timeout=30
                )
            except Exception:
                customer.errors += 1
            else:
                if ack.get("ok"):
                    seq = int(ack["seq"])
                    customer.acked_ids.add(message_id)
                    customer.sent[seq] = started
                    customer.step_seqs.append(seq)
                    if seq in customer.early:
                        customer.reply(seq, customer.early.pop(seq))
                else:
                    customer.errors += 1
            if started + interval >= stop:
                return
            await asyncio.sleep(max(0.0, started + interval - time.perf_counter()))

    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command[0] == "finish":
            break
        _, interval, duration, grace = command
        for c in customers:
            c.step_seqs, c.latencies, c.arrivals, c.errors, c.busy = [], [], [], 0, 0
            c.waits, c.latency_of = {}, {}
        cpu_before = time.process_time()
        began = time.perf_counter()
        await asyncio.gather(*(chat(c, interval, began + duration) for c in live))
        deadline = time.perf_counter() + grace
        while time.perf_counter() < deadline and any(  # noqa: ASYNC110 - many counters
            s not in c.answered for c in live for s in c.step_seqs
        ):
            await asyncio.sleep(0.1)
        conn.send(
            {
                "latencies": [x for c in live for x in c.latencies],
                "in_window": sum(a - began <= duration for c in live for a in c.arrivals),
                "sent": sum(len(c.step_seqs) for c in live),
                "answered": sum(len(c.latencies) for c in live),
                "unanswered": sum(s not in c.answered for c in live for s in c.step_seqs),
                "errors": sum(c.errors for c in live),
                "busy": sum(c.busy for c in live),
                "client_cpu": time.process_time() - cpu_before,
                "overload": [c.overload() for c in live],
            }
        )

    # Lost: acknowledged but not in the stored conversation, or never answered.
    lost = 0
    for customer in live:
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
    for customer in live:
        await customer.sio.disconnect()
    await http.close()
    conn.send(lost)


def customer_process(urls: list[str], count: int, texts_mode: str, conn: Any) -> None:
    raise_fd_limit()
    asyncio.run(run_customers(urls, count, texts_mode, conn))


# One mode: its servers, the customers, one or more steps.


def percentile(latencies: list[float], p: float) -> float:
    if not latencies:
        return float("nan")
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000


def start_profiler(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("py-spy not installed in this environment: no profile", file=sys.stderr)
        return None
    return subprocess.Popen(
        [
            *(str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "100"),
            *("--nonblocking", "--duration", f"{max(1, round(seconds))}", "--output", str(out)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_mode(
    mode: str, connections: int, rates: list[float], args: argparse.Namespace
) -> dict[str, Any]:
    """Start the mode's servers, connect the customers, run one step per rate (a ramp
    stops early once the bot is overloaded)."""
    steps: list[dict[str, Any]] = []
    overload: dict[str, Any] | None = None
    with ExitStack() as stack:
        servers = Servers(mode, stack)
        servers.start()
        time.sleep(1.0)
        base_rss = servers.rss()
        ctx = mp.get_context("spawn")
        shares = [connections // args.workers] * args.workers
        for i in range(connections % args.workers):
            shares[i] += 1
        pipes = []
        for share in shares:
            mine, theirs = ctx.Pipe()
            process = ctx.Process(
                target=customer_process, args=(servers.urls, share, args.texts, theirs)
            )
            process.start()
            pipes.append((process, mine))
        refused = sum(conn.recv() for _, conn in pipes)
        connected_rss = servers.rss()
        for rate in rates:
            profiler = None
            if args.profile and servers.bot and not steps:
                out = args.profile / f"{mode}-{connections}.txt"
                profiler = start_profiler(servers.processes[0].pid, args.duration, out)
            cpu_before, wall_before = servers.cpu_seconds(), time.perf_counter()
            for _, conn in pipes:
                conn.send(("step", connections / rate, args.duration, GRACE))
            results = [conn.recv() for _, conn in pipes]
            wall = time.perf_counter() - wall_before
            cpu = servers.cpu_seconds() - cpu_before
            step = summarise(rate, results, cpu, wall, args.duration)
            if profiler is not None:
                profiler.wait(timeout=args.duration + 60)
                step["profile"] = str(out)
            steps.append(step)
            if args.ramp:
                print(f"    {rate:g}/s: p99 {step['p99']:.0f} ms", file=sys.stderr, flush=True)
                if not step["sustained"]:
                    break
        held = [s["rate"] for s in steps if s["sustained"]]
        if args.overload and servers.bot and held:
            # Twice what this process sustained, for OVERLOAD_SECONDS.
            rate = 2 * max(held)
            print(f"    overload at {rate:g}/s", file=sys.stderr, flush=True)
            cpu_before, wall_before = servers.cpu_seconds(), time.perf_counter()
            for _, conn in pipes:
                conn.send(("step", connections / rate, OVERLOAD_SECONDS, GRACE * 4))
            results = [conn.recv() for _, conn in pipes]
            wall = time.perf_counter() - wall_before
            cpu = servers.cpu_seconds() - cpu_before
            overload = summarise(rate, results, cpu, wall, OVERLOAD_SECONDS)
            overload.update(overload_summary(results))
        for _, conn in pipes:
            conn.send(("finish",))
        lost = sum(conn.recv() for _, conn in pipes)
        for process, _ in pipes:
            process.join()
    connected = connections - refused
    return {
        "overload": overload,
        "mode": mode,
        "connections": connections,
        "connected": connected,
        "lost": lost,
        "kb_per_connection": (connected_rss - base_rss) / max(1, connected) / 1024,
        "steps": steps,
    }


def summarise(
    rate: float, results: list[dict[str, Any]], cpu: float, wall: float, duration: float
) -> dict[str, Any]:
    unanswered = sum(r["unanswered"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies"]) + [math.inf] * unanswered
    answered = sum(r["answered"] for r in results)
    errors = sum(r["errors"] for r in results)
    p99 = percentile(latencies, 0.99)
    return {
        "rate": rate,
        "sent": sum(r["sent"] for r in results),
        "answered": answered,
        "answered_per_second": sum(r["in_window"] for r in results) / duration,
        "unanswered": unanswered,
        "errors": errors,
        "busy": sum(r["busy"] for r in results),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": p99,
        "cpu_ms_per_message": cpu * 1000 / answered if answered else float("nan"),
        "server_cpu_percent": cpu / wall * 100,
        "client_cpu_percent": sum(r["client_cpu"] for r in results) / wall * 100,
        "sustained": p99 <= RAMP_P99 * 1000 and not errors and not unanswered,
    }


def overload_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The overload check: admitted turns' p99, the busy notice's p99 from sending, and
    whether every shed turn was answered properly afterwards."""
    parts = [part for r in results for part in r["overload"]]
    admitted = sorted(x for part in parts for x in part["admitted"])
    notice = sorted(x for part in parts for x in part["notice"])
    shed = sum(part["shed"] for part in parts)
    return {
        "admitted_p99": percentile(admitted, 0.99),
        "admitted": len(admitted),
        "notice_p99": percentile(notice, 0.99),
        "shed": shed,
        "shed_answered": sum(part["shed_answered"] for part in parts),
    }


# The report.

STEP_HEADER = (
    f"{'msg/s':>6}{'sent':>7}{'ans/s':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    f"{'errors':>7}{'unans':>6}{'busy':>6}{'cpu ms/msg':>11}{'srv%':>6}{'cli%':>6}"
)


def step_line(step: dict[str, Any]) -> str:
    return (
        f"{step['rate']:>6g}{step['sent']:>7}{step['answered_per_second']:>7.1f}"
        f"{step['p50']:>8.1f}{step['p95']:>8.1f}{step['p99']:>8.1f}{step['errors']:>7}"
        f"{step['unanswered']:>6}{step['busy']:>6}{step['cpu_ms_per_message']:>11.2f}"
        f"{step['server_cpu_percent']:>6.0f}{step['client_cpu_percent']:>6.0f}"
    )


def print_fixed(rows: list[dict[str, Any]]) -> list[str]:
    """The table of one step per mode; returns the failures of ``--max-p99-ratio``."""
    header = f"{'mode':<11}{'conns':>6}{'ok':>6}" + STEP_HEADER + f"{'lost':>5}{'KB/conn':>8}"
    print(header + f"{'p99/echo':>9}")
    print("-" * (len(header) + 9))
    echo_p99 = {r["connections"]: r["steps"][0]["p99"] for r in rows if r["mode"] == "echo"}
    failures = []
    for r in rows:
        step = r["steps"][0]
        ratio = step["p99"] / echo_p99[r["connections"]] if r["connections"] in echo_p99 else None
        print(
            f"{r['mode']:<11}{r['connections']:>6}{r['connected']:>6}{step_line(step)}"
            f"{r['lost']:>5}{r['kb_per_connection']:>8.1f}"
            + (f"{ratio:>9.2f}" if ratio is not None else f"{'':>9}")
        )
        limit = ARGS.max_p99_ratio
        if limit is not None and r["mode"] != "echo" and not (ratio is not None and ratio <= limit):
            failures.append(f"{r['mode']} at {r['connections']} connections: p99/echo {ratio}")
        if r["lost"] and limit is not None:
            failures.append(f"{r['mode']} at {r['connections']} connections lost {r['lost']}")
    return failures


def print_ramp(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        print(
            f"\n{r['mode']}, {r['connected']} of {r['connections']} connections, lost {r['lost']}"
        )
        print(STEP_HEADER)
        print("-" * len(STEP_HEADER))
        for step in r["steps"]:
            print(step_line(step))
        held = [s for s in r["steps"] if s["sustained"]]
        if held:
            best = max(held, key=lambda s: s["rate"])
            stopped = "" if len(held) < len(r["steps"]) else " (the ramp's last step)"
            print(
                f"=> {r['mode']}: {best['rate']:g} msg/s sustained with p99 <= "
                f"{RAMP_P99 * 1000:.0f} ms{stopped}, {best['answered_per_second']:.1f} answered/s"
            )
        else:
            print(f"=> {r['mode']}: not even the first step held p99 <= {RAMP_P99 * 1000:.0f} ms")


def print_overload(rows: list[dict[str, Any]]) -> list[str]:
    """The overload step per bot mode; the failures of its check."""
    failures = []
    for r in rows:
        o = r.get("overload")
        if not o:
            continue
        print(
            f"\n{r['mode']} offered {o['rate']:g} msg/s (twice the ramp's best) for "
            f"{OVERLOAD_SECONDS:g} s: {o['sent']} sent, {o['answered_per_second']:.1f} answered/s; "
            f"admitted at once {o['admitted']}, p99 {o['admitted_p99']:.0f} ms; "
            f"shed {o['shed']} (busy notice p99 {o['notice_p99']:.0f} ms, "
            f"{o['shed_answered']} answered afterwards); lost {r['lost']}, "
            f"unanswered {o['unanswered']}, errors {o['errors']}"
        )
        if r["lost"] or o["unanswered"] or o["errors"]:
            failures.append(f"{r['mode']}: lost/unanswered/errors under overload")
        if o["admitted"] and o["admitted_p99"] > 1000:
            failures.append(f"{r['mode']}: admitted p99 {o['admitted_p99']:.0f} ms > 1 s")
        if o["shed"] and o["notice_p99"] > 1000:
            failures.append(f"{r['mode']}: busy notice p99 {o['notice_p99']:.0f} ms > 1 s")
        if o["shed_answered"] < o["shed"]:
            failures.append(f"{r['mode']}: {o['shed'] - o['shed_answered']} shed turns unanswered")
    return failures


def print_profiles(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        step = r["steps"][0] if r["steps"] else {}
        path = Path(step.get("profile", ""))
        if step.get("profile") and path.is_file():
            print(f"\nProfile of {r['mode']} at {step['rate']:g} msg/s ({path}):")
            profile = Profile(path)
            print(profile.report(step["answered"], step["cpu_ms_per_message"]))


ARGS = argparse.Namespace()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", default="100,1000,5000")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="messages per second, all together"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--modes", default="echo,sqlite,redis")
    parser.add_argument("--workers", type=int, default=3, help="client processes")
    parser.add_argument("--texts", choices=("varied", "repeat"), default="varied")
    parser.add_argument("--ramp", action="store_true", help="raise the rate step by step")
    parser.add_argument("--ramp-rates", default=RAMP_RATES, help="messages per second")
    parser.add_argument("--step", type=float, default=5.0, help="seconds per ramp step")
    parser.add_argument("--max-p99-ratio", type=float, help="fail if bot p99 > this x echo p99")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of the bot here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--overload",
        action="store_true",
        help=f"after the ramp, {OVERLOAD_SECONDS:g} s at twice the highest sustained rate",
    )
    global ARGS
    args = ARGS = parser.parse_args()
    if args.ramp:
        args.duration = args.step
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    rates = [float(r) for r in args.ramp_rates.split(",")] if args.ramp else [args.rate]
    raise_fd_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rows = []
    for connections in [int(c) for c in args.connections.split(",")]:
        for mode in args.modes.split(","):
            print(f"... {mode} with {connections} connections", file=sys.stderr, flush=True)
            rows.append(run_mode(mode, connections, rates, args))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    what = (
        f"ramp of {args.step:g} s steps"
        if args.ramp
        else f"{args.rate:g} messages/s in total for {args.duration:g} s"
    )
    print(f"{what}, texts {args.texts}; {os.cpu_count()} cores shared by servers and clients\n")
    failures: list[str] = []
    if args.ramp:
        print_ramp(rows)
        if args.overload:
            failures = print_overload(rows)
    else:
        failures = print_fixed(rows)
    print_profiles(rows)
    if args.max_p99_ratio is not None or args.overload:
        print("\n" + ("FAIL: " + "; ".join(failures) if failures else "PASS"))
        if failures:
            sys.exit(1)


if __name__ == "__main__":
    main()
