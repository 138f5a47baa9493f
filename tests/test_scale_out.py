"""Scale-out: several server processes on one Redis behave as one service.

Most scenarios run two complete applications in this test process, each with its own
Socket.IO server and Redis connections (what two processes would have); the crash test
starts two real ``chatbot serve`` processes and kills one with SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.fixtures import (
    AgentClient,
    ChatClient,
    ServerFactory,
    add_agent,
    free_port,
    login,
    server_url,
)
from tests.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def pair(make_server: ServerFactory, redis: RedisServer) -> tuple[TestServer, TestServer]:
    """Two servers on one Redis (sharing a data dir, as the deployment guide says)."""
    first = await make_server(redis_url=redis.url)
    second = await make_server(redis_url=redis.url)
    return first, second


async def agent_on(server: TestServer, email: str, name: str) -> AgentClient:
    token = await login(server, *await add_agent(server, email, name))
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    return agent


async def health(server: TestServer) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http:
        response = await http.get(server.make_url("/healthz"))
        return response.status, await response.json()


async def test_a_customer_on_one_process_chats_with_an_agent_on_another(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    one, two = await pair(make_server, redis_server)
    ana = await agent_on(two, "ana@support.example", "Ana")
    customer = ChatClient(server_url(one))
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a real person about kafebar.no")
    [ticket] = customer.tickets
    number = ticket["number"]
    # Ana, on the other process, is online: the customer is told their place in the queue.
    system = [m for m in customer.received if m["from"] == "system"]
    assert system[-1]["event"] == "queue_position"
    await ana.wait_for("queue", lambda d: any(t["number"] == number for t in d["tickets"]))

    before = len(customer.received)
    assert (await ana.call("claim", {"ticket": number}))["ok"]
    joined = await customer.wait_for_messages(before + 1)
    assert joined[-1]["from"] == "system" and joined[-1]["agent"] == {"name": "Ana"}

    reply = await ana.call("message", {"ticket": number, "id": "a1", "text": "Hello from Ana"})
    assert reply["ok"]
    received = await customer.wait_for_messages(before + 2)
    assert received[-1]["text"] == "Hello from Ana" and received[-1]["seq"] == reply["seq"]

    ack = await customer.send("Thanks, kafebar.no shows error 500")
    assert ack["ok"]
    heard = await ana.wait_for("message", lambda d: d.get("id") == ack["id"])
    assert heard["text"] == "Thanks, kafebar.no shows error 500"


async def test_every_agent_sees_one_queue_and_only_one_claim_wins(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    one, two = await pair(make_server, redis_server)
    ana = await agent_on(one, "ana@support.example", "Ana")
    ivan = await agent_on(two, "ivan@support.example", "Ivan")
    numbers = []
    for server in (one, two, one):
        customer = ChatClient(server_url(server))
        await customer.connect(locale="en")
        await customer.ask_for_person("I want to talk to a real person about kafebar.no")
        numbers.append(customer.tickets[0]["number"])
    for agent in (ana, ivan):
        await agent.wait_for("queue", lambda d: len(d["tickets"]) == 3)
        snapshot = await agent.call("snapshot")
        assert [t["number"] for t in snapshot["queue"]] == numbers
        # Both agents are online, whichever process they are on.
        online = {a["name"]: a["status"] for a in snapshot["agents"]}
        assert online == {"Ana": "online", "Ivan": "online"}

    for number in numbers:
        results = await asyncio.gather(
            ana.call("claim", {"ticket": number}), ivan.call("claim", {"ticket": number})
        )
        winners = [r for r in results if r["ok"]]
        losers = [r for r in results if not r["ok"]]
        assert len(winners) == 1, results
        assert losers[0]["error"]["code"] == "already_claimed"


async def test_presence_and_fair_use_are_shared_by_the_processes(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    one, two = await pair(make_server, redis_server)
    ana = await agent_on(one, "ana@support.example", "Ana")
    assert (await ana.call("presence", {"status": "away"}))["ok"]
    # The only agent is away: a customer on the other process hears when to expect an answer.
    customer = ChatClient(server_url(two))
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a real person about kafebar.no")
    system = [m for m in customer.received if m["from"] == "system"]
    assert system[-1]["event"] == "queue_offline"

    # One visitor's message bucket is the same on both processes.
    flooder = await make_server(redis_url=redis_server.url, message_burst=3)
    other = await make_server(redis_url=redis_server.url, message_burst=3)
    first = ChatClient(server_url(flooder))
    session = await first.connect(locale="en")
    second = ChatClient(server_url(other))
    await second.connect(locale="en", visitor_token=session["visitor_token"])
    acks = [await client.send("hello") for client in (first, second, first, second)]
    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert acks[-1]["error"]["code"] == "rate_limited"


async def test_a_redis_outage_is_reported_and_the_service_recovers_by_itself(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    one, two = await pair(make_server, redis_server)
    customer = ChatClient(server_url(one))
    await customer.connect(locale="en")
    assert await customer.say("how do I set up mail on my iphone")

    redis_server.stop()
    for server in (one, two):
        status, body = await health(server)
        assert status == 503 and body["status"] == "unavailable"
    # A clear, temporary error instead of silence; the widget keeps the message and retries.
    ack = await customer.send("are you there?", id="during-outage")
    assert not ack["ok"] and ack["error"]["code"] == "temporarily_unavailable"
    refused = ChatClient(server_url(two))
    with pytest.raises(Exception):  # noqa: B017 - socketio raises its own ConnectionError
        await refused.connect(locale="en")
    assert refused.refused["data"]["code"] == "temporarily_unavailable"

    redis_server.start()
    for server in (one, two):
        status, _ = await health(server)
        assert status == 200
    await subscribed(redis_server, 2)
    # Events published during the outage are lost to pub/sub: the server says "resync".
    await asyncio.wait_for(customer.resynced.wait(), 15)
    # The same message id, resent, is stored once and answered; the old session goes on.
    replies = await customer.say("how do I set up mail on my iphone")
    assert replies
    history = await customer.call("history", {"after": 0})
    assert [m["text"] for m in history["messages"] if m["from"] == "customer"] == [
        "how do I set up mail on my iphone",
        "how do I set up mail on my iphone",
    ]
    # Emits cross processes again: an agent on the other process hears the customer.
    ana = await agent_on(two, "ana@support.example", "Ana")
    await customer.ask_for_person("I want to talk to a real person about kafebar.no")
    number = customer.tickets[-1]["number"]
    await ana.wait_for("queue", lambda d: any(t["number"] == number for t in d["tickets"]))


async def subscribed(redis: RedisServer, processes: int) -> None:
    """Wait until every process has resubscribed to the Socket.IO channel (they retry
    every half second after an outage)."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis.url)
    try:
        deadline = time.monotonic() + 10
        while True:
            [(_, count)] = await client.pubsub_numsub("chatbot:socketio")
            if count >= processes:
                return
            assert time.monotonic() < deadline, f"{count} of {processes} resubscribed"
            await asyncio.sleep(0.1)  # Redis' own state: nothing to await
    finally:
        await client.aclose()


