"""The contract every ``Store`` backend keeps. Redis joins the parameter list later."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from chatbot.errors import NotFound
from chatbot.store import NewMessage, Store
from chatbot.store.sqlite import SQLiteStore

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SQLiteStore(tmp / "store.sqlite3"),
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
