"""Privacy: an admin exports or erases one customer; closed chats are forgotten in time."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.privacy import RetentionJob
from chatbot.store.sqlite import SQLiteStore
from chatbot.web import keys
from chatbot.web.pages import demo_user_token
from tests.fixtures import (
    AgentClient,
    ChatClient,
    MovingClock,
    ServerFactory,
    add_agent,
    bearer,
    login,
    server_url,
)

DAY = 86400.0
SECRET = "portal-and-chatbot-share-this-secret"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def customer_with_ticket(server: TestServer, text: str, **auth: Any) -> ChatClient:
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en", **auth)
    await customer.ask_for_person(text)
    assert customer.tickets, "the bot should have opened a ticket"
    return customer


def visitor_of(customer: ChatClient) -> str:
    """The anonymous visitor id inside the signed visitor token."""
    assert customer.session is not None
    return str(customer.session["visitor_token"].split(".")[1])


async def admin_token(server: TestServer, role: str = "admin") -> str:
    email, password = await add_agent(server, f"{role}@support.example", role.title(), role)
    return await login(server, email, password)


async def test_an_admin_exports_everything_about_one_customer_and_nothing_of_another(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    server = await make_server(identity_secret=SECRET)
    ana_token = demo_user_token(SECRET.encode(), time.time())
    ana = await customer_with_ticket(
        server, "I want to talk to a person about kafebar.no, error 503", user_token=ana_token
    )
    number = ana.tickets[0]["number"]
    upload = await ana.call("attach", {"id": "shot1", "name": "error.png", "data": PNG})
    assert upload["ok"], upload
    ben = await customer_with_ticket(server, "I want to talk to a person about benbakery.example")
    token = await admin_token(server)
    agent = AgentClient(server_url(server))
    await agent.connect(token)
    note = await agent.call("note", {"ticket": number, "id": "n1", "text": "VIP, owes us money"})
    assert note["ok"], note

    response = await http.get(
        server.make_url("/api/customers/user:demo-ana/export"), headers=bearer(token)
    )
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    export = await response.json()
    assert export["visitor_id"] == "user:demo-ana"
    [conversation] = export["conversations"]
    texts = [m["text"] for m in conversation["messages"]]
    assert "I want to talk to a person about kafebar.no, error 503" in texts
    assert any(m["from"] == "bot" for m in conversation["messages"])
    assert conversation["created_at"].endswith("Z")
    [ticket] = export["tickets"]
    assert ticket["number"] == number and ticket["customer"]["visitor_id"] == "user:demo-ana"
    [file] = export["attachments"]
    assert file["id"] == upload["message"]["attachment"]["id"] and file["stored"] is True
    assert export["ratings"] == []
    assert "internal_notes" in export["not_included"]
    dumped = json.dumps(export)
    assert "owes us money" not in dumped  # the team's notes stay with the team
    assert "benbakery" not in dumped and ben.tickets[0]["number"] not in dumped

    # The same customer, named by their ticket.
    by_ticket = await http.get(
        server.make_url("/api/customers/-/export"), params={"ticket": number}, headers=bearer(token)
    )
    assert (await by_ticket.json())["tickets"] == export["tickets"]
    mismatch = await http.get(
        server.make_url(f"/api/customers/{visitor_of(ben)}/export"),
        params={"ticket": number},
        headers=bearer(token),
    )
    assert mismatch.status == 400
    unknown = await http.get(server.make_url("/api/customers/nobody/export"), headers=bearer(token))
    assert unknown.status == 404 and (await unknown.json())["error"]["code"] == "not_found"


async def test_erasing_a_customer_deletes_their_chat_ticket_and_files_and_spares_others(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    server = await make_server()
    ana = await customer_with_ticket(server, "I want to talk to a person about kafebar.no")
    ana_ticket = ana.tickets[0]["number"]
    upload = await ana.call("attach", {"id": "shot1", "name": "error.png", "data": PNG})
    file_id = upload["message"]["attachment"]["id"]
    ben = await customer_with_ticket(server, "I want to talk to a person about benbakery.example")
    ben_ticket = ben.tickets[0]["number"]
    ben_history = await ben.call("history", {"after": 0})
    token = await admin_token(server)
    assert ana.session is not None
    ana_conversation = ana.session["conversation_id"]

    response = await http.delete(
        server.make_url(f"/api/customers/{visitor_of(ana)}"), headers=bearer(token)
    )
    erased = await response.json()
    assert response.status == 200, erased
    assert erased["conversations"] == [ana_conversation]
    assert erased["tickets"] == [ana_ticket] and erased["attachments"] == 1

    second = await http.delete(
        server.make_url(f"/api/customers/{visitor_of(ana)}"), headers=bearer(token)
    )
    assert second.status == 404
    # Her open chat was ended; the same token starts an empty conversation.
    assert ana.session is not None
    again = ChatClient(server_url(server))
    session = await again.connect(visitor_token=ana.session["visitor_token"])
    assert session["conversation_id"] != ana_conversation and session["last_seq"] == 0
    assert session["ticket"] is None
    assert (await again.call("history", {"after": 0}))["messages"] == []
    gone = await http.get(server.make_url(f"/api/tickets/{ana_ticket}"), headers=bearer(token))
    assert gone.status == 404
    assert (await http.get(server.make_url(f"/attachments/{file_id}"))).status == 404
    assert not any(server.app[keys.SETTINGS].attachments_path.glob(f"{file_id}.*"))

    # Ben is untouched.
    kept = await http.get(server.make_url(f"/api/tickets/{ben_ticket}"), headers=bearer(token))
    assert kept.status == 200
    assert await ben.call("history", {"after": 0}) == ben_history


async def test_only_admins_export_or_erase_customers(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    server = await make_server()
    ana = await customer_with_ticket(server, "I want to talk to a person about kafebar.no")
    agent = await admin_token(server, role="agent")
    url_export = server.make_url(f"/api/customers/{visitor_of(ana)}/export")
    url_delete = server.make_url(f"/api/customers/{visitor_of(ana)}")
    for method, url in (("GET", url_export), ("DELETE", url_delete)):
        for headers, status in (({}, 401), (bearer("as_forged"), 401), (bearer(agent), 403)):
            response = await http.request(method, url, headers=headers)
            assert response.status == status, (method, headers)
    # Nothing was deleted on the way.
    admin = await admin_token(server)
    assert (await http.get(url_export, headers=bearer(admin))).status == 200


async def close_ticket(http: aiohttp.ClientSession, server: TestServer, token: str, n: str) -> None:
    response = await http.patch(
        server.make_url(f"/api/tickets/{n}"),
        json={"status": "closed", "resolution": "solved"},
        headers=bearer(token),
    )
    assert response.status == 200, await response.json()


async def test_the_retention_job_forgets_old_closed_chats_only(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    clock = MovingClock()
    server = await make_server(clock=clock)
    old_closed = await customer_with_ticket(server, "I want to talk to a person about kafebar.no")
    upload = await old_closed.call("attach", {"id": "s1", "name": "a.png", "data": PNG})
    old_file = upload["message"]["attachment"]["id"]
    old_open = await customer_with_ticket(server, "I want to talk to a person about benbakery.no")
    admin = await add_agent(server, "admin@support.example", "Admin", "admin")
    await close_ticket(http, server, await login(server, *admin), old_closed.tickets[0]["number"])
    clock.shift = 40 * DAY
    recent = await customer_with_ticket(server, "I want to talk to a person about cafe-ana.no")
    # The first login has expired by now.
    await close_ticket(http, server, await login(server, *admin), recent.tickets[0]["number"])

    app = server.app
    job = RetentionJob(app[keys.STORE], app[keys.ATTACHMENTS], 30, app[keys.CLOCK])
    deleted = await job.run_once(app[keys.CLOCK]())

    assert old_closed.session is not None
    assert deleted == [old_closed.session["conversation_id"]]
    assert app[keys.ATTACHMENTS].find(old_file) is None
    store = app[keys.STORE]
    assert await store.get_ticket(old_closed.tickets[0]["number"]) is None
    for kept in (old_open, recent):
        assert kept.session is not None
        assert await store.get_conversation(kept.session["conversation_id"]) is not None
        assert await store.get_ticket(kept.tickets[0]["number"]) is not None
    assert await job.run_once(app[keys.CLOCK]()) == []


class Records(logging.Handler):
    """The records of one logger, for a test to await."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.added = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.loop.call_soon_threadsafe(self.added.set)

    async def wait_for(self, holds: Callable[[list[logging.LogRecord]], bool]) -> None:
        async def wait() -> None:
            while not holds(self.records):
                self.added.clear()
                await self.added.wait()

        await asyncio.wait_for(wait(), 10)


