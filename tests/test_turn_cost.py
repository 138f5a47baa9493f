"""What a customer's message costs the store, through a real server and a real store: the
message and its safety net in one transaction, the bot's replies and the new state in one
more, no read the turn does not need; and one store call per heartbeat for all of a
process's customers."""

from __future__ import annotations

from collections import Counter
from typing import cast

from aiohttp.test_utils import TestServer

from chatbot.handoff.broadcast import Broadcaster
from chatbot.handoff.presence import CustomerPresence
from chatbot.store.redis import RedisStore
from chatbot.web import keys
from tests.fixtures import ChatClient, ServerFactory, server_url
from tests.redis_server import RedisServer
from tests.store_meter import StoreMeter

QUESTIONS = (
    "How do I set up email in Outlook?",
    "my website shows a 500 error",
    "thanks",
)


async def measured_turns(server: TestServer) -> list[tuple[Counter[str], int]]:
    """Each question sent and answered alone; the store's work from the send until the
    turn runner is idle again (its last lease dropped): store calls by method, and SQLite's
    commits."""
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    runner = server.app[keys.TURNS]
    await customer.say("hello")
    await runner.drain()
    measured = []
    meter = StoreMeter(server.app[keys.STORE])
    for text in QUESTIONS:
        meter.reset()
        assert await customer.say(text), text
        await runner.drain()
        measured.append((meter.calls.copy(), meter.sqlite_commits))
    return measured


async def test_a_message_and_its_answer_are_two_transactions_on_sqlite(
    make_server: ServerFactory,
) -> None:
    """The customer's message with its safety-net turn in one commit (acknowledged at
    once), the bot's replies with the conversation's new state in one more."""
    server = await make_server()
    for calls, commits in await measured_turns(server):
        assert commits == 2, calls
        assert calls["append_messages"] == 2 and calls["enqueue"] == 0, calls
        # One read each of what the turn needs: the conversation, what is pending, the
        # customer's tickets (and one more of them to tell the consoles about the message).
        assert calls["get_conversation"] == 1, calls
        assert calls["messages_after"] == 1, calls
        assert calls["tickets_for_visitor"] <= 2, calls


async def test_a_message_and_its_answer_are_two_scripts_on_redis(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    server = await make_server(redis_url=redis_server.url)
    for calls, _ in await measured_turns(server):
        assert calls["append_messages"] == 2 and calls["enqueue"] == 0, calls
        assert calls["get_conversation"] == 1, calls
        assert calls["messages_after"] == 1, calls
        assert calls["tickets_for_visitor"] <= 2, calls


class Customers:
    """A process with these conversations' customers connected."""

    def __init__(self, conversation_ids: list[str]) -> None:
        self.ids = conversation_ids

    def conversations_here(self) -> list[str]:
        return list(self.ids)

    def customer_here(self, conversation_id: str) -> bool:
        return conversation_id in self.ids


async def test_one_heartbeat_keeps_every_customer_online_in_one_store_call(
    redis_server: RedisServer,
) -> None:
    store = RedisStore(redis_server.url)
    await store.open()
    try:
        here = [f"c_{n}" for n in range(200)]
        meter = StoreMeter(store)
        mine = CustomerPresence(store, cast(Broadcaster, Customers(here)), shared=True)
        await mine.refresh()
        assert meter.total() == 1, meter.calls
        # Another process sees each of them online.
        other = CustomerPresence(store, cast(Broadcaster, Customers([])), shared=True)
        assert all([await other.online(c) for c in here[::20]])
        assert not await other.online("c_elsewhere")
    finally:
        await store.close()
