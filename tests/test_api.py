"""The REST API: login, tickets for helpdesk bridges, replies into the chat, OpenAPI."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.fixtures import ChatClient, add_agent, login, server_url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def ticket_for(server: TestServer) -> tuple[ChatClient, str]:
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    await customer.ask_for_person(
        "I want to talk to a person about kafebar.no, error 503 since this morning"
    )
    return customer, customer.tickets[0]["number"]


def routes_of(server: TestServer) -> set[tuple[str, str]]:
    found = set()
    for route in server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith("/api/") and route.method != "HEAD":
            found.add((route.method.lower(), path))
    return found


async def test_the_openapi_document_describes_exactly_the_api(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    response = await http.get(chat_server.make_url("/api/openapi.json"))
    document = await response.json()
    assert document["openapi"].startswith("3.")
    described = {(method, path) for path, item in document["paths"].items() for method in item}
    assert described == routes_of(chat_server)
    # Every $ref points at something that exists.
    refs = re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', str(document).replace("'", '"'))
    for section, name in refs:
        assert name in document["components"][section], name


async def test_every_endpoint_but_login_refuses_a_missing_or_forged_token(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    for method, path in routes_of(chat_server):
        if path in ("/api/auth/login", "/api/openapi.json", "/api/status"):
            continue
        url = chat_server.make_url(path.replace("{number}", "HS-104201").replace("{id}", "INC-1"))
        for headers in ({}, {"Authorization": "Bearer as_forged"}, {"Authorization": "Basic YTpi"}):
            response = await http.request(method, url, headers=headers, json={})
            body = await response.json()
            assert response.status == 401, (method, path, headers)
            assert body["error"]["code"] == "unauthorized"


async def test_login_with_wrong_passwords_is_refused_then_throttled(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    email, password = await add_agent(chat_server, "ana@support.example", "Ana")
    url = chat_server.make_url("/api/auth/login")
    for attempt in (
        {"email": email, "password": "wrong"},
        {"email": "nobody@x.example", "password": "x"},
    ):
        response = await http.post(url, json=attempt)
        assert (
            response.status == 401
            and (await response.json())["error"]["code"] == "invalid_credentials"
        )
    for bad in ("not json", "[]", '{"email": 5}'):
        response = await http.post(url, data=bad, headers={"Content-Type": "application/json"})
        assert response.status == 400, bad
    statuses = [
        (await http.post(url, json={"email": email, "password": "guess"})).status for _ in range(6)
    ]
    assert statuses[-1] == 429
    throttled = await http.post(url, json={"email": email, "password": password})
    assert throttled.status == 429 and int(throttled.headers["Retry-After"]) >= 1


async def test_a_helpdesk_bridge_reads_changes_and_answers_a_ticket(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    customer, number = await ticket_for(chat_server)
    # A bridge that posts on behalf of its helpdesk's people is an admin account.
    token = await login(
        chat_server, *await add_agent(chat_server, "bridge@support.example", "Bridge", "admin")
    )
    auth = {"Authorization": f"Bearer {token}"}

    listed = await (
        await http.get(chat_server.make_url("/api/tickets?status=open"), headers=auth)
    ).json()
    assert [t["number"] for t in listed["tickets"]] == [number]
    found = await (
        await http.get(chat_server.make_url("/api/tickets?q=kafebar"), headers=auth)
    ).json()
    assert [t["number"] for t in found["tickets"]] == [number]
    none = await (
        await http.get(chat_server.make_url("/api/tickets?q=nothing-like-this"), headers=auth)
    ).json()
    assert none["tickets"] == []
    bad = await http.get(chat_server.make_url("/api/tickets?status=lost"), headers=auth)
    assert bad.status == 400

    one = await (
        await http.get(chat_server.make_url(f"/api/tickets/{number}"), headers=auth)
    ).json()
    assert one["number"] == number and one["messages"][0]["from"] == "customer"
    missing = await http.get(chat_server.make_url("/api/tickets/HS-1"), headers=auth)
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"

    patched = await http.patch(
        chat_server.make_url(f"/api/tickets/{number}"),
        headers=auth,
        json={
            "title": "kafebar.no shows 503",
            "priority": "high",
            "fields": {"domain": "kafebar.no"},
        },
    )
    changed = await patched.json()
    assert (
        patched.status == 200
        and changed["title"] == "kafebar.no shows 503"
        and changed["priority"] == "high"
    )
    for wrong in (
        {"priority": "whenever"},
        {"fields": {"Bad Name": "x"}},
        {"title": 5},
        {"status": "closed"},
    ):
        response = await http.patch(
            chat_server.make_url(f"/api/tickets/{number}"), headers=auth, json=wrong
        )
        assert response.status == 400, wrong

    before = len(customer.received)
    posted = await http.post(
        chat_server.make_url(f"/api/tickets/{number}/messages"),
        headers=auth,
        json={
            "id": "zd-991",
            "text": "We restarted the web server; please check.",
            "author": "Mia",
        },
    )
    assert posted.status == 201
    again = await http.post(
        chat_server.make_url(f"/api/tickets/{number}/messages"),
        headers=auth,
        json={
            "id": "zd-991",
            "text": "We restarted the web server; please check.",
            "author": "Mia",
        },
    )
    assert again.status == 200 and (await again.json())["duplicate"] is True
    [reply] = (await customer.wait_for_messages(before + 1))[before:]
    assert reply["from"] == "agent" and reply["agent"] == {"name": "Mia (via Bridge)"}

    closed = await http.patch(
        chat_server.make_url(f"/api/tickets/{number}"),
        headers=auth,
        json={"status": "closed", "resolution": "web server restarted"},
    )
    assert (await closed.json())["status"] == "closed"
    late = await http.post(
        chat_server.make_url(f"/api/tickets/{number}/messages"), headers=auth, json={"text": "p.s."}
    )
    assert late.status == 409 and (await late.json())["error"]["code"] == "ticket_closed"


async def test_reports_count_self_service_handoffs_and_ratings_for_admins_only(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    served = ChatClient(server_url(chat_server))
    await served.connect(locale="fi")
    await served.say("miten vaihdan PHP-version?")
    customer, number = await ticket_for(chat_server)
    admin = await login(
        chat_server, *await add_agent(chat_server, "lead@support.example", "Lead", "admin")
    )
    agent = await login(chat_server, *await add_agent(chat_server, "ana@support.example", "Ana"))
    refused = await http.get(
        chat_server.make_url("/api/reports"), headers={"Authorization": f"Bearer {agent}"}
    )
    assert refused.status == 403
    auth = {"Authorization": f"Bearer {admin}"}
    await http.post(
        chat_server.make_url(f"/api/tickets/{number}/messages"),
        headers=auth,
        json={"text": "Fixed."},
    )
    await http.patch(
        chat_server.make_url(f"/api/tickets/{number}"),
        headers=auth,
        json={"status": "closed", "resolution": "ok"},
    )
    assert (await customer.call("rate", {"ticket": number, "score": 4}))["ok"]
    report: dict[str, Any] = await (
        await http.get(chat_server.make_url("/api/reports?days=7"), headers=auth)
    ).json()
    total = report["total"]
    assert total["conversations"] == 2 and total["tickets"] == 1
    assert total["answered_by_kb"] == 0.5 and total["handed_off"] == 0.5
    assert total["csat"] == 4 and total["median_first_response_minutes"] is not None
    assert set(report["per_language"]) == {"fi", "en"}
    assert report["per_language"]["fi"]["answered_by_kb"] == 1.0
    assert sum(day["conversations"] for day in report["per_day"]) == 2


async def test_metrics_count_connections_messages_the_queue_and_errors(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    customer, _ = await ticket_for(chat_server)
    refused = await customer.call("message", {"id": "m-bad", "text": "x" * 5000})
    assert refused["error"]["code"] == "too_long"
    response = await http.get(chat_server.make_url("/metrics"))
    assert response.status == 200
    lines = set((await response.text()).splitlines())
    for expected in (
        'chatbot_connections{namespace="/"} 1.0',
        # The request for a person and the skipped contact question.
        'chatbot_messages_total{sender="customer"} 2.0',
        "chatbot_queue_length 1.0",
        'chatbot_tickets{status="open"} 1.0',
        'chatbot_tickets_created_total{priority="normal"} 1.0',
        'chatbot_errors_total{code="too_long"} 1.0',
        "chatbot_store_up 1.0",
    ):
        assert expected in lines, expected
    assert any(line.startswith("chatbot_bot_reply_seconds_count 2") for line in lines)
