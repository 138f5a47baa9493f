"""Two consoles on one chat see each other viewing and typing; the console counts SLA time
by the server's clock; the diagnosis reaches the agent as sentences, not codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestServer

from chatbot.web import keys
from chatbot.web.findings import readable_diagnosis
from tests.fixtures import AgentClient, MovingClock, ServerFactory
from tests.test_handoff import agent_online, open_ticket


def follow_viewers(agent: AgentClient) -> None:
    agent.sio.on("viewer", agent._recorder("viewer"), namespace="/agent")


async def viewing(agent: AgentClient, number: str) -> dict[str, Any]:
    assert (await agent.call("open", {"ticket": number}))["ok"]
    ack = await agent.call("view", {"ticket": number})
    assert ack["ok"], ack
    return dict(ack)


async def test_two_consoles_on_one_chat_see_each_other_view_type_and_leave(
    chat_server: TestServer,
) -> None:
    customer, number = await open_ticket(str(chat_server.make_url("/")))
    ana = await agent_online(chat_server, "ana@support.example", "Ana", "admin")
    bob = await agent_online(chat_server, "bob@support.example", "Bob")
    follow_viewers(ana)
    follow_viewers(bob)

    first = await viewing(ana, number)
    assert first["viewers"] == []
    second = await viewing(bob, number)
    assert [v["agent"]["name"] for v in second["viewers"]] == ["Ana"]
    # Each console hears its own entry too, and knows it by the viewer id of its ack.
    seen = await ana.wait_for("viewer", lambda e: e["viewer"] != first["viewer"])
    assert seen["agent"]["name"] == "Bob" and seen["ticket"] == number
    assert seen["state"] == "viewing"
    assert seen["viewer"] == second["viewer"] != first["viewer"]

    assert (await bob.call("typing", {"ticket": number, "on": True}))["ok"]
    typing = await ana.wait_for("viewer", lambda e: e["state"] == "typing")
    assert typing["agent"]["name"] == "Bob"
    # Opening the same chat again adds no second entry for the socket.
    await viewing(bob, number)
    live = chat_server.app[keys.LIVE]
    assert len(live.viewers) == 2

    await bob.disconnect()
    left = await ana.wait_for("viewer", lambda e: e["state"] == "left")
    assert left["viewer"] == second["viewer"]
    assert len(live.viewers) == 1

    # Showing nothing (back to the queue) leaves the chat too.
    assert (await ana.call("view", {"ticket": None}))["ok"]
    assert len(live.viewers) == 0
    await customer.disconnect()


async def test_the_console_reads_the_servers_clock(make_server: ServerFactory) -> None:
    clock = MovingClock()
    clock.shift = 3 * 3600.0
    server = await make_server(clock=clock)
    ana = await agent_online(server, "ana@support.example", "Ana", "admin")
    snapshot = await ana.call("snapshot", {})
    at = datetime.fromisoformat(snapshot["now"].replace("Z", "+00:00")).timestamp()
    assert abs(at - clock()) < 60
    clock.shift += 7200.0  # (sessions last 12 h)
    later = await ana.call("clock", {})
    assert later["ok"], later
    moved = datetime.fromisoformat(later["now"].replace("Z", "+00:00")).timestamp()
    assert 7200 - 60 < moved - at < 7200 + 60
    assert "email" in snapshot["services"] and "none" not in snapshot["services"]


def test_a_diagnosis_line_becomes_sentences_with_its_values(chat_server: TestServer) -> None:
    phrases = chat_server.app[keys.ENGINE].phrases
    line = (
        "kafebar.no (email): mx_elsewhere mail_hosts=mx1.other.example, mx2.other.example; "
        "smtp_unreachable host=mail.kafebar.no port=587; nothing=1"
    )
    readable = readable_diagnosis(line, phrases, "en")
    assert readable is not None
    texts = [f["text"] for f in readable["findings"]]
    assert texts == [
        "Mail for kafebar.no goes to another provider's mail servers "
        "(mx1.other.example, mx2.other.example), not to ours. The MX records have to be "
        "changed where the domain's DNS is managed.",
        "The mail server mail.kafebar.no does not answer on port 587.",
    ]
    assert readable_diagnosis("edited by hand", phrases, "en") is None