@pytest.fixture
async def privacy_log() -> AsyncIterator[Records]:
    logger = logging.getLogger("chatbot.privacy")
    handler = Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_a_server_with_a_retention_setting_purges_at_start_and_every_hour(
    make_server: ServerFactory, http: aiohttp.ClientSession, privacy_log: Records
) -> None:
    first = await make_server()
    old = await customer_with_ticket(first, "I want to talk to a person about kafebar.no")
    await close_ticket(http, first, await admin_token(first), old.tickets[0]["number"])
    await first.close()
    assert not privacy_log.records  # no retention setting: no job

    clock = MovingClock()
    clock.shift = 31 * DAY
    later = await make_server(clock=clock, retention_days=30)
    await privacy_log.wait_for(lambda records: any("deleted 1 " in r.getMessage() for r in records))
    assert old.session is not None
    assert await later.app[keys.STORE].get_conversation(old.session["conversation_id"]) is None


async def test_the_retention_loop_survives_a_failing_store(
    tmp_path: Path, privacy_log: Records
) -> None:
    store = SQLiteStore(tmp_path / "chatbot.sqlite3")
    await store.open()
    await store.close()  # every call now fails
    from chatbot.attachments import AttachmentStore

    job = RetentionJob(store, AttachmentStore(tmp_path / "files", 1000), 30, time.time, 0.01)
    task = asyncio.create_task(job.loop())
    try:
        await privacy_log.wait_for(lambda records: len(records) >= 2)
        assert not task.done()
        assert all(r.levelno == logging.WARNING or r.exc_info for r in privacy_log.records)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_command_line_exports_and_erases_a_customer(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = await make_server()
    ana = await customer_with_ticket(server, "I want to talk to a person about kafebar.no")
    visitor = visitor_of(ana)
    data_dir = str(server.app[keys.SETTINGS].data_dir)

    async def chatbot(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chatbot",
            "customers",
            *args,
            "--data-dir",
            data_dir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    out_file = tmp_path / "ana.json"
    code, _, err = await chatbot("export", visitor, "--out", str(out_file))
    assert code == 0, err
    assert os.stat(out_file).st_mode & 0o777 == 0o600
    assert json.loads(out_file.read_text())["tickets"][0]["number"] == ana.tickets[0]["number"]
    code, _, err = await chatbot("delete", visitor)
    assert code == 2 and "--yes" in err
    code, out, err = await chatbot("delete", visitor, "--yes")
    assert code == 0 and "deleted 1 conversations" in out, err
    code, _, err = await chatbot("export", visitor)
    assert code == 1 and "nothing is stored" in err
