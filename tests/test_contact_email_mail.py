"""An anonymous visitor's contact address over the real server: the confirmation with the
ticket number reaches a local SMTP server (aiosmtpd), the agent sees the address, later
replies are mailed there, and erasing the visitor leaves the address nowhere."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from chatbot.web import keys
from tests.fixtures import (
    AgentClient,
    ChatClient,
    ServerFactory,
    add_agent,
    bearer,
    free_port,
    login,
    server_url,
)
from tests.test_notify import Inbox

ADDRESS = "liisa.virtanen@posti.fi"


@pytest.fixture
async def mailbox() -> AsyncIterator[tuple[Inbox, int]]:
    inbox = Inbox(asyncio.get_running_loop())
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def visitor_with_address(server_url_: str) -> ChatClient:
    """A Finnish visitor, not signed in, asks for a person and gives an address."""
    customer = ChatClient(server_url_)
    await customer.connect(locale="fi")
    replies = await customer.say("Haluan puhua ihmisen kanssa kafebar.no:sta")
    assert replies[-1]["ask"]["field"] == "contact_email", replies
    assert not customer.tickets
    await customer.say(f"Joo, se on {ADDRESS}, kiitos")
    assert customer.tickets
    return customer


async def test_an_anonymous_visitor_gets_the_ticket_number_and_later_answers_by_mail(
    make_server: ServerFactory, mailbox: tuple[Inbox, int]
) -> None:
    inbox, port = mailbox
    server = await make_server(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="tuki@aurora.example",
        reply_email_delay=0.3,
    )
    customer = await visitor_with_address(server_url(server))
    [ticket] = customer.tickets
    number = ticket["number"]
    # Nobody is online: the chat says where the answer will also go.
    told = [m for m in customer.received if m["from"] == "system"][-1]
    assert told["event"] == "queue_offline_email" and ADDRESS in told["text"]

    [mail] = await inbox.wait(1)
    assert mail["To"] == ADDRESS
    assert number in mail["Subject"]
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    phrases = server.app[keys.ENGINE].phrases
    assert number in body
    assert phrases.say("fi", "email_greeting") in body  # Finnish, as the chat was

    # The agent sees the address on the ticket.
    token = await login(server, *await add_agent(server, "ana@support.example", "Ana"))
    async with aiohttp.ClientSession() as http:
        response = await http.get(server.make_url(f"/api/tickets/{number}"), headers=bearer(token))
        details = await response.json()
    assert details["fields"]["contact_email"] == ADDRESS

    # The visitor leaves; the agent's answer follows them by mail.
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    await agent.call("claim", {"ticket": number})
    await customer.disconnect()
    sent = await agent.call(
        "message", {"ticket": number, "id": "r1", "text": "Korjasin DNS-tietueen."}
    )
    assert sent["ok"], sent
    [_, reply] = await inbox.wait(2)
    assert reply["To"] == ADDRESS and number in reply["Subject"]
    assert "Korjasin DNS-tietueen." in reply.get_body().get_content()  # type: ignore[union-attr]


async def test_erasing_the_visitor_leaves_their_address_nowhere(
    make_server: ServerFactory, mailbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = mailbox
    data_dir = tmp_path / "data"
    server = await make_server(data_dir=data_dir, smtp_host="127.0.0.1", smtp_port=port)
    customer = await visitor_with_address(server_url(server))
    await inbox.wait(1)  # the confirmation went out; the outbox remembers it
    assert customer.session is not None
    visitor = str(customer.session["visitor_token"].split(".")[1])
    admin = await login(server, *await add_agent(server, "root@support.example", "Root", "admin"))
    async with aiohttp.ClientSession() as http:
        exported = await (
            await http.get(
                server.make_url(f"/api/customers/{visitor}/export"), headers=bearer(admin)
            )
        ).json()
        # The address is the visitor's own data: in their export...
        assert exported["tickets"][0]["fields"]["contact_email"] == ADDRESS
        response = await http.delete(
            server.make_url(f"/api/customers/{visitor}"), headers=bearer(admin)
        )
        assert response.status == 200, await response.text()
    # ...and gone with them: not in any table of the database.
    with sqlite3.connect(server.app[keys.SETTINGS].database_path) as db:
        dump = "\n".join(db.iterdump())
    assert ADDRESS not in dump
