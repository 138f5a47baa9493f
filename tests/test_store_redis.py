"""What only the Redis store has: a server that restarts, dies or hangs, and many processes.

The behaviour every backend shares is in ``test_store_contract.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from chatbot.errors import Conflict, StoreUnavailable
from chatbot.store.base import NewAgent, NewIncident, NewMessage, NewTicket, Note
from chatbot.store.redis import RedisStore
from tests.redis_server import RedisServer

OpenStore = Callable[..., AbstractAsyncContextManager[RedisStore]]


@pytest.fixture
def open_store(redis_server: RedisServer) -> OpenStore:
    """Open a RedisStore on the test's server, as one more server process would."""

    @asynccontextmanager
    async def opened(**options: Any) -> AsyncIterator[RedisStore]:
        store = RedisStore(redis_server.url, **options)
        await store.open()
        try:
            yield store
        finally:
            await store.close()

    return opened


def message(id: str, at: float = 1.0, **data: Any) -> NewMessage:
    return NewMessage(id=id, sender="customer", text=f"text of {id}", at=at, data=data)


def ticket(conversation_id: str, visitor_id: str, source: str) -> NewTicket:
    return NewTicket(
        conversation_id=conversation_id,
        visitor_id=visitor_id,
        service="email",
        title="Mail is not sent",
        language="en",
        priority="high",
        fields={"domain": "example.com"},
        missing=(),
        expected_response=None,
        created_at=5.0,
        source=source,
    )


def agent(email: str) -> NewAgent:
    return NewAgent(email=email, name=email, role="agent", password_hash="x", created_at=1.0)


async def test_what_was_acknowledged_survives_redis_being_killed(
    redis_server: RedisServer, open_store: OpenStore
) -> None:
    async with open_store() as store:
        conversation = await store.conversation_for_visitor("v1", "en", now=1.0)
        await store.append_messages(conversation.id, [message("m1"), message("m2")], state={"k": 1})
        filed = await store.create_ticket(ticket(conversation.id, "v1", "src-1"), "HS")
        alice = await store.add_agent(agent("alice@example.com"))
        await store.claim_ticket(filed.number, alice.id, max_chats=3, now=6.0)

        redis_server.kill()  # SIGKILL: no chance to write anything more
        redis_server.start()

        # The same store object, without reopening: it reconnects by itself.
        again = await store.conversation_for_visitor("v1", "en", now=2.0)
        assert again.id == conversation.id and dict(again.state) == {"k": 1}
        assert [m.id for m in await store.messages_after(conversation.id, 0, 10)] == ["m1", "m2"]
        assert [t.number for t in await store.tickets_for_agent(alice.id)] == [filed.number]
        [(stored, created)] = await store.append_messages(conversation.id, [message("m3")])
        assert created and stored.seq == 3
        second = await store.create_ticket(ticket(conversation.id, "v1", "src-2"), "HS")
        assert int(second.number.split("-")[1]) == int(filed.number.split("-")[1]) + 1


async def test_while_redis_is_down_calls_fail_fast_and_work_again_when_it_is_back(
    redis_server: RedisServer, open_store: OpenStore
) -> None:
    async with open_store() as store:
        conversation = await store.conversation_for_visitor("v1", "en", now=1.0)
        redis_server.kill()

        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            await store.append_messages(conversation.id, [message("lost")])
        with pytest.raises(StoreUnavailable):
            await store.ping()
        assert time.monotonic() - started < 3.0
        assert raised.value.code == "temporarily_unavailable"

        redis_server.start()
        await store.ping()
        [(stored, created)] = await store.append_messages(conversation.id, [message("kept")])
        assert created and stored.seq == 1


async def test_a_hung_redis_is_unavailable_after_the_timeout_not_forever(
    redis_server: RedisServer, open_store: OpenStore
) -> None:
    async with open_store(timeout=0.5) as store:
        await store.ping()
        redis_server.pause()
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await store.get_conversation("c_any")
            assert time.monotonic() - started < 2.0
        finally:
            redis_server.resume()
        await store.ping()
        assert await store.get_conversation("c_any") is None


async def test_two_processes_claiming_the_same_tickets_never_both_win(
    open_store: OpenStore,
) -> None:
    async with open_store() as first, open_store() as second:
        alice = await first.add_agent(agent("alice@example.com"))
        bob = await second.add_agent(agent("bob@example.com"))
        numbers = []
        for i in range(20):
            conversation = await first.conversation_for_visitor(f"v{i}", "en", now=1.0)
            filed = await first.create_ticket(ticket(conversation.id, f"v{i}", f"s{i}"), "HS")
            numbers.append(filed.number)

        for number in numbers:
            outcomes = await asyncio.gather(
                first.claim_ticket(number, alice.id, max_chats=100, now=2.0),
                second.claim_ticket(number, bob.id, max_chats=100, now=2.0),
                return_exceptions=True,
            )
            winners = [o for o in outcomes if not isinstance(o, BaseException)]
            losers = [o for o in outcomes if isinstance(o, Conflict)]
            assert len(winners) == 1 and len(losers) == 1
            assert losers[0].code == "already_claimed"
            assert (await second.get_ticket(number)).assignee == winners[0].assignee  # type: ignore[union-attr]


