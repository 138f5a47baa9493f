"""Overload: a process runs a bounded number of bot turns; the rest wait in line, oldest
first, after a prompt "many customers are writing" in the customer's language. Against a
real server over real sockets, with the engine held busy by the test (no sleeping)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.engine import ConversationState, Inbound
from chatbot.engine.turn import Turn
from chatbot.handoff.runner import TurnRunner
from chatbot.web import keys
from tests.fixtures import ChatClient, ServerFactory, server_url

TIMEOUT = 10.0


class HeldEngine:
    """Holds the first turn in the engine's thread until released: the process is busy."""

    def __init__(self, runner: TurnRunner) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.order: list[str] = []
        self._done = threading.Condition()
        self._finished = 0
        self._real = runner._turn

    def __call__(self, state: ConversationState, inbound: Inbound) -> Turn:
        self.order.append(inbound.text)
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(TIMEOUT)
        try:
            return self._real(state, inbound)
        finally:
            with self._done:
                self._finished += 1
                self._done.notify_all()

    async def finished(self, count: int) -> None:
        """Wait until the engine has finished ``count`` turns."""

        def wait() -> bool:
            with self._done:
                return self._done.wait_for(lambda: self._finished >= count, TIMEOUT)

        assert await asyncio.get_running_loop().run_in_executor(None, wait)


@pytest.fixture
def held() -> Iterator[list[HeldEngine]]:
    engines: list[HeldEngine] = []
    yield engines
    for engine in engines:  # a failed test must not leave a thread waiting
        engine.release.set()


async def metric(server: TestServer, name: str) -> float:
    async with (
        aiohttp.ClientSession() as http,
        http.get(server_url(server) + "/metrics") as response,
    ):
        text = await response.text()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


async def test_over_capacity_customers_hear_at_once_and_are_answered_oldest_first(
    make_server: ServerFactory, held: list[HeldEngine]
) -> None:
    server = await make_server(turn_capacity=1)
    runner = server.app[keys.TURNS]
    engine = HeldEngine(runner)
    held.append(engine)
    runner._turn = engine  # type: ignore[method-assign]

    first = ChatClient(server_url(server))
    await first.connect(locale="en")
    assert (await first.send("How do I set up email in Outlook?"))["ok"]
    await asyncio.get_running_loop().run_in_executor(None, engine.entered.wait, TIMEOUT)

    # The process is busy: the next customers' messages are stored and acknowledged, and
    # the bot says at once (in their language) that it will answer in a moment.
    second = ChatClient(server_url(server))
    await second.connect(locale="fi")
    third = ChatClient(server_url(server))
    await third.connect(locale="en")
    assert (await second.send("Miten vaihdan sähköpostin salasanan?"))["ok"]
    assert (await third.send("How do I renew my domain?"))["ok"]
    [busy_fi] = await second.wait_for_messages(1)
    [busy_en] = await third.wait_for_messages(1)
    phrases = runner._engine.phrases
    assert busy_fi["from"] == "bot" and busy_fi["text"] == phrases.say("fi", "busy")
    assert busy_en["text"] == phrases.say("en", "busy")
    assert await metric(server, "chatbot_turns_waiting") == 2
    assert await metric(server, "chatbot_turns_deferred_total") == 2
    # The event loop is not behind the engine: health checks and history still answer.
    async with (
        aiohttp.ClientSession() as http,
        http.get(server_url(server) + "/healthz") as response,
    ):
        assert response.status == 200
    history = await second.call("history", {"after": 0})
    assert [m["text"] for m in history["messages"]][-1] == phrases.say("fi", "busy")

    engine.release.set()
    await first.wait_for_messages(1)
    await second.wait_for_messages(2)
    await third.wait_for_messages(2)
    # Oldest first: the Finnish customer wrote before the third one.
    assert engine.order == [
        "How do I set up email in Outlook?",
        "Miten vaihdan sähköpostin salasanan?",
        "How do I renew my domain?",
    ]
    assert second.received[1]["articles"], second.received[1]
    assert third.received[1]["articles"], third.received[1]
    assert runner.waiting == 0
    assert await metric(server, "chatbot_turns_waiting") == 0


async def test_a_waiting_conversation_is_in_line_once_and_told_once(
    make_server: ServerFactory, held: list[HeldEngine]
) -> None:
    server = await make_server(turn_capacity=1)
    runner = server.app[keys.TURNS]
    engine = HeldEngine(runner)
    held.append(engine)
    runner._turn = engine  # type: ignore[method-assign]

    first = ChatClient(server_url(server))
    await first.connect(locale="en")
    assert (await first.send("My website shows a 500 error"))["ok"]
    await asyncio.get_running_loop().run_in_executor(None, engine.entered.wait, TIMEOUT)

    second = ChatClient(server_url(server))
    await second.connect(locale="en")
    assert (await second.send("hello"))["ok"]
    await second.wait_for_messages(1)
    assert (await second.send("How do I point my domain to your nameservers?"))["ok"]
    assert runner.waiting == 1

    engine.release.set()
    await engine.finished(3)
    assert runner.waiting == 0
    # One turn for the waiting conversation answered both of its messages; the customer
    # was told to wait once.
    assert engine.order[1:] == ["hello", "How do I point my domain to your nameservers?"]
    await second.wait_for_messages(3)
    texts = [m["text"] for m in second.received]
    assert texts.count(runner._engine.phrases.say("en", "busy")) == 1, texts
    assert texts[0] == runner._engine.phrases.say("en", "busy"), texts
