"""Screenshots and logs: checked by content, limited in size, shown to the agent."""

from __future__ import annotations

import zlib

import aiohttp
from aiohttp.test_utils import TestServer

from chatbot.web import keys
from tests.fixtures import (
    AgentClient,
    ChatClient,
    ServerFactory,
    add_agent,
    drain_turns,
    login,
    server_url,
)


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_a_screenshot_reaches_the_agent_and_is_served_safely(chat_server: TestServer) -> None:
    url = server_url(chat_server)
    customer = ChatClient(url)
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a person about kafebar.no")
    number = customer.tickets[0]["number"]
    token = await login(chat_server, *await add_agent(chat_server, "ana@support.example", "Ana"))
    agent = AgentClient(url)
    await agent.connect(token)
    await agent.call("claim", {"ticket": number})
    await agent.call("open", {"ticket": number})

    image = png()
    ack = await customer.call(
        "attach", {"id": "up1", "name": "../../etc/Screen Shot.png", "data": image}
    )
    assert ack["ok"] and not ack["duplicate"]
    attachment = ack["message"]["attachment"]
    assert attachment["type"] == "image/png" and attachment["size"] == len(image)
    assert attachment["name"] == "Screen Shot.png"  # no path from the client survives
    again = await customer.call("attach", {"id": "up1", "name": "Screen Shot.png", "data": image})
    assert again["duplicate"] and again["message"]["attachment"]["id"] == attachment["id"]
    stored = list(chat_server.app[keys.SETTINGS].attachments_path.iterdir())
    assert [p.name for p in stored] == [attachment["id"] + ".png"]  # the retry kept one copy
    seen = await agent.wait_for("message", lambda m: "attachment" in m)
    assert seen["attachment"]["id"] == attachment["id"]

    async with aiohttp.ClientSession() as http:
        response = await http.get(chat_server.make_url(f"/attachments/{attachment['id']}"))
        assert response.status == 200 and await response.read() == image
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        for wrong in ("f_" + "A" * 22, "../chatbot.sqlite3", "f_x"):
            assert (await http.get(chat_server.make_url(f"/attachments/{wrong}"))).status == 404

    # The agent sends a log back; the customer gets it as a link.
    before = len(customer.received)
    sent = await agent.call(
        "attach",
        {"ticket": number, "id": "a1", "name": "mail.log", "data": b"550 5.7.1 relay denied\n"},
    )
    assert sent["ok"] and sent["message"]["attachment"]["type"] == "text/plain"
    [got] = (await customer.wait_for_messages(before + 1))[before:]
    assert got["from"] == "agent" and got["attachment"]["name"] == "mail.log"
    # A file alone gets no bot answer: the agent is handling it. Every turn in flight has
    # run, and what it said would be stored.
    await drain_turns(chat_server)
    history = await customer.call("history", {"after": ack["seq"]})
    assert [m["from"] for m in history["messages"]] == ["agent"]
    assert not [m for m in customer.received if m["from"] == "bot" and m["seq"] > ack["seq"]]


async def test_files_are_judged_by_content_and_size_not_by_name(make_server: ServerFactory) -> None:
    server = await make_server(attachment_max_mb=0.01)
    customer = ChatClient(server_url(server))
    await customer.connect()
    cases = {
        "program.png": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "unsupported_type"),
        "photo.jpg": (b"\x00\x01\x02binary\xff\xfe", "unsupported_type"),
        "huge.txt": (b"a" * 20_000, "too_large"),
        "empty.txt": (b"", "empty_file"),
    }
    for name, (data, code) in cases.items():
        answer = await customer.call("attach", {"id": "x1", "name": name, "data": data})
        assert answer["error"]["code"] == code, name
    for payload in (
        {"id": "x2", "name": "a.txt", "data": "not bytes"},
        {"id": "x3", "data": b"hi"},
        "nope",
    ):
        assert (await customer.call("attach", payload))["error"]["code"] == "invalid_payload"
    # Markup in a "picture" is stored as plain text and served as text, never as a page.
    ok = await customer.call(
        "attach", {"id": "x4", "name": "cat.png", "data": b"<script>alert(1)</script>"}
    )
    assert ok["message"]["attachment"]["type"] == "text/plain"
    async with aiohttp.ClientSession() as http:
        response = await http.get(
            server.make_url(f"/attachments/{ok['message']['attachment']['id']}")
        )
        assert response.headers["Content-Type"].startswith("text/plain")
        assert response.headers["Content-Disposition"] == "attachment"
