"""The customer protocol over a real socket: sessions, messages, history, errors."""

from __future__ import annotations

from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.web import keys
from tests.fixtures import ChatClient, ServerFactory, server_url

QUESTIONS = [
    (
        "en",
        "I can't send emails from Outlook, it keeps saying authentication required",
        "email-outgoing",
    ),
    # (Passage search ranks "how do I change my DNS entries?" under the article on DNS
    # changes that do not show yet: a miss that benchmarks/kb_search.py counts. The
    # protocol is tested with a question it answers.)
    ("nb", "hvordan legger jeg inn en MX-post for domenet mitt?", "dns-records"),
    ("hr", "kako da uključim besplatni SSL certifikat na svojoj stranici", "ssl-certificate"),
    ("fi", "miten palautan eilen poistetut tiedostot varmuuskopiosta", "backup-restore"),
    ("ru", "не могу войти в панель управления, забыл пароль", "control-panel-login"),
    ("hu", "hol találom a számláimat és hogyan tudok fizetni?", "billing-invoices"),
]


async def connected(server: TestServer, **auth: Any) -> ChatClient:
    client = ChatClient(server_url(server))
    await client.connect(**auth)
    return client


@pytest.mark.parametrize(("lang", "question", "article"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
async def test_customer_gets_the_right_article_in_their_language(
    chat_server: TestServer, lang: str, question: str, article: str
) -> None:
    client = await connected(chat_server)
    replies = await client.say(question)
    cards = [m for m in replies if m.get("articles")]
    assert cards, replies
    card = cards[0]["articles"][0]
    assert card["id"] == article
    assert card["lang"] == lang
    assert card["url"].endswith(f"/{lang}/{article}")
    assert all(m["lang"] == lang for m in replies)
    assert replies[-1]["ask"]["field"] == "solved"
    assert replies[-1]["ask"]["kind"] == "yes_no"
    await client.disconnect()


async def test_locale_sets_the_language_of_the_first_reply(chat_server: TestServer) -> None:
    client = await connected(chat_server, locale="fi-FI")
    assert client.session is not None and client.session["language"] == "fi"
    replies = await client.say("moi")
    assert replies[0]["lang"] == "fi"
    await client.disconnect()


async def test_short_words_do_not_flip_the_conversation_language(chat_server: TestServer) -> None:
    client = await connected(chat_server, locale="nb")
    first = await client.say("e-posten min kommer ikke fram til mottakerne lenger")
    assert first[0]["lang"] == "nb"
    for word in ("ok", "hei", "bok", "moi"):
        replies = await client.say(word)
        assert all(m["lang"] == "nb" for m in replies), (word, replies)
    await client.disconnect()


async def test_reconnecting_with_the_token_rejoins_the_conversation_with_full_history(
    chat_server: TestServer,
) -> None:
    client = await connected(chat_server)
    assert client.session is not None
    token, conversation = client.session["visitor_token"], client.session["conversation_id"]
    await client.say("my website shows 500 internal server error")
    await client.say("no", value="no")
    seen = list(client.received)
    await client.disconnect()

    again = await connected(chat_server, visitor_token=token)
    assert again.session is not None
    assert again.session["conversation_id"] == conversation
    assert again.session["last_seq"] == len(seen) + 2  # plus the two customer messages
    history = await again.call("history", {"after": 0})
    assert history["ok"]
    seqs = [m["seq"] for m in history["messages"]]
    assert seqs == list(range(1, len(seqs) + 1))
    texts = [m["text"] for m in history["messages"] if m["from"] == "customer"]
    assert texts == ["my website shows 500 internal server error", "no"]
    assert [m["id"] for m in seen] == [m["id"] for m in history["messages"] if m["from"] == "bot"]
    later = await again.call("history", {"after": seqs[-2]})
    assert [m["seq"] for m in later["messages"]] == [seqs[-1]]
    await again.disconnect()


async def test_a_retried_message_is_stored_once_and_answered_once(chat_server: TestServer) -> None:
    client = await connected(chat_server)
    payload = {"id": "retry-1", "text": "how do I reset my mailbox password"}
    first = await client.call("message", payload)
    second = await client.call("message", payload)
    assert first["ok"] and second["ok"]
    assert first["seq"] == second["seq"]
    assert second["duplicate"] is True
    await client.say("thanks")  # a later turn: by now every earlier turn has finished
    history = (await client.call("history", {"after": 0}))["messages"]
    assert [m["id"] for m in history].count("retry-1") == 1
    answers = [m for m in history if m["from"] == "bot" and m.get("articles")]
    assert len(answers) == 1
    await client.disconnect()


async def test_the_ack_comes_after_the_message_is_stored(make_server: ServerFactory) -> None:
    server = await make_server()
    client = await connected(server)
    ack = await client.send("where do I find my invoices", id="durable-1")
    assert ack == {"ok": True, "seq": 1, "id": "durable-1", "duplicate": False}
    await client.disconnect()
    store = server.app[keys.STORE]
    assert client.session is not None
    stored = await store.messages_after(client.session["conversation_id"], 0, 10)
    assert stored[0].id == "durable-1" and stored[0].text == "where do I find my invoices"


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("message", None, "invalid_payload"),
        ("message", "just a string", "invalid_payload"),
        ("message", {"text": "no id"}, "invalid_payload"),
        ("message", {"id": "x" * 65, "text": "id too long"}, "invalid_payload"),
        ("message", {"id": "a b", "text": "space in id"}, "invalid_payload"),
        ("message", {"id": "m-1", "text": 42}, "invalid_payload"),
        ("message", {"id": "m-2", "text": "   "}, "empty_message"),
        ("message", {"id": "m-3", "text": "x" * 4001}, "too_long"),
        (
            "message",
            {"id": "m-4", "text": "hi", "value": ["nested", {"deep": 1}]},
            "invalid_payload",
        ),
        ("history", {"after": -1}, "invalid_payload"),
        ("history", {"after": "5"}, "invalid_payload"),
        ("history", {"after": True}, "invalid_payload"),
        ("history", [1, 2, 3], "invalid_payload"),
        ("typing", {"on": "yes"}, "invalid_payload"),
        ("typing", None, "invalid_payload"),
        ("no_such_event", {"x": 1}, "unknown_event"),
    ],
)
async def test_malformed_events_get_an_error_ack_and_the_server_keeps_serving(
    chat_server: TestServer, event: str, payload: Any, code: str
) -> None:
    client = await connected(chat_server)
    ack = await client.call(event, payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert ack["error"]["message"]
    replies = await client.say("how do I change my php version")
    assert replies and replies[0]["articles"][0]["id"] == "php-settings"
    await client.disconnect()


async def test_a_forged_token_is_refused(chat_server: TestServer) -> None:
    victim = await connected(chat_server)
    assert victim.session is not None
    await victim.say("my domain expired what now")
    version, visitor_id, issued, _signature = victim.session["visitor_token"].split(".")
    for forged in (
        f"{version}.{visitor_id}.{issued}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        f"{version}.{visitor_id}.{issued}.",
        f"{version}.{visitor_id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        victim.session["conversation_id"],
        "v1.someone-else.c2lnbmF0dXJl",
        "",
    ):
        intruder = ChatClient(server_url(chat_server))
        if forged == "":
            session = await intruder.connect(visitor_token=forged)
            assert session["conversation_id"] != victim.session["conversation_id"]
            await intruder.disconnect()
            continue
        with pytest.raises(socketio.exceptions.ConnectionError):
            await intruder.connect(visitor_token=forged)
        await intruder.disconnect()
        assert intruder.refused["data"]["code"] == "invalid_token"
        assert intruder.session is None
    await victim.disconnect()


async def test_a_conversation_id_alone_opens_nothing(chat_server: TestServer) -> None:
    victim = await connected(chat_server)
    assert victim.session is not None
    await victim.say("my website is very slow")
    stranger = await connected(chat_server, conversation_id=victim.session["conversation_id"])
    assert stranger.session is not None
    assert stranger.session["conversation_id"] != victim.session["conversation_id"]
    history = await stranger.call("history", {"after": 0})
    assert history["messages"] == []
    await victim.say("thanks")
    assert all(m["from"] != "customer" for m in stranger.received)
    await victim.disconnect()
    await stranger.disconnect()


async def test_two_tabs_of_one_visitor_see_each_others_messages(chat_server: TestServer) -> None:
    first = await connected(chat_server)
    assert first.session is not None
    second = await connected(chat_server, visitor_token=first.session["visitor_token"])
    await first.say("how can I point my domain to your name servers")
    received = await second.wait_for_messages(3)
    assert received[0]["from"] == "customer"
    assert any(m.get("articles") for m in received)
    await first.disconnect()
    await second.disconnect()


async def test_the_server_survives_a_restart_with_the_same_data(
    make_server: ServerFactory, tmp_path: Any
) -> None:
    data_dir = tmp_path / "persistent"
    server = await make_server(data_dir=data_dir)
    client = await connected(server)
    assert client.session is not None
    token = client.session["visitor_token"]
    await client.say("how do I create a mysql database")
    count = len(client.received) + 1
    await client.disconnect()
    await server.close()

    restarted = await make_server(data_dir=data_dir)
    again = await connected(restarted, visitor_token=token)
    history = await again.call("history", {"after": 0})
    assert len(history["messages"]) == count
    await again.disconnect()


async def test_a_raw_connect_event_cannot_rerun_the_handshake(chat_server: TestServer) -> None:
    from socketio import packet

    client = await connected(chat_server)
    assert client.session is not None
    conversation = client.session["conversation_id"]
    # What a hand-made client could send: an EVENT packet named like the handshake.
    await client.sio._send_packet(
        client.sio.packet_class(packet.EVENT, namespace="/", data=["connect", {"x": 1}, {}])
    )
    replies = await client.say("how do I renew my domain")  # a whole turn later...
    assert replies and replies[0]["articles"][0]["id"] == "domain-renewal"
    assert client.session["conversation_id"] == conversation  # ...still the same session
    history = await client.call("history", {"after": 0})
    assert history["messages"][0]["text"] == "how do I renew my domain"
