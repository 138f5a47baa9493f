"""Handoff to live agents over real sockets: queue, claims, live chat, notes, close, rating."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.web import keys
from tests.fixtures import (
    AgentClient,
    ChatClient,
    add_agent,
    drain_turns,
    login,
    server_url,
)


async def open_ticket(
    url: str, text: str = "I want to talk to a real person about kafebar.no"
) -> tuple[ChatClient, str]:
    client = ChatClient(url)
    await client.connect(locale="en")
    await client.ask_for_person(text)
    [ticket] = client.tickets
    return client, str(ticket["number"])


async def agent_online(
    server: TestServer, email: str, name: str, role: str = "agent"
) -> AgentClient:
    token = await login(server, *await add_agent(server, email, name, role))
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    return agent


async def test_a_ticket_reaches_the_queue_and_an_agent_chats_live_with_the_customer(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    customer, number = await open_ticket(url)
    # Someone is online: the customer hears their place in the queue, not "come back later".
    queued = await ana.wait_for("queue", lambda d: any(t["number"] == number for t in d["tickets"]))
    [waiting] = [t for t in queued["tickets"] if t["number"] == number]
    assert waiting["status"] == "open" and waiting["assignee"] is None
    system = [m for m in customer.received if m["from"] == "system"]
    assert system[-1]["event"] == "queue_position" and "number 1" in system[-1]["text"]

    snapshot = await ana.call("snapshot")
    assert snapshot["ok"] and [t["number"] for t in snapshot["queue"]] == [number]
    assert snapshot["canned"] and "fi" in snapshot["canned"][0]["text"]

    before = len(customer.received)
    claimed = await ana.call("claim", {"ticket": number})
    assert claimed["ok"] and claimed["ticket"]["assignee"]["name"] == "Ana"
    joined = await customer.wait_for_messages(before + 1)
    assert joined[-1]["from"] == "system" and joined[-1]["text"].startswith("Ana ")
    assert joined[-1]["agent"] == {"name": "Ana"}  # the name only, never the account id

    opened = await ana.call("open", {"ticket": number})
    froms = [m["from"] for m in opened["messages"]]
    assert froms[:2] == ["customer", "bot"] and "system" in froms  # the whole transcript

    before = len(customer.received)
    ack = await ana.call(
        "message", {"ticket": number, "id": "r1", "text": "Hi, Ana here. Which page?"}
    )
    assert ack == {"ok": True, "seq": ack["seq"], "id": "@r1", "duplicate": False}
    again = await ana.call(
        "message", {"ticket": number, "id": "r1", "text": "Hi, Ana here. Which page?"}
    )
    assert again["duplicate"] is True and again["seq"] == ack["seq"]
    [reply] = (await customer.wait_for_messages(before + 1))[before:]
    assert reply["from"] == "agent" and reply["agent"] == {"name": "Ana"}

    # The customer answers the person, and the bot keeps out of it.
    sent = await customer.send("the front page, kafebar.no")
    seen = await ana.wait_for(
        "message", lambda m: m["from"] == "customer" and "front page" in m["text"]
    )
    assert seen["conversation_id"] == customer.session["conversation_id"]  # type: ignore[index]
    # The bot's turn for that message has run (not merely not yet): it saw the message and
    # kept quiet.
    await drain_turns(chat_server)
    conversation = await chat_server.app[keys.STORE].get_conversation(seen["conversation_id"])
    assert conversation is not None and conversation.state["processed_seq"] == sent["seq"]
    history = await customer.call("history", {"after": 0})
    assert history["messages"][-1]["text"] == "the front page, kafebar.no"
    assert customer.received[-1]["from"] == "agent"


async def test_two_agents_claiming_at_once_one_wins_and_the_other_is_told(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    ivan = await agent_online(chat_server, "ivan@support.example", "Ivan")
    for _ in range(5):
        _, number = await open_ticket(url)
        results = await asyncio.gather(
            ana.call("claim", {"ticket": number}), ivan.call("claim", {"ticket": number})
        )
        winners = [r for r in results if r["ok"]]
        losers = [r for r in results if not r["ok"]]
        assert len(winners) == 1 and len(losers) == 1
        assert losers[0]["error"]["code"] == "already_claimed"
        assert number in losers[0]["error"]["message"]


async def test_release_transfer_and_the_per_agent_limit(make_server: Any) -> None:
    server = await make_server(max_chats_per_agent=1)
    url = server_url(server)
    ana = await agent_online(server, "ana@support.example", "Ana")
    ivan = await agent_online(server, "ivan@support.example", "Ivan")
    customer, first = await open_ticket(url)
    _, second = await open_ticket(url)
    assert (await ana.call("claim", {"ticket": first}))["ok"]
    full = await ana.call("claim", {"ticket": second})
    assert full["error"]["code"] == "too_many_chats"
    # Ivan may not write into Ana's chat, nor release it.
    refused = await ivan.call("message", {"ticket": first, "id": "x", "text": "hello"})
    assert refused["error"]["code"] == "forbidden"
    assert (await ivan.call("release", {"ticket": first}))["error"]["code"] == "not_assigned"

    ivan_id = (await ivan.call("snapshot"))["me"]["id"]
    before = len(customer.received)
    moved = await ana.call("transfer", {"ticket": first, "to": ivan_id})
    assert moved["ok"] and moved["ticket"]["assignee"]["name"] == "Ivan"
    told = (await customer.wait_for_messages(before + 1))[before:]
    assert any(m.get("event") == "agent_transferred" and "Ivan" in m["text"] for m in told)
    released = await ivan.call("release", {"ticket": first})
    assert released["ticket"]["status"] == "open" and released["ticket"]["assignee"] is None
    # Back in the queue, in its place: by priority, then by waiting time.
    await ana.wait_for("queue", lambda d: [t["number"] for t in d["tickets"]] == [first, second])


async def test_an_internal_note_never_reaches_the_customer(chat_server: TestServer) -> None:
    url = server_url(chat_server)
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    customer, number = await open_ticket(url)
    other_tab = ChatClient(url)
    await other_tab.connect(visitor_token=customer.session["visitor_token"])  # type: ignore[index]
    await ana.call("claim", {"ticket": number})
    ack = await ana.call(
        "note", {"ticket": number, "id": "n1", "text": "SECRET: customer owes 3 invoices"}
    )
    assert ack["ok"] and ack["note"]["text"].startswith("SECRET")
    await ana.wait_for("note")
    before = len(customer.received)
    await ana.call("message", {"ticket": number, "id": "m1", "text": "Looking into it"})
    await customer.wait_for_messages(before + 1)
    everything = [m["text"] for m in (await customer.call("history", {"after": 0}))["messages"]]
    everything += [m["text"] for m in customer.received + other_tab.received]
    assert not any("SECRET" in text for text in everything)
    assert "Looking into it" in everything
    opened = await ana.call("open", {"ticket": number})
    assert [n["text"] for n in opened["notes"]] == ["SECRET: customer owes 3 invoices"]


async def test_close_asks_the_customer_for_a_rating_which_the_console_shows(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    customer, number = await open_ticket(url)
    await ana.call("claim", {"ticket": number})
    missing = await ana.call("close", {"ticket": number})
    assert missing["error"]["code"] == "invalid_payload"
    before = len(customer.received)
    closed = await ana.call("close", {"ticket": number, "resolution": "DNS fixed"})
    assert closed["ticket"]["status"] == "closed" and closed["ticket"]["resolution"] == "DNS fixed"
    [*_, asked] = await customer.wait_for_messages(before + 1)
    assert asked["ask"] == {"field": "rating", "kind": "rating", "ticket": number}

    stranger = ChatClient(url)
    await stranger.connect()
    assert (await stranger.call("rate", {"ticket": number, "score": 1}))["error"][
        "code"
    ] == "not_found"
    for bad in (
        {"ticket": number, "score": 6},
        {"ticket": number, "score": "5"},
        {"ticket": number},
    ):
        assert (await customer.call("rate", bad))["error"]["code"] == "invalid_payload"
    rated = await customer.call("rate", {"ticket": number, "score": 5, "comment": "Quick and kind"})
    assert rated == {"ok": True, "ticket": number, "rating": 5}
    update = await ana.wait_for("ticket", lambda t: t["number"] == number and t["rating"] == 5)
    assert update["rating_comment"] == "Quick and kind"
    # After the chat, the bot answers again.
    replies = await customer.say("how do I change my PHP version?")
    assert replies and replies[0]["from"] == "bot"


async def test_agent_presence_and_customer_typing_reach_the_console(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    await ana.wait_for("presence", lambda p: [a["name"] for a in p["agents"]] == ["Ana"])
    assert (await ana.call("presence", {"status": "away"}))["ok"]
    await ana.wait_for("presence", lambda p: p["agents"][0]["status"] == "away")
    # Away agents do not count: the customer is told when to expect an answer instead.
    customer, number = await open_ticket(url)
    system = [m for m in customer.received if m["from"] == "system"]
    assert system[-1]["event"] == "queue_offline"
    # One clock: the notice names the same time, in the same words and zone, as the bot's
    # confirmation ("by 08 Dec 2026, 12:00 CET").
    expected = system[-1]["text"].split(" by ", 1)[1].split(". ", 1)[0]
    assert expected.split()[-1].isalpha() and expected.split()[-1].isupper(), expected
    bot = [m["text"] for m in customer.received if m["from"] == "bot"]
    assert any(expected in text for text in bot), (expected, bot)
    await ana.call("presence", {"status": "online"})
    await ana.call("claim", {"ticket": number})
    assert (await customer.call("typing", {"on": True}))["ok"]
    typing = await ana.wait_for("typing")
    assert customer.session is not None
    assert typing == {
        "conversation_id": customer.session["conversation_id"],
        "from": "customer",
        "on": True,
    }
    assert (await ana.call("presence", {"status": "busy"}))["error"]["code"] == "invalid_payload"


async def test_the_agent_namespace_refuses_anyone_without_a_valid_session(
    chat_server: TestServer,
) -> None:
    url = server_url(chat_server)
    for token in (None, "", "as_forged", "x" * 5000, 42):
        intruder = AgentClient(url)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await intruder.connect(token)  # type: ignore[arg-type]
        assert intruder.refused["data"]["code"] == "unauthorized", token
        assert not intruder.sio.connected
    # A customer's visitor token is not an agent token either.
    customer = ChatClient(url)
    session = await customer.connect()
    intruder = AgentClient(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await intruder.connect(session["visitor_token"])
    assert intruder.refused["data"]["code"] == "unauthorized"


async def test_logout_ends_the_session_on_open_sockets_too(chat_server: TestServer) -> None:
    email, password = await add_agent(chat_server, "ana@support.example", "Ana")
    token = await login(chat_server, email, password)
    agent = AgentClient(server_url(chat_server))
    await agent.connect(token)
    assert (await agent.call("snapshot"))["ok"]
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {token}"}
        response = await http.post(chat_server.make_url("/api/auth/logout"), headers=headers)
        assert response.status == 204
        response = await http.get(chat_server.make_url("/api/tickets"), headers=headers)
        assert response.status == 401
    answer = await agent.call("snapshot")
    assert answer["error"]["code"] == "unauthorized"
    await asyncio.wait_for(agent.disconnected.wait(), 5)


async def test_who_holds_a_ticket_changes_only_by_claim_transfer_and_release(
    chat_server: TestServer,
) -> None:
    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    _, number = await open_ticket(server_url(chat_server))
    sneaky = await ana.call("update", {"ticket": number, "status": "in_progress"})
    assert sneaky["error"]["code"] == "conflict"  # not out of the queue without an owner
    await ana.call("claim", {"ticket": number})
    back = await ana.call("update", {"ticket": number, "status": "open"})
    assert back["error"]["code"] == "conflict"
    waiting = await ana.call("update", {"ticket": number, "status": "waiting"})
    assert waiting["ticket"]["status"] == "waiting"
    await ana.call("close", {"ticket": number, "resolution": "done"})
    late = await ana.call("update", {"ticket": number, "title": "changed afterwards"})
    assert late["error"]["code"] == "ticket_closed"
