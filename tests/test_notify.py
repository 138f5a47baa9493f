"""E-mail through a local SMTP server and signed webhooks to a local receiver."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller

from chatbot.web import keys
from tests.fixtures import (
    AgentClient,
    ChatClient,
    ServerFactory,
    add_agent,
    drain_outbox,
    free_port,
    login,
    server_url,
)
from tests.test_identity import SECRET, jwt


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self._loop = loop
        self._arrived = asyncio.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Runs on the SMTP server's own thread and loop.
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        self._loop.call_soon_threadsafe(self._arrived.set)
        return "250 OK"

    async def wait(self, count: int) -> list[email.message.EmailMessage]:
        async with asyncio.timeout(10):
            while len(self.messages) < count:
                self._arrived.clear()
                if len(self.messages) < count:
                    await self._arrived.wait()
        return self.messages


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Inbox, int]]:
    inbox = Inbox(asyncio.get_running_loop())
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Receiver:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read()))
        self.changed.set()
        return web.Response(status=204)

    async def wait_for(self, event: str) -> tuple[dict[str, str], dict[str, Any]]:
        deadline = time.monotonic() + 10
        while True:
            for headers, body in self.calls:
                if headers.get("X-Chatbot-Event") == event:
                    return headers, json.loads(body)
            assert time.monotonic() < deadline, f"no {event} webhook"
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 10)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield hook, str(server.make_url("/hook"))
    await server.close()


async def portal_customer(
    url: str, name: str = "Ana Horvat", email_address: str = "ana@cvjecarna.hr"
) -> ChatClient:
    client = ChatClient(url)
    token = jwt(
        {
            "sub": f"u-{email_address}",
            "name": name,
            "email": email_address,
            "plan": "business",
            "exp": int(time.time()) + 600,
        }
    )
    await client.connect(user_token=token, locale="hr")
    return client


async def test_a_new_ticket_mails_its_number_to_the_customer(
    make_server: ServerFactory, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    server = await make_server(
        identity_secret=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="podrska@aurora.example",
    )
    customer = await portal_customer(server_url(server))
    await customer.say("Želim razgovarati s osobom o kafebar.no")
    [ticket] = customer.tickets
    # Nobody is online: the chat says the answer will also come by e-mail.
    told = [m for m in customer.received if m["from"] == "system"][-1]
    assert told["event"] == "queue_offline_email" and "ana@cvjecarna.hr" in told["text"]
    [mail] = await inbox.wait(1)
    assert mail["To"] == "ana@cvjecarna.hr"
    assert ticket["number"] in mail["Subject"]
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    assert ticket["number"] in body and "Ana" in body
    assert "Poštovan" in body or "Dobar dan" in body  # Croatian, as the chat was


async def test_agent_replies_to_a_customer_who_left_are_mailed_in_one_batch(
    make_server: ServerFactory, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    server = await make_server(
        identity_secret=SECRET, smtp_host="127.0.0.1", smtp_port=port, reply_email_delay=0.3
    )
    customer = await portal_customer(server_url(server))
    await customer.say("I want to talk to a person about kafebar.no")
    [ticket] = customer.tickets
    await inbox.wait(1)  # the confirmation
    token = await login(server, *await add_agent(server, "ana@support.example", "Ana"))
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    await agent.call("claim", {"ticket": ticket["number"]})
    await customer.disconnect()
    for i, text in enumerate(
        ["The DNS zone was missing an A record.", "I have added it; give it an hour."]
    ):
        assert (
            await agent.call("message", {"ticket": ticket["number"], "id": f"r{i}", "text": text})
        )["ok"]
    [_, digest] = await inbox.wait(2)
    body = digest.get_body().get_content()  # type: ignore[union-attr]
    assert "A record" in body and "give it an hour" in body
    assert digest["Subject"].startswith("Re: ") and ticket["number"] in digest["Subject"]
    # Nothing is left to send: one mail for both replies, not one each.
    await drain_outbox(server)
    assert len(inbox.messages) == 2


async def test_webhooks_are_signed_and_a_dead_receiver_does_not_hold_up_the_chat(
    make_server: ServerFactory, receiver: tuple[Receiver, str]
) -> None:
    hook, hook_url = receiver
    dead = f"http://127.0.0.1:{free_port()}/nobody-listens"
    server = await make_server(webhook_urls=(dead, hook_url), webhook_secret="whsec-test")
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a person about kafebar.no")
    [ticket] = customer.tickets
    headers, body = await hook.wait_for("ticket.created")
    timestamp, signature = (
        part.split("=", 1)[1] for part in headers["X-Chatbot-Signature"].split(",")
    )
    raw = next(b for h, b in hook.calls if h["X-Chatbot-Event"] == "ticket.created")
    expected = hmac.new(b"whsec-test", timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert (
        body["event"] == "ticket.created" and body["data"]["ticket"]["number"] == ticket["number"]
    )

    token = await login(server, *await add_agent(server, "ana@support.example", "Ana"))
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    await agent.call("claim", {"ticket": ticket["number"]})
    _, updated = await hook.wait_for("ticket.updated")
    assert updated["data"]["change"] == "claimed"
    await customer.send("is anyone there?")
    _, created = await hook.wait_for("message.created")
    assert created["data"]["message"]["text"] == "is anyone there?"
    # The dead receiver is retried later, in the background; the chat went on meanwhile.
    pending = await server.app[keys.STORE].due_work(time.time() + 3600, 100)
    waiting = {
        item.payload["body"]["event"]: item
        for item in pending
        if item.kind == "webhook" and item.payload["url"] == dead
    }
    assert waiting["ticket.created"].attempts >= 1


async def test_a_webhook_receiver_that_hangs_does_not_delay_the_bot(
    make_server: ServerFactory,
) -> None:
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(10)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{hanging.getsockname()[1]}/hook"
        server = await make_server(webhook_urls=(url,))
        customer = ChatClient(server_url(server))
        await customer.connect(locale="en")
        await customer.ask_for_person("I want to talk to a person about kafebar.no")
        for _ in range(3):
            replies = await customer.say("how do I point my domain to your name servers?")
            assert replies and replies[0]["from"] == "bot"
    finally:
        hanging.close()
