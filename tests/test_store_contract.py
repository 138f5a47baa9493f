"""The contract every ``Store`` backend keeps. Redis joins the parameter list later."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from chatbot.errors import Conflict, NotFound, StoreUnavailable
from chatbot.store import NewMessage, Store
from chatbot.store.base import (
    Agent,
    ConversationStat,
    Incident,
    NewAgent,
    NewIncident,
    NewTicket,
    NewWork,
    Note,
    Ticket,
)
from chatbot.store.sqlite import MIGRATIONS, SQLiteStore
from tests.redis_server import ServedRedisStore

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SQLiteStore(tmp / "store.sqlite3"),
    "redis": lambda tmp: ServedRedisStore(tmp / "redis"),
}


@pytest.fixture(params=sorted(BACKENDS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend = BACKENDS[request.param](tmp_path)
    await backend.open()
    yield backend
    await backend.close()


def msg(id: str, text: str = "hello", sender: str = "customer", at: float = 1.0) -> NewMessage:
    return NewMessage(id=id, sender=sender, text=text, at=at)  # type: ignore[arg-type]


async def test_a_visitor_gets_one_conversation_and_keeps_it(store: Store) -> None:
    first = await store.conversation_for_visitor("visitor-a", "fi", now=10.0)
    again = await store.conversation_for_visitor("visitor-a", "en", now=20.0)
    other = await store.conversation_for_visitor("visitor-b", "en", now=20.0)
    assert first.id == again.id
    assert again.language == "fi" and again.last_seq == 0 and dict(again.state) == {}
    assert other.id != first.id
    assert await store.get_conversation(first.id) == first
    assert await store.get_conversation("c_nope") is None


async def test_a_new_conversation_becomes_the_visitors_current_one(store: Store) -> None:
    first = await store.conversation_for_visitor("visitor-a", "fi", now=10.0)
    # Still empty: asking again makes no second empty conversation.
    assert (await store.start_conversation("visitor-a", "fi", now=11.0)).id == first.id
    await store.append_messages(first.id, [msg("a", "my mail bounces", at=12.0)])
    second = await store.start_conversation("visitor-a", "en", now=13.0)
    assert second.id != first.id and second.last_seq == 0 and second.language == "en"
    assert (await store.conversation_for_visitor("visitor-a", "fi", now=14.0)).id == second.id
    # A clock that stepped back still starts the new one after the current one.
    await store.append_messages(second.id, [msg("b", at=15.0)])
    third = await store.start_conversation("visitor-a", "en", now=5.0)
    assert third.created_at > second.created_at
    assert (await store.conversation_for_visitor("visitor-a", "en", now=16.0)).id == third.id


async def test_a_visitor_lists_only_their_own_conversations_with_messages(store: Store) -> None:
    ids = []
    for n in range(5):
        conversation = await store.start_conversation("visitor-a", "en", now=100.0 + n)
        texts = [msg(f"b{n}", "Hello! How can I help?", sender="bot", at=100.5 + n)]
        texts.append(msg(f"c{n}", f"question {n}", at=100.6 + n))
        texts.append(msg(f"d{n}", "and more", at=100.7 + n))
        await store.append_messages(conversation.id, texts)
        ids.append(conversation.id)
    empty = await store.start_conversation("visitor-a", "en", now=200.0)
    other = await store.start_conversation("visitor-b", "en", now=150.0)
    await store.append_messages(other.id, [msg("x", "not yours")])
    listed = await store.conversations_of("visitor-a", 0, 3)
    assert [c.id for c in listed] == ids[::-1][:3]
    assert [c.first_message for c in listed] == ["question 4", "question 3", "question 2"]
    newest = listed[0]
    assert newest.last_seq == 3 and newest.created_at == 104.0 and newest.updated_at == 104.7
    rest = await store.conversations_of("visitor-a", 3, 3)
    assert [c.id for c in rest] == ids[::-1][3:]
    assert empty.id not in {c.id for c in listed + rest}
    assert [c.id for c in await store.conversations_of("visitor-b")] == [other.id]
    assert await store.conversations_of("visitor-c") == []


async def test_seq_grows_by_one_per_message_whoever_sends_it(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    stored = await store.append_messages(conversation.id, [msg("a"), msg("#b1.0", sender="bot")])
    stored += await store.append_messages(conversation.id, [msg("b")])
    assert [(m.seq, created) for m, created in stored] == [(1, True), (2, True), (3, True)]
    after = await store.messages_after(conversation.id, 1, 10)
    assert [(m.seq, m.id, m.sender) for m in after] == [(2, "#b1.0", "bot"), (3, "b", "customer")]
    refreshed = await store.get_conversation(conversation.id)
    assert refreshed is not None and refreshed.last_seq == 3


async def test_a_message_id_is_stored_once(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    [(first, created)] = await store.append_messages(conversation.id, [msg("x", "first")])
    [(again, created_again)] = await store.append_messages(conversation.id, [msg("x", "changed")])
    assert created and not created_again
    assert again == first and again.text == "first"
    assert len(await store.messages_after(conversation.id, 0, 10)) == 1


async def test_the_same_id_in_two_conversations_is_two_messages(store: Store) -> None:
    one = await store.conversation_for_visitor("v1", "en", now=1.0)
    two = await store.conversation_for_visitor("v2", "en", now=1.0)
    await store.append_messages(one.id, [msg("same")])
    [(stored, created)] = await store.append_messages(two.id, [msg("same")])
    assert created and stored.seq == 1 and stored.conversation_id == two.id


async def test_state_and_language_change_with_the_messages(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    await store.append_messages(
        conversation.id,
        [msg("#b1.0", sender="bot", at=5.0)],
        state={"awaiting": "solved", "nested": {"list": [1, 2]}},
        language="hu",
    )
    refreshed = await store.get_conversation(conversation.id)
    assert refreshed is not None
    assert dict(refreshed.state) == {"awaiting": "solved", "nested": {"list": [1, 2]}}
    assert refreshed.language == "hu" and refreshed.updated_at == 5.0


async def test_message_data_and_unicode_round_trip(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    data = {"lang": "ru", "ask": {"field": "solved", "options": [{"value": "yes", "label": "Да"}]}}
    text = "Почта не уходит 📧 <img src=x onerror=alert(1)> \u0000?"
    message = NewMessage(id="u", sender="bot", text=text, at=2.5, data=data)
    await store.append_messages(conversation.id, [message])
    [stored] = await store.messages_after(conversation.id, 0, 10)
    assert stored.text == text and stored.data == data and stored.at == 2.5


async def test_history_is_paged(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    await store.append_messages(conversation.id, [msg(f"m{i}") for i in range(25)])
    page = await store.messages_after(conversation.id, 10, 5)
    assert [m.seq for m in page] == [11, 12, 13, 14, 15]


async def test_appending_to_an_unknown_conversation_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.append_messages("c_missing", [msg("a")])


async def test_concurrent_appends_never_share_a_seq(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    await asyncio.gather(
        *(store.append_messages(conversation.id, [msg(f"p{i}")]) for i in range(40))
    )
    seqs = [m.seq for m in await store.messages_after(conversation.id, 0, 100)]
    assert seqs == list(range(1, 41))


async def test_sqlite_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "persist.sqlite3"
    first = SQLiteStore(path)
    await first.open()
    conversation = await first.conversation_for_visitor("v", "en", now=1.0)
    await first.append_messages(conversation.id, [msg("kept")], state={"k": 1})
    await first.close()
    second = SQLiteStore(path)
    await second.open()
    reopened = await second.conversation_for_visitor("v", "en", now=2.0)
    assert reopened.id == conversation.id and dict(reopened.state) == {"k": 1}
    assert [m.id for m in await second.messages_after(conversation.id, 0, 10)] == ["kept"]
    await second.close()


# Helpers for the tests below: every value a store keeps is passed in, times included.


def new_ticket(
    conversation_id: str,
    visitor_id: str,
    *,
    source: str,
    created_at: float = 10.0,
    priority: str = "normal",
    title: str = "Mail is not sent",
    service: str = "email",
) -> NewTicket:
    return NewTicket(
        conversation_id=conversation_id,
        visitor_id=visitor_id,
        service=service,
        title=title,
        language="en",
        priority=priority,
        fields={"domain": "example.com", "error": "550 relay denied"},
        missing=("mailbox",),
        expected_response="within 4 hours",
        created_at=created_at,
        source=source,
        customer={"user_id": "u1", "plan": "pro"},
    )


async def file_ticket(
    store: Store,
    visitor_id: str = "v",
    *,
    source: str | None = None,
    created_at: float = 10.0,
    priority: str = "normal",
    title: str = "Mail is not sent",
) -> Ticket:
    conversation = await store.conversation_for_visitor(visitor_id, "en", now=1.0)
    return await store.create_ticket(
        new_ticket(
            conversation.id,
            visitor_id,
            source=source or f"{visitor_id}:{created_at}:{title}",
            created_at=created_at,
            priority=priority,
            title=title,
        ),
        "T",
    )


async def hire(store: Store, name: str, email: str | None = None) -> Agent:
    return await store.add_agent(
        NewAgent(
            email=email or f"{name.lower()}@support.example",
            name=name,
            role="agent",
            password_hash=f"hash-of-{name}",
            created_at=5.0,
        )
    )


def incident(service: str = "email", created_at: float = 100.0) -> NewIncident:
    return NewIncident(
        service=service,
        targets=("mail3", "mail3.example.net"),
        messages={"en": "Mail server mail3 is down.", "fi": "Postipalvelin mail3 on alhaalla."},
        started_at=created_at - 30.0,
        created_by="a_admin",
        created_at=created_at,
    )


async def conflict_code(call: Awaitable[object]) -> str:
    with pytest.raises(Conflict) as raised:
        await call
    return raised.value.code


# Tickets: numbers, idempotency, lists.


async def test_tickets_are_numbered_one_after_another_and_keep_what_was_filed(
    store: Store,
) -> None:
    first = await file_ticket(store, "v1", created_at=10.0)
    second = await file_ticket(store, "v2", created_at=11.0)
    third = await file_ticket(store, "v3", created_at=12.0)
    assert [first.number, second.number, third.number] == ["T-104201", "T-104202", "T-104203"]
    assert first.status == "open" and first.service == "email" and first.language == "en"
    assert dict(first.fields) == {"domain": "example.com", "error": "550 relay denied"}
    assert first.missing == ("mailbox",) and first.expected_response == "within 4 hours"
    assert dict(first.customer) == {"user_id": "u1", "plan": "pro"}
    assert first.created_at == first.updated_at == 10.0
    assert first.assignee is None and first.claimed_at is None and first.closed_at is None
    assert first.rating is None and first.emailed_seq == 0 and first.incident is None
    assert await store.get_ticket(first.number) == first
    assert await store.get_ticket("T-1") is None


async def test_tickets_filed_at_once_never_share_a_number(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    tickets = await asyncio.gather(
        *(
            store.create_ticket(new_ticket(conversation.id, "v", source=f"s{i}"), "T")
            for i in range(30)
        )
    )
    numbers = {int(ticket.number.removeprefix("T-")) for ticket in tickets}
    assert numbers == set(range(104201, 104231))


async def test_the_same_source_gives_back_the_first_ticket(store: Store) -> None:
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    first = await store.create_ticket(
        new_ticket(conversation.id, "v", source="c:m1", title="first"), "T"
    )
    again = await store.create_ticket(
        new_ticket(conversation.id, "v", source="c:m1", title="second", created_at=50.0), "T"
    )
    together = await asyncio.gather(
        *(
            store.create_ticket(new_ticket(conversation.id, "v", source="c:m2"), "T")
            for _ in range(5)
        )
    )
    assert again == first and again.title == "first"
    assert len({ticket.number for ticket in together}) == 1
    assert len(await store.list_tickets()) == 2


async def test_ticket_lists_are_newest_first(store: Store) -> None:
    old = await file_ticket(store, "ana", created_at=10.0)
    other = await file_ticket(store, "ben", created_at=20.0)
    new = await file_ticket(store, "ana", created_at=30.0, title="Website down")
    await store.update_ticket(new.number, now=31.0, status="waiting")
    assert [t.number for t in await store.list_tickets()] == [new.number, other.number, old.number]
    assert [t.number for t in await store.list_tickets(limit=2)] == [new.number, other.number]
    assert [t.number for t in await store.list_tickets("open")] == [other.number, old.number]
    assert [t.number for t in await store.list_tickets("waiting")] == [new.number]
    assert [t.number for t in await store.tickets_for_visitor("ana")] == [new.number, old.number]
    assert await store.tickets_for_visitor("nobody") == []


async def test_touching_a_ticket_only_moves_its_updated_at(store: Store) -> None:
    ticket = await file_ticket(store, created_at=10.0)
    await store.touch_ticket(ticket.number, at=42.0)
    touched = await store.get_ticket(ticket.number)
    assert touched is not None and touched.updated_at == 42.0
    assert touched == replace(ticket, updated_at=42.0)


async def test_an_agent_edits_only_what_they_give(store: Store) -> None:
    ticket = await file_ticket(store, created_at=10.0)
    retitled = await store.update_ticket(ticket.number, now=20.0, title="Mail bounces")
    assert retitled == replace(ticket, title="Mail bounces", updated_at=20.0)
    changed = await store.update_ticket(
        ticket.number, now=30.0, fields={"domain": "example.org"}, priority="high", status="waiting"
    )
    assert changed == replace(
        retitled,
        fields={"domain": "example.org"},
        priority="high",
        status="waiting",
        updated_at=30.0,
    )
    assert await store.get_ticket(ticket.number) == changed
    with pytest.raises(NotFound):
        await store.update_ticket("T-1", now=30.0, title="nothing")


# The queue and who holds what.


async def test_the_queue_is_open_tickets_by_priority_then_waiting_time(store: Store) -> None:
    ana = await hire(store, "Ana")
    low = await file_ticket(store, "v1", created_at=1.0, priority="low")
    normal_old = await file_ticket(store, "v2", created_at=2.0)
    urgent = await file_ticket(store, "v3", created_at=9.0, priority="urgent")
    normal_new = await file_ticket(store, "v4", created_at=3.0)
    vip = await file_ticket(store, "v5", created_at=8.0, priority="vip")
    high = await file_ticket(store, "v6", created_at=7.0, priority="high")
    claimed = await file_ticket(store, "v7", created_at=0.5, priority="urgent")
    waiting = await file_ticket(store, "v8", created_at=0.6, priority="urgent")
    closed = await file_ticket(store, "v9", created_at=0.7, priority="urgent")
    await store.claim_ticket(claimed.number, ana.id, max_chats=5, now=20.0)
    await store.update_ticket(waiting.number, now=20.0, status="waiting")
    await store.close_ticket(closed.number, "duplicate", now=20.0)
    expected = [urgent, vip, high, normal_old, normal_new, low]
    assert [t.number for t in await store.queue()] == [t.number for t in expected]
    assert [t.number for t in await store.queue(limit=2)] == [urgent.number, vip.number]


async def test_of_two_agents_claiming_at_once_exactly_one_wins(store: Store) -> None:
    ana, ben = await hire(store, "Ana"), await hire(store, "Ben")
    ticket = await file_ticket(store)
    results = await asyncio.gather(
        store.claim_ticket(ticket.number, ana.id, max_chats=3, now=20.0),
        store.claim_ticket(ticket.number, ben.id, max_chats=3, now=20.0),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].code == "already_claimed"
    winner = won[0]
    assert winner.status == "in_progress" and winner.claimed_at == 20.0
    assert winner.assignee in (ana.id, ben.id) and winner.updated_at == 20.0
    assert await store.get_ticket(ticket.number) == winner
    assert await store.tickets_for_agent(winner.assignee or "") == [winner]
    assert await store.queue() == []
    # Claiming what you already hold changes nothing.
    assert await store.claim_ticket(ticket.number, winner.assignee or "", 3, now=30.0) == winner


async def test_an_agent_with_max_chats_cannot_claim_another(store: Store) -> None:
    ana = await hire(store, "Ana")
    first = await file_ticket(store, "v1", created_at=1.0)
    second = await file_ticket(store, "v2", created_at=2.0)
    await store.claim_ticket(first.number, ana.id, max_chats=1, now=20.0)
    code = await conflict_code(store.claim_ticket(second.number, ana.id, max_chats=1, now=21.0))
    assert code == "too_many_chats"
    assert [t.number for t in await store.queue()] == [second.number]
    # A chat waiting for the customer still counts; a closed one does not.
    await store.update_ticket(first.number, now=22.0, status="waiting")
    code = await conflict_code(store.claim_ticket(second.number, ana.id, max_chats=1, now=23.0))
    assert code == "too_many_chats"
    await store.close_ticket(first.number, "solved", now=24.0)
    claimed = await store.claim_ticket(second.number, ana.id, max_chats=1, now=25.0)
    assert claimed.assignee == ana.id


async def test_claiming_a_closed_or_unknown_ticket_fails(store: Store) -> None:
    ana = await hire(store, "Ana")
    ticket = await file_ticket(store)
    await store.close_ticket(ticket.number, "solved", now=20.0)
    code = await conflict_code(store.claim_ticket(ticket.number, ana.id, 3, now=21.0))
    assert code == "ticket_closed"
    with pytest.raises(NotFound):
        await store.claim_ticket("T-1", ana.id, 3, now=21.0)


async def test_an_agent_is_given_their_chats_oldest_claim_first(store: Store) -> None:
    ana = await hire(store, "Ana")
    first = await file_ticket(store, "v1", created_at=5.0)
    second = await file_ticket(store, "v2", created_at=1.0)
    await store.claim_ticket(first.number, ana.id, 5, now=20.0)
    await store.claim_ticket(second.number, ana.id, 5, now=30.0)
    assert [t.number for t in await store.tickets_for_agent(ana.id)] == [
        first.number,
        second.number,
    ]
    assert await store.tickets_for_agent("a_nobody") == []


async def test_a_chat_is_transferred_to_a_colleague_with_room(store: Store) -> None:
    ana, ben, cy = await hire(store, "Ana"), await hire(store, "Ben"), await hire(store, "Cy")
    ticket = await file_ticket(store, "v1")
    busy = await file_ticket(store, "v2", created_at=11.0)
    await store.claim_ticket(ticket.number, ana.id, 3, now=20.0)
    await store.claim_ticket(busy.number, cy.id, 1, now=20.0)
    code = await conflict_code(store.transfer_ticket(ticket.number, ben.id, cy.id, 3, now=30.0))
    assert code == "not_assigned"
    code = await conflict_code(store.transfer_ticket(ticket.number, ana.id, cy.id, 1, now=30.0))
    assert code == "too_many_chats"
    with pytest.raises(NotFound):
        await store.transfer_ticket(ticket.number, ana.id, "a_nobody", 3, now=30.0)
    moved = await store.transfer_ticket(ticket.number, ana.id, ben.id, 3, now=30.0)
    assert moved.assignee == ben.id and moved.status == "in_progress"
    assert moved.claimed_at == 20.0 and moved.updated_at == 30.0
    assert await store.tickets_for_agent(ana.id) == []
    assert await store.tickets_for_agent(ben.id) == [moved]
    # An admin moves it without naming who holds it.
    back = await store.transfer_ticket(ticket.number, None, ana.id, 3, now=40.0)
    assert back.assignee == ana.id
    await store.close_ticket(ticket.number, "solved", now=50.0)
    code = await conflict_code(store.transfer_ticket(ticket.number, None, ben.id, 3, now=60.0))
    assert code == "ticket_closed"


async def test_a_released_chat_goes_back_to_the_queue(store: Store) -> None:
    ana, ben = await hire(store, "Ana"), await hire(store, "Ben")
    ticket = await file_ticket(store)
    await store.claim_ticket(ticket.number, ana.id, 3, now=20.0)
    code = await conflict_code(store.release_ticket(ticket.number, ben.id, now=30.0))
    assert code == "not_assigned"
    released = await store.release_ticket(ticket.number, ana.id, now=30.0)
    assert released.status == "open" and released.assignee is None
    assert released.updated_at == 30.0
    assert [t.number for t in await store.queue()] == [ticket.number]
    assert await store.tickets_for_agent(ana.id) == []
    again = await store.claim_ticket(ticket.number, ben.id, 3, now=40.0)
    assert again.assignee == ben.id
    released = await store.release_ticket(ticket.number, None, now=50.0)
    assert released.assignee is None


async def test_a_closed_ticket_stays_closed(store: Store) -> None:
    ana = await hire(store, "Ana")
    ticket = await file_ticket(store)
    await store.claim_ticket(ticket.number, ana.id, 3, now=20.0)
    closed = await store.close_ticket(ticket.number, "Relay fixed", now=30.0)
    assert closed.status == "closed" and closed.resolution == "Relay fixed"
    assert closed.closed_at == 30.0 and closed.updated_at == 30.0
    assert await store.tickets_for_agent(ana.id) == [] and await store.queue() == []
    assert await conflict_code(store.close_ticket(ticket.number, "again", 40.0)) == "ticket_closed"
    code = await conflict_code(store.release_ticket(ticket.number, ana.id, now=40.0))
    assert code == "ticket_closed"
    with pytest.raises(NotFound):
        await store.close_ticket("T-1", "nothing", now=40.0)


async def test_the_customer_rates_a_closed_ticket_and_the_latest_rating_counts(
    store: Store,
) -> None:
    ticket = await file_ticket(store)
    code = await conflict_code(store.rate_ticket(ticket.number, 5, "great", now=20.0))
    assert code == "not_closed"
    await store.close_ticket(ticket.number, "solved", now=30.0)
    rated = await store.rate_ticket(ticket.number, 2, "slow", now=40.0)
    assert rated.rating == 2 and rated.rating_comment == "slow" and rated.updated_at == 40.0
    rerated = await store.rate_ticket(ticket.number, 4, "", now=50.0)
    assert rerated.rating == 4 and rerated.rating_comment is None
    assert await store.get_ticket(ticket.number) == rerated
    with pytest.raises(NotFound):
        await store.rate_ticket("T-1", 5, "", now=50.0)


async def test_the_first_response_is_recorded_once(store: Store) -> None:
    ticket = await file_ticket(store)
    await store.mark_first_response(ticket.number, at=20.0)
    await store.mark_first_response(ticket.number, at=30.0)
    marked = await store.get_ticket(ticket.number)
    assert marked is not None and marked.first_response_at == 20.0


async def test_the_emailed_seq_never_goes_back(store: Store) -> None:
    ticket = await file_ticket(store)
    await store.set_emailed_seq(ticket.number, 5)
    await store.set_emailed_seq(ticket.number, 3)
    emailed = await store.get_ticket(ticket.number)
    assert emailed is not None and emailed.emailed_seq == 5
    await store.set_emailed_seq(ticket.number, 7)
    emailed = await store.get_ticket(ticket.number)
    assert emailed is not None and emailed.emailed_seq == 7


# Agents and sessions.


async def test_agents_are_found_by_email_in_any_case(store: Store) -> None:
    ana = await hire(store, "Ana", "Ana@Support.example")
    ben = await hire(store, "Ben")
    assert ana.email == "Ana@Support.example" and ana.role == "agent" and not ana.disabled
    assert ana.created_at == 5.0 and ana.id != ben.id
    code = await conflict_code(hire(store, "Other Ana", "ana@SUPPORT.example"))
    assert code == "email_taken"
    found = await store.agent_credentials("ANA@support.EXAMPLE")
    assert found == (ana, "hash-of-Ana")
    assert await store.agent_credentials("nobody@support.example") is None
    assert await store.get_agent(ana.id) == ana and await store.get_agent("a_nobody") is None
    assert await store.list_agents() == [ana, ben]


async def test_a_new_password_ends_every_session(store: Store) -> None:
    ana = await hire(store, "Ana")
    await store.create_session("token-1", ana.id, created_at=10.0, expires_at=1000.0)
    updated = await store.set_agent_password("ana@support.example", "new-hash")
    assert updated == ana
    assert await store.agent_credentials("ana@support.example") == (ana, "new-hash")
    assert await store.session_agent("token-1", now=20.0) is None
    with pytest.raises(NotFound):
        await store.set_agent_password("nobody@support.example", "hash")


async def test_a_session_lasts_until_it_expires_or_is_revoked(store: Store) -> None:
    ana, ben = await hire(store, "Ana"), await hire(store, "Ben")
    await store.create_session("token-a", ana.id, created_at=10.0, expires_at=100.0)
    await store.create_session("token-b", ben.id, created_at=10.0, expires_at=100.0)
    assert await store.session_agent("token-a", now=99.0) == ana
    assert await store.session_agent("token-a", now=100.0) is None
    assert await store.session_agent("token-unknown", now=50.0) is None
    await store.revoke_session("token-a")
    assert await store.session_agent("token-a", now=50.0) is None
    assert await store.session_agent("token-b", now=50.0) == ben
    await store.revoke_session("token-unknown")


# Internal notes.


async def test_a_note_is_stored_once_per_id(store: Store) -> None:
    ticket = await file_ticket(store)
    note = Note(ticket=ticket.number, id="n1", agent_id="a_1", text="Called them", at=30.0)
    earlier = Note(ticket=ticket.number, id="n2", agent_id="a_1", text="Checked logs", at=20.0)
    assert await store.add_note(note) == (note, True)
    assert await store.add_note(replace(note, text="changed")) == (note, False)
    assert await store.add_note(earlier) == (earlier, True)
    assert await store.notes_for(ticket.number) == [earlier, note]
    assert await store.notes_for("T-1") == []
    with pytest.raises(NotFound):
        await store.add_note(replace(note, ticket="T-1"))


# The notifier's outbox.


async def test_work_with_a_key_is_added_once_while_pending(store: Store) -> None:
    assert await store.enqueue("email", {"to": "a@example.com"}, due_at=10.0, key="digest:T-1")
    assert not await store.enqueue("email", {"to": "b@example.com"}, due_at=10.0, key="digest:T-1")
    assert await store.enqueue("webhook", {"n": 1}, due_at=10.0)
    assert await store.enqueue("webhook", {"n": 1}, due_at=10.0)
    items = await store.due_work(now=10.0, limit=10)
    assert sorted(item.kind for item in items) == ["email", "webhook", "webhook"]
    [mail] = [item for item in items if item.kind == "email"]
    assert dict(mail.payload) == {"to": "a@example.com"}
    await store.finish_work(mail.id, now=11.0)
    # Done: the key is free again.
    assert await store.enqueue("email", {"to": "c@example.com"}, due_at=12.0, key="digest:T-1")


async def test_a_stored_message_and_its_work_are_one_transaction(store: Store) -> None:
    """The customer's message and the safety-net turn behind it are stored together: work
    is enqueued with a message that was stored, not with a retry of a stored one."""
    conversation = await store.conversation_for_visitor("v", "en", now=1.0)
    work = NewWork("turn", {"conversation_id": conversation.id}, due_at=31.0, key="turn:c")
    [(_, created)] = await store.append_messages(conversation.id, [msg("a")], work=work)
    assert created
    [item] = await store.due_work(now=31.0, limit=10)
    assert (item.kind, dict(item.payload), item.due_at) == ("turn", dict(work.payload), 31.0)
    await store.finish_work(item.id, now=32.0)
    # A retry of the same message stores nothing, so it enqueues nothing.
    [(_, created)] = await store.append_messages(conversation.id, [msg("a")], work=work)
    assert not created
    assert await store.due_work(now=100.0, limit=10) == []
    # The key holds as with enqueue: one pending turn per conversation.
    await store.append_messages(conversation.id, [msg("b")], work=work)
    await store.append_messages(conversation.id, [msg("c")], work=replace(work, due_at=35.0))
    assert [i.due_at for i in await store.due_work(now=100.0, limit=10)] == [31.0]


async def test_a_message_to_an_unknown_conversation_enqueues_nothing(store: Store) -> None:
    work = NewWork("turn", {}, due_at=1.0, key="turn:c_nope")
    with pytest.raises(NotFound):
        await store.append_messages("c_nope", [msg("a")], work=work)
    assert await store.due_work(now=100.0, limit=10) == []


async def test_due_work_comes_in_due_order_and_only_when_due(store: Store) -> None:
    await store.enqueue("webhook", {"n": 2}, due_at=20.0)
    await store.enqueue("webhook", {"n": 1}, due_at=10.0)
    await store.enqueue("webhook", {"n": 3}, due_at=30.0)
    assert await store.due_work(now=5.0, limit=10) == []
    items = await store.due_work(now=20.0, limit=10)
    assert [(i.payload["n"], i.due_at, i.attempts) for i in items] == [(1, 10.0, 0), (2, 20.0, 0)]
    [third] = await store.due_work(now=50.0, limit=1)
    assert third.payload["n"] == 3


async def test_taken_work_is_leased_and_falls_due_again_when_the_lease_ends(
    store: Store,
) -> None:
    await store.enqueue("email", {"n": 1}, due_at=10.0)
    [taken] = await store.due_work(now=15.0, limit=10, lease=60.0)
    assert taken.due_at == 10.0
    # Another process asking at the same time, or a bit later, gets nothing.
    assert await store.due_work(now=15.0, limit=10, lease=60.0) == []
    assert await store.due_work(now=74.0, limit=10, lease=60.0) == []
    # The first one died without finishing: the work is due again.
    [again] = await store.due_work(now=75.0, limit=10, lease=60.0)
    assert again.id == taken.id and again.attempts == 0 and again.payload == taken.payload


async def test_concurrent_takers_never_get_the_same_work(store: Store) -> None:
    for n in range(20):
        await store.enqueue("webhook", {"n": n}, due_at=float(n))
    batches = await asyncio.gather(*(store.due_work(now=100.0, limit=3) for _ in range(10)))
    taken = [item.id for batch in batches for item in batch]
    assert len(taken) == len(set(taken)) == 20


async def test_failed_work_is_retried_later_and_finished_work_is_gone(store: Store) -> None:
    await store.enqueue("email", {"n": 1}, due_at=10.0)
    await store.enqueue("email", {"n": 2}, due_at=10.0)
    first, second = await store.due_work(now=10.0, limit=10)
    await store.retry_work(first.id, due_at=500.0, error="SMTP 451")
    await store.finish_work(second.id, now=11.0, error="gave up")
    assert await store.due_work(now=499.0, limit=10) == []
    [retried] = await store.due_work(now=500.0, limit=10)
    assert retried.id == first.id and retried.attempts == 1 and retried.due_at == 500.0
    await store.finish_work(first.id, now=501.0)
    assert await store.due_work(now=10_000.0, limit=10) == []


# Reports.


async def test_conversation_stats_count_conversations_with_messages_in_the_period(
    store: Store,
) -> None:
    helped = await store.conversation_for_visitor("v1", "fi", now=100.0)
    await store.append_messages(
        helped.id,
        [
            msg("q", at=100.0),
            NewMessage(
                id="#b1", sender="bot", text="See this", at=101.0, data={"articles": ["smtp"]}
            ),
        ],
    )
    plain = await store.conversation_for_visitor("v2", "en", now=150.0)
    await store.append_messages(plain.id, [msg("q", at=150.0), msg("#b", sender="bot")])
    await store.conversation_for_visitor("v3", "en", now=160.0)  # no message: not counted
    late = await store.conversation_for_visitor("v4", "en", now=200.0)
    await store.append_messages(late.id, [msg("q", at=200.0)])
    stats = await store.conversation_stats(since=100.0, until=200.0)
    assert sorted(stats, key=lambda s: s.created_at) == [
        ConversationStat(
            id=helped.id, language="fi", created_at=100.0, had_article=True, article_at=101.0
        ),
        ConversationStat(id=plain.id, language="en", created_at=150.0, had_article=False),
    ]


def bot(id: str, at: float, **data: object) -> NewMessage:
    return NewMessage(id=id, sender="bot", text="...", at=at, data=data)


async def test_conversation_stats_say_what_the_customer_did_after_the_last_article(
    store: Store,
) -> None:
    article = [{"id": "smtp"}]
    confirmed = await store.conversation_for_visitor("v1", "fi", now=100.0)
    await store.append_messages(
        confirmed.id,
        [msg("q", at=100.0), bot("#b1.0", 101.5, articles=article), msg("yes", at=102.0)],
    )
    await store.append_messages(confirmed.id, [bot("#b3.0", 102.5, feedback="confirmed")])
    left = await store.conversation_for_visitor("v2", "en", now=110.0)
    await store.append_messages(
        left.id, [msg("q", at=110.0), bot("#b1.0", 111.25, articles=article)]
    )
    refused = await store.conversation_for_visitor("v3", "en", now=120.0)
    await store.append_messages(
        refused.id,
        [msg("q", at=120.0), bot("#b1.0", 121.0, articles=article), msg("no", at=122.0)],
    )
    await store.append_messages(refused.id, [bot("#b3.0", 122.5, feedback="not_helpful")])
    again = await store.conversation_for_visitor("v4", "en", now=130.0)
    await store.append_messages(
        again.id,
        [
            msg("q", at=130.0),
            bot("#b1.0", 131.0, articles=article),
            msg("and another thing", at=132.0),
            bot("#b3.0", 133.125, articles=article),
        ],
    )
    plain = await store.conversation_for_visitor("v5", "en", now=140.0)
    await store.append_messages(plain.id, [msg("q", at=140.0), bot("#b1.0", 141.0)])
    stats = {s.id: s for s in await store.conversation_stats(since=100.0, until=200.0)}
    seen = {
        name: (stats[c.id].article_at, stats[c.id].confirmed, stats[c.id].wrote_after_article)
        for name, c in [
            ("confirmed", confirmed),
            ("left", left),
            ("refused", refused),
            ("again", again),
            ("plain", plain),
        ]
    }
    assert seen == {
        "confirmed": (101.5, True, True),
        "left": (111.25, False, False),
        "refused": (121.0, False, True),
        "again": (133.125, False, False),
        "plain": (None, False, False),
    }
    assert stats[plain.id].had_article is False and stats[again.id].had_article is True


async def test_tickets_between_are_those_created_in_the_period_oldest_first(
    store: Store,
) -> None:
    before = await file_ticket(store, "v0", created_at=99.0)
    second = await file_ticket(store, "v2", created_at=150.0)
    first = await file_ticket(store, "v1", created_at=100.0)
    await file_ticket(store, "v3", created_at=200.0)
    between = await store.tickets_between(since=100.0, until=200.0)
    assert [t.number for t in between] == [first.number, second.number]
    assert before.number not in {t.number for t in between}


async def test_tickets_are_counted_by_status(store: Store) -> None:
    assert {k: v for k, v in (await store.count_tickets()).items() if v} == {}
    ana = await hire(store, "Ana")
    for n in range(3):
        await file_ticket(store, f"open{n}")
    claimed = await file_ticket(store, "claimed")
    await store.claim_ticket(claimed.number, ana.id, 3, now=20.0)
    closed = await file_ticket(store, "closed")
    await store.close_ticket(closed.number, "done", now=20.0)
    counts = await store.count_tickets()
    assert {k: v for k, v in counts.items() if v} == {"open": 3, "in_progress": 1, "closed": 1}


# Incidents.


async def test_incidents_are_numbered_and_listed_newest_first(store: Store) -> None:
    first = await store.create_incident(incident("email", created_at=100.0))
    second = await store.create_incident(incident("dns", created_at=200.0))
    assert (first.id, second.id) == ("INC-1", "INC-2")
    assert first == Incident(
        id="INC-1",
        service="email",
        targets=("mail3", "mail3.example.net"),
        messages={"en": "Mail server mail3 is down.", "fi": "Postipalvelin mail3 on alhaalla."},
        started_at=70.0,
        created_by="a_admin",
        created_at=100.0,
    )
    assert await store.get_incident("INC-1") == first
    assert await store.get_incident("INC-99") is None
    assert await store.list_incidents() == [second, first]
    assert await store.list_incidents(limit=1) == [second]


async def test_an_incident_is_resolved_once(store: Store) -> None:
    first = await store.create_incident(incident("email", created_at=100.0))
    second = await store.create_incident(incident("dns", created_at=200.0))
    resolved = await store.resolve_incident(first.id, now=300.0, resolution={"en": "Fixed."})
    assert resolved == replace(first, resolved_at=300.0, resolution={"en": "Fixed."})
    assert await store.get_incident(first.id) == resolved
    assert await store.list_incidents(active_only=True) == [second]
    assert await store.list_incidents() == [second, resolved]
    code = await conflict_code(store.resolve_incident(first.id, 400.0, {"en": "Again."}))
    assert code == "incident_resolved"
    with pytest.raises(NotFound):
        await store.resolve_incident("INC-99", now=300.0, resolution={})


async def test_tickets_are_linked_to_an_incident(store: Store) -> None:
    outage = await store.create_incident(incident())
    other = await store.create_incident(incident("dns", created_at=110.0))
    late = await file_ticket(store, "v1", created_at=20.0)
    early = await file_ticket(store, "v2", created_at=10.0)
    unrelated = await file_ticket(store, "v3", created_at=15.0)
    linked = await store.link_ticket(late.number, outage.id, now=120.0)
    assert linked == replace(late, incident=outage.id, updated_at=120.0)
    assert await store.get_ticket(late.number) == linked
    await store.link_ticket(early.number, outage.id, now=130.0)
    await store.link_ticket(unrelated.number, other.id, now=130.0)
    assert [t.number for t in await store.tickets_for_incident(outage.id)] == [
        early.number,
        late.number,
    ]
    assert await store.tickets_for_incident("INC-99") == []
    with pytest.raises(NotFound):
        await store.link_ticket("T-1", outage.id, now=130.0)
    with pytest.raises(NotFound):
        await store.link_ticket(early.number, "INC-99", now=130.0)


# Privacy: retention, export, erasure.


async def conversation_with_ticket(
    store: Store, visitor_id: str, *, at: float, status: str | None
) -> tuple[str, str | None]:
    """A conversation last active at ``at`` with a message, and a ticket in ``status``."""
    conversation = await store.conversation_for_visitor(visitor_id, "en", now=at)
    await store.append_messages(conversation.id, [msg(f"{visitor_id}-m", at=at)])
    if status is None:
        return conversation.id, None
    ticket = await store.create_ticket(
        new_ticket(conversation.id, visitor_id, source=f"{visitor_id}-t", created_at=at), "T"
    )
    await store.add_note(Note(ticket.number, "n1", "a_1", "internal", at=at))
    if status == "closed":
        await store.close_ticket(ticket.number, "done", now=at)
    elif status != "open":
        await store.update_ticket(ticket.number, now=at, status=status)
    return conversation.id, ticket.number


async def test_old_conversations_are_purged_unless_a_ticket_is_still_open(store: Store) -> None:
    quiet, _ = await conversation_with_ticket(store, "quiet", at=10.0, status=None)
    done, done_ticket = await conversation_with_ticket(store, "done", at=20.0, status="closed")
    kept = {
        status: await conversation_with_ticket(store, status, at=30.0, status=status)
        for status in ("open", "waiting")
    }
    recent, recent_ticket = await conversation_with_ticket(
        store, "recent", at=100.0, status="closed"
    )
    purged = await store.purge_conversations(before=100.0)
    assert sorted(purged) == sorted([quiet, done])
    for conversation_id in (quiet, done):
        assert await store.get_conversation(conversation_id) is None
        assert await store.messages_after(conversation_id, 0, 10) == []
    assert done_ticket is not None and await store.get_ticket(done_ticket) is None
    assert await store.notes_for(done_ticket) == []
    assert await store.tickets_for_visitor("done") == []
    assert done_ticket not in {t.number for t in await store.list_tickets()}
    for conversation_id, number in [*kept.values(), (recent, recent_ticket)]:
        assert await store.get_conversation(conversation_id) is not None
        assert len(await store.messages_after(conversation_id, 0, 10)) == 1
        assert number is not None and await store.get_ticket(number) is not None
        assert len(await store.notes_for(number)) == 1
    # A purged visitor who comes back starts afresh.
    fresh = await store.conversation_for_visitor("quiet", "en", now=200.0)
    assert fresh.id != quiet and fresh.last_seq == 0
    assert await store.purge_conversations(before=100.0) == []


async def test_page_views_without_a_message_are_purged_alone(store: Store) -> None:
    viewed = await store.conversation_for_visitor("viewer", "en", now=10.0)
    spoke, _ = await conversation_with_ticket(store, "speaker", at=10.0, status=None)
    later = await store.conversation_for_visitor("later", "en", now=200.0)
    assert await store.purge_conversations(before=100.0, empty_only=True) == [viewed.id]
    assert await store.get_conversation(viewed.id) is None
    assert await store.get_conversation(spoke) is not None
    assert await store.get_conversation(later.id) is not None


async def test_a_visitor_gets_everything_stored_about_them(store: Store) -> None:
    conversation, number = await conversation_with_ticket(store, "ana", at=10.0, status="open")
    await store.append_messages(conversation, [msg("#b", "Hi Ana", sender="bot", at=11.0)])
    await conversation_with_ticket(store, "ben", at=10.0, status="open")
    data = await store.visitor_data("ana")
    stored = await store.get_conversation(conversation)
    assert data.visitor_id == "ana" and data.conversations == [stored]
    assert [(m.conversation_id, m.seq, m.text) for m in data.messages] == [
        (conversation, 1, "hello"),
        (conversation, 2, "Hi Ana"),
    ]
    assert number is not None and data.tickets == [await store.get_ticket(number)]
    empty = await store.visitor_data("nobody")
    assert (empty.conversations, empty.messages, empty.tickets) == ([], [], [])


async def test_deleting_a_visitor_leaves_nothing_of_them_and_others_untouched(
    store: Store,
) -> None:
    ana, ana_ticket = await conversation_with_ticket(store, "ana", at=10.0, status="open")
    _, ben_ticket = await conversation_with_ticket(store, "ben", at=10.0, status="open")
    ben_before = await store.visitor_data("ben")
    assert await store.delete_visitor("ana") == [ana]
    assert await store.get_conversation(ana) is None
    assert await store.messages_after(ana, 0, 10) == []
    assert ana_ticket is not None and await store.get_ticket(ana_ticket) is None
    assert await store.notes_for(ana_ticket) == []
    assert await store.tickets_for_visitor("ana") == [] and await store.queue() != []
    after = await store.visitor_data("ana")
    assert (after.conversations, after.messages, after.tickets) == ([], [], [])
    assert await store.visitor_data("ben") == ben_before
    assert ben_ticket is not None and len(await store.notes_for(ben_ticket)) == 1
    assert [t.number for t in await store.queue()] == [ben_ticket]
    assert await store.delete_visitor("nobody") == []


async def test_deleting_a_visitor_forgets_the_mail_and_webhooks_about_their_tickets(
    store: Store,
) -> None:
    _, ana_ticket = await conversation_with_ticket(store, "ana", at=10.0, status="open")
    _, ben_ticket = await conversation_with_ticket(store, "ben", at=10.0, status="open")
    for number in (ana_ticket, ben_ticket):
        mail = {"to": f"{number}@example.com", "subject": "s", "body": "b", "ticket": number}
        await store.enqueue("email", mail, 10.0, key=f"created:{number}")
        await store.enqueue("reply_digest", {"ticket": number}, 10.0, key=f"reply:{number}")
        about: list[dict[str, object]] = [
            {"ticket": {"number": number}},
            {"ticket": number, "message": {}},
        ]
        for data in about:
            await store.enqueue("webhook", {"url": "u", "body": {"data": data}}, 10.0)
    await store.enqueue("webhook", {"url": "u", "body": {"data": {"incident": "I-1"}}}, 10.0)
    await store.delete_visitor("ana")
    left = await store.due_work(100.0, 100)
    mentions = [json.dumps(item.payload) for item in left]
    assert len(left) == 5 and not [m for m in mentions if str(ana_ticket) in m]
    # A new confirmation for the same key is not held back by the forgotten one.
    assert ana_ticket is not None
    assert await store.enqueue("email", {"ticket": ana_ticket}, 10.0, key=f"created:{ana_ticket}")


# Shared short-lived state.


async def test_a_token_bucket_allows_a_burst_then_says_how_long_to_wait(store: Store) -> None:
    for _ in range(3):
        assert await store.take_token("visitor:v", burst=3, rate=0.5, now=100.0) == 0.0
    assert await store.take_token("visitor:v", 3, 0.5, now=100.0) == pytest.approx(2.0)
    assert await store.take_token("visitor:v", 3, 0.5, now=101.0) == pytest.approx(1.0)
    assert await store.take_token("visitor:v", 3, 0.5, now=102.0) == 0.0
    assert await store.take_token("visitor:v", 3, 0.5, now=102.0) == pytest.approx(2.0)
    # Another bucket is not affected.
    assert await store.take_token("visitor:w", 3, 0.5, now=102.0) == 0.0


async def test_a_token_bucket_refills_up_to_its_burst(store: Store) -> None:
    for _ in range(2):
        assert await store.take_token("ip:1", burst=2, rate=1.0, now=0.0) == 0.0
    assert await store.take_token("ip:1", 2, 1.0, now=0.0) > 0.0
    # A long pause refills only the burst.
    for _ in range(2):
        assert await store.take_token("ip:1", 2, 1.0, now=1000.0) == 0.0
    assert await store.take_token("ip:1", 2, 1.0, now=1000.0) == pytest.approx(1.0)


async def test_a_zero_cost_take_peeks_without_using_a_token(store: Store) -> None:
    assert await store.take_token("fails:v", burst=1, rate=0.1, now=0.0, cost=0.0) == 0.0
    assert await store.take_token("fails:v", 1, 0.1, now=0.0, cost=0.0) == 0.0
    assert await store.take_token("fails:v", 1, 0.1, now=0.0) == 0.0
    assert await store.take_token("fails:v", 1, 0.1, now=0.0, cost=0.0) == pytest.approx(10.0)


async def test_counters_count_and_are_forgotten_after_their_ttl(store: Store) -> None:
    assert await store.read_counter("floods:v") == 0
    assert [await store.bump_counter("floods:v", ttl=60.0) for _ in range(3)] == [1, 2, 3]
    assert await store.bump_counter("floods:w", ttl=60.0) == 1
    assert await store.read_counter("floods:v") == 3
    # The ttl runs on the store's own clock; there is no event to await, only time passing.
    assert await store.bump_counter("short", ttl=0.5) == 1
    await asyncio.sleep(0.3)
    assert await store.bump_counter("short", ttl=0.5) == 2  # 0.3 s after the last bump
    await asyncio.sleep(0.3)
    assert await store.bump_counter("short", ttl=0.5) == 3  # 0.6 s after the first
    await asyncio.sleep(0.7)
    assert await store.read_counter("short") == 0
    assert await store.bump_counter("short", ttl=0.5) == 1


async def test_many_counters_are_bumped_in_one_call(store: Store) -> None:
    await store.bump_counter("online:a", ttl=60.0)
    await store.bump_counters(["online:a", "online:b"], ttl=60.0)
    await store.bump_counters([], ttl=60.0)
    assert [await store.read_counter(n) for n in ("online:a", "online:b", "online:c")] == [2, 1, 0]


async def test_an_agent_is_present_while_a_console_socket_lives(store: Store) -> None:
    await store.presence_join("a1", "s1", now=100.0, ttl=30.0)
    await store.presence_join("a1", "s2", now=100.0, ttl=30.0)
    await store.presence_join("a2", "s3", now=100.0, ttl=30.0)
    assert await store.presence(now=110.0) == {"a1": ("online", 2), "a2": ("online", 1)}
    assert sorted(await store.presence_sockets("a1", now=110.0)) == ["s1", "s2"]
    assert await store.presence_sockets("a3", now=110.0) == []
    await store.presence_join("a1", "s1", now=125.0, ttl=30.0)  # renewed
    # A socket counts until just before its expiry.
    assert await store.presence(now=129.9) == {"a1": ("online", 2), "a2": ("online", 1)}
    assert await store.presence(now=130.0) == {"a1": ("online", 1)}
    assert await store.presence_sockets("a1", now=130.0) == ["s1"]
    assert await store.presence(now=155.0) == {}


async def test_a_closed_socket_leaves_and_the_last_one_takes_the_agent_offline(
    store: Store,
) -> None:
    await store.presence_join("a1", "s1", now=100.0, ttl=30.0)
    await store.presence_join("a1", "s2", now=100.0, ttl=30.0)
    assert await store.presence_leave("s1") == "a1"
    assert await store.presence(now=110.0) == {"a1": ("online", 1)}
    assert await store.presence_leave("s2") == "a1"
    assert await store.presence(now=110.0) == {}
    assert await store.presence_leave("s2") is None
    assert await store.presence_leave("never") is None


async def test_an_agents_status_holds_while_a_socket_is_open_and_resets_on_return(
    store: Store,
) -> None:
    await store.presence_join("a1", "s1", now=100.0, ttl=30.0)
    await store.presence_set_status("a1", "away")
    assert await store.presence(now=101.0) == {"a1": ("away", 1)}
    # A second console tab does not change the agent's choice.
    await store.presence_join("a1", "s2", now=102.0, ttl=30.0)
    await store.presence_leave("s1")
    assert await store.presence(now=103.0) == {"a1": ("away", 1)}
    await store.presence_set_status("a1", "online")
    await store.presence_set_status("a1", "away")
    # The last socket closes: coming back later starts online again.
    await store.presence_leave("s2")
    await store.presence_join("a1", "s3", now=200.0, ttl=30.0)
    assert await store.presence(now=201.0) == {"a1": ("online", 1)}


async def test_an_agent_whose_sockets_expired_comes_back_online(store: Store) -> None:
    await store.presence_join("a1", "s1", now=100.0, ttl=30.0)
    await store.presence_set_status("a1", "away")
    # The process holding s1 died: it never said goodbye, and nobody asked since.
    await store.presence_join("a1", "s2", now=200.0, ttl=30.0)
    assert await store.presence(now=201.0) == {"a1": ("online", 1)}


async def test_a_status_for_an_agent_without_a_socket_is_not_presence(store: Store) -> None:
    await store.presence_set_status("a9", "away")
    assert await store.presence(now=100.0) == {}
    await store.presence_join("a9", "s1", now=100.0, ttl=30.0)
    assert await store.presence(now=101.0) == {"a9": ("online", 1)}


async def test_the_store_answers_a_ping(store: Store) -> None:
    await store.ping()  # open: it answers
    # ...and the ping asks the backend: a closed store cannot answer, and says so in the
    # error /healthz reports.
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.ping()


async def test_sqlite_refuses_a_session_of_a_disabled_agent(tmp_path: Path) -> None:
    # No store method disables an agent (an admin does it in the database), so SQLite only.
    path = tmp_path / "disabled.sqlite3"
    store = SQLiteStore(path)
    await store.open()
    try:
        ana = await hire(store, "Ana")
        await store.create_session("token-a", ana.id, created_at=10.0, expires_at=100.0)
        assert await store.session_agent("token-a", now=50.0) == ana
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE agents SET disabled = 1 WHERE id = ?", (ana.id,))
        assert await store.session_agent("token-a", now=50.0) is None
        disabled = await store.get_agent(ana.id)
        assert disabled is not None and disabled.disabled
    finally:
        await store.close()


async def test_sqlite_migrates_a_database_of_an_older_version(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        for number, script in enumerate(MIGRATIONS[:3], start=1):
            db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    store = SQLiteStore(path)
    await store.open()
    try:
        ticket = await file_ticket(store)
        assert ticket.number == "T-104201" and ticket.incident is None
        assert (await store.create_incident(incident())).id == "INC-1"
    finally:
        await store.close()


async def test_a_lease_has_one_holder_until_dropped_or_expired(store: Store) -> None:
    assert await store.take_lease("turn:c1", "a", 30.0)
    assert not await store.take_lease("turn:c1", "b", 30.0)
    assert await store.take_lease("turn:c1", "a", 30.0)  # the holder renews
    assert await store.take_lease("turn:c2", "b", 30.0)  # another name is free
    await store.drop_lease("turn:c1", "b")  # not b's to drop
    assert not await store.take_lease("turn:c1", "b", 30.0)
    await store.drop_lease("turn:c1", "a")
    assert await store.take_lease("turn:c1", "b", 0.2)
    for _ in range(50):  # a holder that died: the lease ends with its time
        if await store.take_lease("turn:c1", "a", 30.0):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the lease never expired")