# Real processes: SIGKILL one, the customer carries on with the other.

CHATBOT = [sys.executable, "-m", "chatbot"]


class Process:
    def __init__(self, tmp: Path, redis: RedisServer, name: str) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        with self.log.open("w") as output:
            self.popen = subprocess.Popen(
                [
                    *CHATBOT,
                    "serve",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(tmp / "data"),
                    "--redis-url",
                    redis.url,
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    assert json.loads(response.read())["backend"] == "redis"
                    return
            except OSError:
                assert self.popen.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)  # a process we do not control: nothing to await

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()


@pytest.fixture
def processes(tmp_path: Path, redis_server: RedisServer) -> Iterator[list[Process]]:
    started = [Process(tmp_path, redis_server, name) for name in ("one", "two")]
    try:
        for process in started:
            process.wait_healthy()
        yield started
    finally:
        for process in started:
            process.stop()


async def test_a_process_killed_mid_chat_loses_no_acknowledged_message(
    processes: list[Process],
) -> None:
    one, two = processes
    customer = ChatClient(one.url)
    session = await customer.connect(locale="en")
    sent = [
        "my mail doesn't send from outlook",
        "it says 550 relaying denied",
        "since this morning",
    ]
    acked = []
    for text in sent:
        ack = await customer.send(text)
        assert ack["ok"]
        acked.append(ack["id"])
    one.popen.send_signal(signal.SIGKILL)
    one.popen.wait()
    await customer.disconnect()

    # The widget reconnects (the load balancer now sends it to the other process) and
    # catches up with history from the last seq it saw.
    again = ChatClient(two.url)
    resumed = await again.connect(locale="en", visitor_token=session["visitor_token"])
    assert resumed["conversation_id"] == session["conversation_id"]
    history = await again.call("history", {"after": 0})
    stored = {m["id"] for m in history["messages"]}
    assert set(acked) <= stored
    # And the bot answers on the surviving process.
    assert await again.say("how do I set up mail on my iphone")


async def test_erasing_a_customer_ends_their_chat_on_every_process(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    from tests.fixtures import bearer
    from tests.test_privacy import admin_token, visitor_of

    one, two = await pair(make_server, redis_server)
    customer = ChatClient(server_url(two))
    await customer.connect(locale="en")
    await customer.say("my website shows error 500")
    token = await admin_token(one)
    async with aiohttp.ClientSession() as http:
        response = await http.delete(
            one.make_url(f"/api/customers/{visitor_of(customer)}"), headers=bearer(token)
        )
        assert response.status == 200, await response.text()
    for _ in range(200):  # the other process hears it over Redis
        if not customer.sio.connected:
            break
        await asyncio.sleep(0.05)
    assert not customer.sio.connected
