"""Fair use: floods are slowed down politely, and only the flooder is."""

from __future__ import annotations

import pytest
import socketio

from chatbot.web import keys
from tests.fixtures import ChatClient, ServerFactory, server_url


async def test_a_flood_of_messages_is_refused_politely_and_nothing_is_stored(
    make_server: ServerFactory,
) -> None:
    server = await make_server(message_burst=5, messages_per_second=0.001)
    flooder = ChatClient(server_url(server))
    await flooder.connect()
    acks = [await flooder.send(f"spam {i}", id=f"f{i}") for i in range(8)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    refused = acks[-1]["error"]
    assert refused["code"] == "rate_limited" and float(refused["retry_after"]) > 0
    history = (await flooder.call("history", {"after": 0}))["messages"]
    assert [m["id"] for m in history if m["from"] == "customer"] == [f"f{i}" for i in range(5)]
    other = ChatClient(server_url(server))
    await other.connect()
    assert (await other.send("hello, my mail is down"))["ok"] is True


async def test_too_many_connections_from_one_address_are_refused(
    make_server: ServerFactory,
) -> None:
    server = await make_server(connection_burst=3, connections_per_second=0.001)
    for _ in range(3):
        client = ChatClient(server_url(server))
        await client.connect()
        await client.disconnect()
    refused = ChatClient(server_url(server))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect()
    assert refused.refused["data"]["code"] == "rate_limited"


async def test_a_visitor_who_keeps_flooding_goes_to_the_back_of_the_queue(
    make_server: ServerFactory,
) -> None:
    server = await make_server(message_burst=3, messages_per_second=0.001)
    flooder = ChatClient(server_url(server))
    await flooder.connect()
    await flooder.ask_for_person("I want to talk to a real person about cvjecarna.hr")
    [ticket] = flooder.tickets
    polite = ChatClient(server_url(server))
    await polite.connect()
    await polite.ask_for_person("I want to talk to a real person about kafebar.no")  # asked later
    assert ticket["priority"] == "normal"
    refused = [await flooder.send(f"HELLO??? {i}", id=f"s{i}") for i in range(5)]
    assert [a["ok"] for a in refused].count(False) >= 3
    queue = await server.app[keys.STORE].queue()  # the earlier ticket now waits behind
    assert [(t.number, t.priority) for t in queue] == [
        (polite.tickets[0]["number"], "normal"),
        (ticket["number"], "low"),
    ]
