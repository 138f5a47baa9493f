"""A customer's earlier conversations and help-centre articles over real sockets: listed,
continued and started anew, only ever the customer's own; articles in their language."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatbot.kb_search import Article
from chatbot.web.customer_conversations import MAX_ARTICLE_CHARS, article_view
from tests.fixtures import TIMEOUT, ChatClient, ServerFactory, server_url
from tests.test_identity import SECRET, claims, jwt


async def switch(client: ChatClient, event: str, data: Any = None) -> dict[str, Any]:
    """Send ``open_conversation`` or ``new_conversation`` and return the ``session`` the
    server sends for the conversation now on screen."""
    client._session_event.clear()
    ack = await client.call(event, data)
    assert ack["ok"], ack
    await asyncio.wait_for(client._session_event.wait(), TIMEOUT)
    assert (
        client.session is not None and client.session["conversation_id"] == ack["conversation_id"]
    )
    return client.session


async def test_a_returning_visitor_lists_continues_and_starts_conversations(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    visitor = ChatClient(url)
    first = await visitor.connect(locale="fi")
    await visitor.say("Miten vaihdan PHP-version kotisivulleni?")
    token = first["visitor_token"]
    await visitor.disconnect()

    back = ChatClient(url)
    again = await back.connect(visitor_token=token, locale="fi")
    assert again["conversation_id"] == first["conversation_id"]
    fresh = await switch(back, "new_conversation")
    assert fresh["conversation_id"] != first["conversation_id"]
    assert fresh["last_seq"] == 0 and fresh["welcome"]["text"]
    assert (await back.call("history", {"after": 0}))["messages"] == []
    # An empty conversation is not listed, nor doubled by asking again.
    assert (await switch(back, "new_conversation"))["conversation_id"] == fresh["conversation_id"]

    listed = await back.call("conversations", {"lang": "fi"})
    assert listed["ok"] and listed["more"] is False
    [earlier] = listed["conversations"]
    assert earlier["id"] == first["conversation_id"] and earlier["current"] is False
    assert earlier["title"] == "Miten vaihdan PHP-version kotisivulleni?"
    # Written by the server the Finnish way, in the company's zone.
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} klo \d{2}\.\d{2} \w+", earlier["date"]), earlier
    assert earlier["ticket"] is None

    opened = await switch(back, "open_conversation", {"id": earlier["id"]})
    assert opened["conversation_id"] == first["conversation_id"] and opened["last_seq"] > 1
    history = (await back.call("history", {"after": 0}))["messages"]
    assert history[0]["text"] == "Miten vaihdan PHP-version kotisivulleni?"
    # Continued: the customer writes on in the earlier conversation.
    await back.say("kiitos")
    history = (await back.call("history", {"after": 0}))["messages"]
    assert any(m["text"] == "kiitos" for m in history)
    await back.disconnect()
    # Reloaded, the widget asks for the conversation it had open.
    reload = ChatClient(url)
    resumed = await reload.connect(
        visitor_token=token, locale="fi", conversation_id=first["conversation_id"]
    )
    assert resumed["conversation_id"] == first["conversation_id"]


async def test_another_visitors_conversation_is_refused(chat_server: TestServer) -> None:
    url = server_url(chat_server)
    ana = ChatClient(url)
    ana_session = await ana.connect()
    await ana.say("my mail to ivan@kafebar.no bounces")
    theirs = ana_session["conversation_id"]

    mallory = ChatClient(url)
    own = await mallory.connect()
    refused = await mallory.call("open_conversation", {"id": theirs})
    unknown = await mallory.call("open_conversation", {"id": "c_doesnotexist"})
    # Refused exactly like an id that does not exist: nothing tells whether it does.
    assert refused == unknown
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"
    assert (await mallory.call("history", {"after": 0}))["messages"] == []
    assert (await mallory.call("conversations"))["conversations"] == []
    # Nor by naming it when connecting: the visitor gets their own conversation.
    sneaky = ChatClient(url)
    session = await sneaky.connect(visitor_token=own["visitor_token"], conversation_id=theirs)
    assert session["conversation_id"] == own["conversation_id"]
    assert (await sneaky.call("history", {"after": 0}))["messages"] == []
    malformed = await mallory.call("open_conversation", {"id": "../c_x"})
    assert malformed["error"]["code"] == "invalid_payload"


async def test_the_list_shows_the_status_of_the_conversations_ticket(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect(locale="fi")
    await client.ask_for_person("Haluan puhua ihmisen kanssa kafebar.no:n sähköpostista")
    assert client.tickets, "a ticket was made"
    number = client.tickets[-1]["number"]
    await switch(client, "new_conversation")
    [row] = (await client.call("conversations", {"lang": "fi"}))["conversations"]
    assert row["ticket"]["number"] == number and row["ticket"]["status"] == "open"
    assert row["ticket"]["status_text"] == "avoin, odottaa asiakaspalvelutiimin käsittelyä"
    english = (await client.call("conversations", {"lang": "en"}))["conversations"][0]
    assert english["ticket"]["status_text"] != row["ticket"]["status_text"]
    assert re.search(r"\d{1,2}:\d{2}|\d{2}\.\d{2}", english["date"])


async def test_the_list_is_paged_and_bounded(chat_server: TestServer) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    for n in range(3):
        await client.send(f"question number {n}")
        await switch(client, "new_conversation")
    page = await client.call("conversations", {"limit": 2})
    assert [c["title"] for c in page["conversations"]] == ["question number 2", "question number 1"]
    assert page["more"] is True
    rest = await client.call("conversations", {"limit": 2, "offset": 2})
    assert [c["title"] for c in rest["conversations"]] == ["question number 0"]
    assert rest["more"] is False
    for bad in ({"limit": 21}, {"limit": 0}, {"offset": -1}, {"limit": True}, [1]):
        answer = await client.call("conversations", bad)
        assert answer["error"]["code"] == "invalid_payload", bad


async def test_a_verified_customer_sees_their_conversations_on_another_device(
    make_server: ServerFactory,
) -> None:
    server = await make_server(identity_secret=SECRET)
    laptop = ChatClient(server_url(server))
    at_work = await laptop.connect(user_token=jwt(claims()))
    await laptop.say("how do I change my php version")
    await switch(laptop, "new_conversation")
    phone = ChatClient(server_url(server))
    await phone.connect(user_token=jwt(claims()))
    [row] = (await phone.call("conversations"))["conversations"]
    assert row["id"] == at_work["conversation_id"]
    assert row["title"] == "how do I change my php version"
    assert (await switch(phone, "open_conversation", {"id": row["id"]}))["last_seq"] > 1
    stranger = ChatClient(server_url(server))
    await stranger.connect(user_token=jwt(claims(sub="u-2002")))
    assert (await stranger.call("conversations"))["conversations"] == []
    refused = await stranger.call("open_conversation", {"id": row["id"]})
    assert refused["error"]["code"] == "not_found"


async def test_an_article_is_read_in_the_customers_language_or_english(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect(locale="fi")
    finnish = await client.call("article", {"id": "account-contacts", "lang": "fi"})
    english = await client.call("article", {"id": "account-contacts", "lang": "en"})
    assert finnish["ok"] and finnish["article"]["lang"] == "fi"
    assert english["article"]["lang"] == "en"
    assert finnish["article"]["title"] != english["article"]["title"]
    assert english["article"]["body"].startswith("Every Aurora Hosting account")
    assert english["article"]["url"].startswith("https://")
    missing = await client.call("article", {"id": "no-such-article"})
    assert missing["error"]["code"] == "not_found"
    bad = await client.call("article", {"id": "<script>"})
    assert bad["error"]["code"] == "invalid_payload"


def test_a_long_article_is_cut_at_a_paragraph() -> None:
    paragraph = "word " * 200
    body = "\n\n".join([paragraph.strip()] * 40)
    view = article_view(Article(id="a", lang="en", title="T", body=body, summary=""))
    assert view["truncated"] is True and len(view["body"]) <= MAX_ARTICLE_CHARS + 3
    assert view["body"].endswith("word\n\n…")
    short = article_view(Article(id="a", lang="en", title="T", body="Hi.", summary=""))
    assert short["truncated"] is False and short["body"] == "Hi." and "url" not in short


@pytest.mark.parametrize("text", ["x" * 200, "a " * 100])
def test_a_title_is_one_bounded_line(text: str) -> None:
    from chatbot.web.customer_conversations import conversation_title

    title = conversation_title(text)
    assert len(title) <= 80 and title.endswith("…")
