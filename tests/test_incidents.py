"""Known outages: the bot tells affected customers first and links their reports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from chatbot.tickets.incidents import IncidentNotice, affecting, target_matches
from tests.fixtures import ChatClient, add_agent, login, server_url

MAIL_PROBLEMS = [
    ("en", "my email is not working"),
    ("en", "i can't send emails"),
    ("fi", "sähköposti ei toimi"),
    ("fi", "posti ei kulje"),
    ("nb", "e-posten min virker ikke"),
    ("hr", "ne radi mi e-mail"),
    ("ru", "не работает почта"),
    ("hu", "nem működik az email"),
    ("en", "Outlook can't receive mail since this morning"),
    ("en", "mail doesn't send from kafebar.no"),
]

MESSAGES = {
    "en": "Mail on mail3 is down since 14:05; no mail is lost.",
    "fi": "Sähköpostipalvelin mail3 on poissa käytöstä klo 14.05 alkaen; viestejä ei katoa.",
    "nb": "E-post på mail3 er nede siden 14:05; ingen e-post går tapt.",
}


async def admin_token(server: TestServer) -> str:
    return await login(server, *await add_agent(server, "lead@support.example", "Lea", "admin"))


async def api(
    server: TestServer, method: str, path: str, token: str | None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http:
        response = await http.request(method, server.make_url(path), json=body, headers=headers)
        return response.status, await response.json()


async def test_ten_customers_hear_of_the_outage_first_and_are_told_when_it_is_fixed(
    chat_server: TestServer,
) -> None:
    token = await admin_token(chat_server)
    status, created = await api(
        chat_server,
        "POST",
        "/api/incidents",
        token,
        {"service": "email", "targets": [], "messages": MESSAGES},
    )
    assert status == 201, created
    incident = created["incident"]["id"]
    assert incident.startswith("INC-")

    customers = []
    for lang, text in MAIL_PROBLEMS:
        customer = ChatClient(server_url(chat_server))
        await customer.connect(locale=lang)
        replies = await customer.say(text)
        texts = " ".join(r["text"] for r in replies)
        # The outage first, in their language where the admin wrote one, else English.
        assert MESSAGES.get(lang, MESSAGES["en"]) in texts, (text, texts)
        [ticket] = customer.tickets
        assert ticket["number"] in texts  # "recorded as ticket HS-..."
        customers.append((customer, ticket["number"]))

    status, linked = await api(chat_server, "GET", f"/api/incidents/{incident}", token)
    assert sorted(t["number"] for t in linked["tickets"]) == sorted(n for _, n in customers)
    assert {t["status"] for t in linked["tickets"]} == {"waiting"}
    # Linked reports do not queue: the agents see the incident, not ten duplicates.
    status, queue = await api(chat_server, "GET", "/api/tickets?status=open", token)
    assert queue["tickets"] == []
    status, public = await api(chat_server, "GET", "/api/status?lang=fi", None)
    assert public["status"] == "degraded"
    assert public["incidents"][0]["message"] == MESSAGES["fi"]
    assert "targets" not in public["incidents"][0]

    status, resolved = await api(
        chat_server,
        "POST",
        f"/api/incidents/{incident}/resolve",
        token,
        {"messages": {"en": "Mail works again; delayed mail has been delivered."}},
    )
    assert status == 200, resolved
    assert sorted(resolved["closed_tickets"]) == sorted(n for _, n in customers)
    for customer, number in customers:
        notice = await wait_for_event(customer, "incident_resolved")
        assert number in notice["text"]
    english = customers[0][0]
    assert "delayed mail has been delivered" in english.received[-1]["text"]
    status, public = await api(chat_server, "GET", "/api/status", None)
    assert public == {"status": "ok", "incidents": []}
    status, again = await api(chat_server, "POST", f"/api/incidents/{incident}/resolve", token, {})
    assert status == 409 and again["error"]["code"] == "incident_resolved"


async def wait_for_event(customer: ChatClient, event: str) -> dict[str, Any]:
    async def seen() -> dict[str, Any]:
        while True:
            for message in customer.received:
                if message.get("event") == event:
                    return message
            await customer.wait_for_messages(len(customer.received) + 1)

    return await asyncio.wait_for(seen(), 10)


async def test_an_outage_elsewhere_does_not_hijack_the_conversation(
    chat_server: TestServer,
) -> None:
    token = await admin_token(chat_server)
    await api(
        chat_server,
        "POST",
        "/api/incidents",
        token,
        {"service": "email", "targets": ["mail3", "kafebar.no"], "messages": MESSAGES},
    )
    # Their domain is known and not affected: the usual help, no incident.
    elsewhere = ChatClient(server_url(chat_server))
    await elsewhere.connect(locale="en")
    replies = await elsewhere.say("mail doesn't send from pekarna.hr")
    assert MESSAGES["en"] not in " ".join(r["text"] for r in replies)
    assert elsewhere.tickets == []
    # An affected domain: told and linked.
    affected = ChatClient(server_url(chat_server))
    await affected.connect(locale="en")
    replies = await affected.say("mail doesn't send from www.kafebar.no")
    assert MESSAGES["en"] in replies[0]["text"]
    assert affected.tickets and affected.tickets[0]["status"] == "waiting"
    # Not a mail problem: no mention.
    web = ChatClient(server_url(chat_server))
    await web.connect(locale="en")
    replies = await web.say("my website kafebar.no shows error 500")
    assert MESSAGES["en"] not in " ".join(r["text"] for r in replies)


async def test_only_admins_announce_incidents_and_bad_ones_are_refused(
    chat_server: TestServer,
) -> None:
    agent = await login(chat_server, *await add_agent(chat_server, "ivan@support.example", "Ivan"))
    body = {"service": "email", "messages": MESSAGES}
    status, refused = await api(chat_server, "POST", "/api/incidents", agent, body)
    assert status == 403 and refused["error"]["code"] == "forbidden"
    admin = await admin_token(chat_server)
    for bad in (
        {"service": "teleportation", "messages": MESSAGES},
        {"service": "email", "messages": {}},
        {"service": "email", "messages": {"xx": "hi"}},
        {"service": "email", "messages": MESSAGES, "targets": ["<script>"]},
        {"service": "email", "messages": MESSAGES, "started_at": "yesterday"},
        {"service": "email", "messages": {"en": "x" * 5000}},
    ):
        status, answer = await api(chat_server, "POST", "/api/incidents", admin, bad)
        assert status == 400, bad
        assert answer["error"]["code"] in ("invalid_payload", "too_long")
    status, _ = await api(chat_server, "POST", "/api/incidents/INC-99/resolve", admin, {})
    assert status == 404


def test_targets_match_servers_and_domains_both_ways() -> None:
    assert target_matches("mail3", "mail3.aurora-hosting.example")
    assert target_matches("kafebar.no", "www.kafebar.no")
    assert target_matches("www.kafebar.no", "kafebar.no")
    assert not target_matches("mail3", "mail31.aurora-hosting.example")
    assert not target_matches("bar.no", "kafebar.no")
    started = datetime(2026, 11, 22, 14, 5, tzinfo=UTC)
    mail = IncidentNotice("INC-1", "email", ("mail3",), {"en": "down"}, started)
    everyone = IncidentNotice("INC-2", "email", (), {"en": "down"}, started)
    assert affecting([mail], "email", ["mail3.aurora-hosting.example"]) is not None
    assert affecting([mail], "website", ["mail3"]) is None
    assert affecting([mail], "email", ["pekarna.hr"]) is None
    maybe = affecting([mail], "email", [])
    assert maybe is not None and not maybe.certain  # told, but not linked
    sure = affecting([mail, everyone], "email", [])
    assert sure is not None and sure.certain and sure.incident.id == "INC-2"