async def test_two_processes_appending_at_once_never_share_a_seq(open_store: OpenStore) -> None:
    async with open_store() as first, open_store() as second:
        conversation = await first.conversation_for_visitor("v", "en", now=1.0)
        await asyncio.gather(
            *(
                (first if i % 2 else second).append_messages(conversation.id, [message(f"p{i}")])
                for i in range(60)
            )
        )
        stored = await second.messages_after(conversation.id, 0, 100)
        assert [m.seq for m in stored] == list(range(1, 61))
        assert sorted(m.id for m in stored) == sorted(f"p{i}" for i in range(60))


async def leftovers(url: str, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every key, and every member, field or value of one, that mentions a needle."""
    client: Redis = Redis.from_url(url, decode_responses=True)
    found = []
    try:
        for key in map(str, await client.keys("*")):
            kind = await client.type(key)
            content: list[Any] = [key]
            if kind == "hash":
                content += [f"{k!s}={v!s}" for k, v in (await client.hgetall(key)).items()]
            elif kind == "zset":
                content += await client.zrange(key, 0, -1)
            elif kind == "set":
                content += await client.smembers(key)
            elif kind == "list":
                content += await client.lrange(key, 0, -1)
            found += [(key, str(t)) for t in content if any(n in str(t) for n in needles)]
    finally:
        await client.aclose()
    return found


@pytest.mark.parametrize("how", ["delete_visitor", "purge"])
async def test_erasing_a_conversation_leaves_no_key_or_index_entry_behind(
    redis_server: RedisServer, open_store: OpenStore, how: str
) -> None:
    async with open_store() as store:
        alice = await store.add_agent(agent("alice@example.com"))
        outage = await store.create_incident(
            NewIncident(
                service="email",
                targets=(),
                messages={"en": "Mail is slow"},
                started_at=1.0,
                created_by=alice.id,
                created_at=1.0,
            )
        )
        kept = await store.conversation_for_visitor("kept", "en", now=1.0)
        await store.append_messages(kept.id, [message("k1", at=50.0)])
        conversation = await store.conversation_for_visitor("gone", "en", now=1.0)
        await store.append_messages(conversation.id, [message("m1", articles=[{"id": "a"}])])
        filed = await store.create_ticket(ticket(conversation.id, "gone", "src"), "HS")
        await store.claim_ticket(filed.number, alice.id, max_chats=3, now=6.0)
        await store.link_ticket(filed.number, outage.id, now=7.0)
        await store.add_note(Note(ticket=filed.number, id="n1", agent_id=alice.id, text="hm", at=8))
        await store.close_ticket(filed.number, "fixed", now=9.0)
        await store.rate_ticket(filed.number, 5, "thanks", now=9.5)

        if how == "purge":
            assert await store.purge_conversations(before=20.0) == [conversation.id]
        else:
            assert await store.delete_visitor("gone") == [conversation.id]

        needles = ("gone", conversation.id, filed.number, "m1", "src")
        assert await leftovers(redis_server.url, needles) == []
        assert await leftovers(redis_server.url, (kept.id,)) != []
        assert await store.get_agent(alice.id) is not None
        assert await store.get_incident(outage.id) is not None


async def test_idle_rate_limit_buckets_and_sessions_expire_by_themselves(
    redis_server: RedisServer, open_store: OpenStore
) -> None:
    async with open_store(prefix="t2:") as store:
        await store.take_token("ip:1", burst=5, rate=1.0, now=100.0)
        alice = await store.add_agent(agent("alice@example.com"))
        await store.create_session("hash1", alice.id, created_at=100.0, expires_at=3700.0)
        await store.bump_counter("failed-logins", ttl=60)
        client: Redis = Redis.from_url(redis_server.url, decode_responses=True)
        try:
            keys = await client.keys("t2:*")
            ttls = {key: await client.ttl(key) for key in keys}
        finally:
            await client.aclose()
        expiring = {key for key, ttl in ttls.items() if ttl > 0}
        assert {"t2:bucket:ip:1", "t2:s:hash1", "t2:counter:n:failed-logins"} <= expiring
        assert 0 < ttls["t2:bucket:ip:1"] <= 6 and 3500 < ttls["t2:s:hash1"] <= 3600


async def test_a_conversation_stored_before_the_report_fields_is_counted_from_its_messages(
    redis_server: RedisServer, open_store: OpenStore
) -> None:
    async with open_store() as store:
        old = await store.conversation_for_visitor("old", "en", now=100.0)
        article = NewMessage(
            id="#b1.0", sender="bot", text="See", at=101.5, data={"articles": [{"id": "a"}]}
        )
        yes = NewMessage(
            id="#b3.0", sender="bot", text="Good", at=103.0, data={"feedback": "confirmed"}
        )
        await store.append_messages(old.id, [message("q", at=100.0), article])
        await store.append_messages(old.id, [message("yes", at=102.0), yes])
        [fresh] = await store.conversation_stats(since=0.0, until=200.0)
        # As an older version stored it: had_article only.
        redis = Redis.from_url(redis_server.url)
        try:
            keys = await redis.keys(f"*c:{old.id}")
            assert len(keys) == 1
            fields = ("article_seq", "article_at", "kb_confirmed", "customer_seq")
            assert await redis.hdel(keys[0], *fields) == len(fields)
        finally:
            await redis.aclose()
        [legacy] = await store.conversation_stats(since=0.0, until=200.0)
    assert legacy == fresh
    assert (legacy.article_at, legacy.confirmed, legacy.wrote_after_article) == (101.5, True, True)
