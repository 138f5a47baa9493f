"""One anonymous address attacks a running server: what does everyone else see?

    python benchmarks/hostile.py [--seconds 20] [--flooders 8] [--no-fair-use]

Starts ``chatbot serve`` (SQLite, domain checks off; the product's fair-use limits, or with
``--no-fair-use`` none, so that every message of the flood reaches the bot) and, at once:

* ``--flooders`` sockets send 4,000-character messages of made-up domain names and words
  as fast as they are acknowledged (the costliest input the review found);
* a probe asks ``/healthz`` ten times a second;
* a real customer asks a question every two seconds and times the bot's reply.

Then it opens bare engine.io websockets from the same address until the server refuses
one, and sends a BINARY_EVENT that announces 60 attachments followed by 60 one-megabyte
frames. It prints ``/healthz`` p50/p99, the customer's reply p50/p99, the server's CPU
and RSS before and after, how many bare sockets were accepted, and the RSS growth from
the attachment frames.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
import socketio

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def costly_message(rng: random.Random) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < 3990:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 11)))
        parts.append(word + rng.choice([".com", ".no", ".fi", "", ""]))
    return " ".join(parts)[:4000]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def flooder(url: str, stop: asyncio.Event, seed: int, sent: list[int]) -> None:
    rng = random.Random(seed)
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"], auth={"locale": "en"})
    n = 0
    while not stop.is_set():
        n += 1
        text = costly_message(rng)
        with contextlib.suppress(Exception):
            ack = await client.call("message", {"id": f"f{seed}-{n}", "text": text}, timeout=30)
            if ack.get("ok"):
                sent.append(1)
            else:
                await asyncio.sleep(0.05)  # refused (fair use): try again at once, nearly
    await client.disconnect()


async def health_probe(url: str, stop: asyncio.Event, times: list[float]) -> None:
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            started = time.perf_counter()
            async with http.get(f"{url}/healthz") as response:
                await response.read()
            times.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)


async def customer(url: str, stop: asyncio.Event, times: list[float]) -> None:
    client = socketio.AsyncClient(reconnection=False)
    answered = asyncio.Queue[float]()

    async def on_message(data: dict[str, object]) -> None:
        if data.get("from") == "bot":
            answered.put_nowait(time.perf_counter())

    client.on("message", on_message)
    await client.connect(url, transports=["websocket"], auth={"locale": "en"})
    n = 0
    while not stop.is_set():
        n += 1
        while not answered.empty():
            answered.get_nowait()
        started = time.perf_counter()
        await client.call("message", {"id": f"c{n}", "text": "how do I change my php version"})
        with contextlib.suppress(TimeoutError):
            done = await asyncio.wait_for(answered.get(), 30)
            times.append((done - started) * 1000)
        await asyncio.sleep(2)
    await client.disconnect()


async def bare_sockets(url: str, limit: int) -> int:
    ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    opened = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        for _ in range(limit):
            try:
                ws = await http.ws_connect(ws_url)
            except aiohttp.WSServerHandshakeError:
                break
            opened.append(ws)
        count = len(opened)
        for ws in opened:
            await ws.close()
    return count


async def attachment_frames(url: str) -> None:
    ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(ws_url, compress=15)
        await ws.receive()
        await ws.send_str('40{"locale":"en"}')
        placeholder = {"_placeholder": True, "num": 0}
        await ws.send_str("4560-1" + json.dumps(["attach", {"id": "a", "data": placeholder}]))
        with contextlib.suppress(Exception):
            for _ in range(60):
                await ws.send_bytes(b"\x00" * (1024 * 1024))
        await asyncio.sleep(1)
        await ws.close()


async def attack(url: str, pid: int, seconds: float, flooders: int) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(1200):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        break
            await asyncio.sleep(0.1)
    process = psutil.Process(pid)
    rss0, cpu0 = process.memory_info().rss, sum(process.cpu_times()[:2])
    stop = asyncio.Event()
    health: list[float] = []
    replies: list[float] = []
    sent: list[int] = []
    tasks = [asyncio.create_task(flooder(url, stop, i, sent)) for i in range(flooders)]
    tasks.append(asyncio.create_task(health_probe(url, stop, health)))
    tasks.append(asyncio.create_task(customer(url, stop, replies)))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    rss1, cpu1 = process.memory_info().rss, sum(process.cpu_times()[:2])
    accepted = await bare_sockets(url, 3000)
    rss2 = process.memory_info().rss
    await attachment_frames(url)
    rss3 = process.memory_info().rss
    print(
        f"flood: {flooders} sockets, {len(sent)} costly messages acknowledged "
        f"in {seconds:g} s, server CPU {cpu1 - cpu0:.1f} s"
    )
    print(
        f"/healthz ms: p50 {statistics.median(health):.1f}  p99 {pct(health, 0.99):.1f}"
        f"  max {max(health):.1f}  ({len(health)} probes)"
    )
    print(
        f"a real customer's reply ms: p50 {pct(replies, 0.5):.0f}  "
        f"p99 {pct(replies, 0.99):.0f}  ({len(replies)} questions)"
    )
    print(f"RSS MB: before {rss0 / 2**20:.0f}, after the flood {rss1 / 2**20:.0f}")
    print(f"bare engine.io sockets accepted from one address: {accepted} of 3000 tried")
    print(
        f"60 x 1 MB frames after a 60-attachment packet: RSS "
        f"{rss2 / 2**20:.0f} -> {rss3 / 2**20:.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument(
        "--no-fair-use", action="store_true", help="lift the per-visitor message limit"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    port = free_port()
    env = {**os.environ, "CHATBOT_DIAGNOSTICS": "0", "CHATBOT_LOG_LEVEL": "WARNING"}
    if args.no_fair_use:
        env |= {"CHATBOT_MESSAGE_BURST": "1000000", "CHATBOT_MESSAGES_PER_SECOND": "1000000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--port", str(port), "--data-dir", str(tmp)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(attack(f"http://127.0.0.1:{port}", server.pid, args.seconds, args.flooders))
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # still draining the flood's queued turns
            server.kill()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
