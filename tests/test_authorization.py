"""Who may do what. Customer B never reads or touches customer A's conversation, ticket or
file, even knowing their numbers and ids; forged tokens are refused; agent sessions end
on expiry and logout; admin-only features are admin-only.

Actors: an anonymous visitor, verified customers A and B (portal identity tokens), an
agent and an admin. Attachments are capability URLs by design: whoever holds the link can
read the file, so the link must be unguessable and reach nobody but that chat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.web.openapi import OPENAPI
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

SECRET = "portal-and-chatbot-share-this-secret"
HOUR = 3600.0


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def portal_token(sub: str, secret: str = SECRET, alg: str = "HS256", **claims: Any) -> str:
    """A portal identity token (JWT) as the customer portal signs it."""
    body = {"sub": sub, "name": sub, "exp": int(time.time()) + 3600, **claims}
    header_part = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body_part = b64(json.dumps(body).encode())
    mac = hmac.new(secret.encode(), f"{header_part}.{body_part}".encode(), hashlib.sha256)
    return f"{header_part}.{body_part}.{b64(mac.digest())}"


class Customer(ChatClient):
    """A customer's socket that also records every event without its own handler."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.other_events: list[tuple[str, Any]] = []
        self.sio.on("*", self._on_any)

    async def _on_any(self, event: str, data: Any = None) -> None:
        self.other_events.append((event, data))

    def everything(self) -> str:
        """All the customer was ever sent, as text."""
        return json.dumps([self.session, self.received, self.tickets, self.other_events])


@dataclass
class World:
    server: TestServer
    http: aiohttp.ClientSession
    anon: Customer
    a: Customer
    b: Customer
    a_ticket: str
    b_ticket: str
    a_file: str
    a_message_id: str
    agent: str
    admin: str

    def url(self, path: str) -> Any:
        return self.server.make_url(path)

    async def history(self, customer: ChatClient) -> list[dict[str, Any]]:
        ack = await customer.call("history", {"after": 0})
        assert ack["ok"], ack
        return list(ack["messages"])

    async def ticket(self, number: str) -> dict[str, Any]:
        response = await self.http.get(
            self.url(f"/api/tickets/{number}"), headers=bearer(self.admin)
        )
        assert response.status == 200
        return dict(await response.json())


async def customer(server: TestServer, **auth: Any) -> Customer:
    client = Customer(server_url(server))
    await client.connect(locale="en", **auth)
    return client


@pytest.fixture
async def world(make_server: ServerFactory) -> AsyncIterator[World]:
    server = await make_server(identity_secret=SECRET)
    a = await customer(server, user_token=portal_token("u-ana"))
    await a.ask_for_person(
        "I want to talk to a person about kafebar.no, error 503 since this morning"
    )
    upload = await a.call("attach", {"id": "a-shot", "name": "secret.png", "data": PNG})
    assert upload["ok"], upload
    b = await customer(server, user_token=portal_token("u-ben"))
    await b.ask_for_person("I want to talk to a person about benbakery.example")
    anon = await customer(server)
    agent = await login(server, *await add_agent(server, "agent@support.example", "Ivan"))
    admin = await login(
        server, *await add_agent(server, "admin@support.example", "Mia", role="admin")
    )
    async with aiohttp.ClientSession() as http:
        yield World(
            server=server,
            http=http,
            anon=anon,
            a=a,
            b=b,
            a_ticket=a.tickets[0]["number"],
            b_ticket=b.tickets[0]["number"],
            a_file=upload["message"]["attachment"]["id"],
            a_message_id=upload["id"],
            agent=agent,
            admin=admin,
        )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def a_conversation(world: World) -> str:
    assert world.a.session is not None
    return str(world.a.session["conversation_id"])


# B sends every customer event, naming A's conversation, ticket and message ids.
B_AGAINST_A: list[tuple[str, Callable[[World], dict[str, Any]]]] = [
    ("message", lambda w: {"id": w.a_message_id, "text": "hello", "ticket": w.a_ticket}),
    ("message", lambda w: {"id": "b1", "text": "x", "conversation_id": a_conversation(w)}),
    ("history", lambda w: {"after": 0, "conversation_id": a_conversation(w)}),
    ("history", lambda w: {"after": 0, "ticket": w.a_ticket}),
    ("typing", lambda w: {"on": True, "conversation_id": a_conversation(w), "ticket": w.a_ticket}),
    (
        "attach",
        lambda w: {"id": w.a_message_id, "name": "x.txt", "data": b"hi", "ticket": w.a_ticket},
    ),
    ("rate", lambda w: {"ticket": w.a_ticket, "score": 1, "comment": "awful"}),
    ("rate", lambda w: {"ticket": w.a_ticket.lower(), "score": 1}),
]


async def test_customer_b_never_reaches_customer_as_conversation_or_ticket(world: World) -> None:
    # A's chat is closed, so a rating would count.
    closed = await world.http.patch(
        world.url(f"/api/tickets/{world.a_ticket}"),
        json={"status": "closed", "resolution": "restarted the web server"},
        headers=bearer(world.admin),
    )
    assert closed.status == 200
    a_before = await world.history(world.a)
    a_ticket_before = await world.ticket(world.a_ticket)
    nonexistent = await world.b.call("rate", {"ticket": "HS-999999", "score": 1})

    for event, payload in B_AGAINST_A:
        ack = await world.b.call(event, payload(world))
        if event == "rate":
            # The same answer as for a ticket that does not exist: numbers are guessable.
            assert ack["error"]["code"] == nonexistent["error"]["code"] == "not_found"
        else:
            assert ack["ok"], (event, ack)
        assert await world.history(world.a) == a_before, event
        assert await world.ticket(world.a_ticket) == a_ticket_before, event

    b_history = await world.history(world.b)
    for leaked in ("kafebar", world.a_file, "secret.png", world.a_ticket, "u-ana"):
        assert leaked not in json.dumps(b_history), leaked
        assert leaked not in world.b.everything(), leaked
    # A rates her own ticket: the refusals above were about B, not a broken feature.
    mine = await world.a.call("rate", {"ticket": world.a_ticket, "score": 5})
    assert mine["ok"] and mine["rating"] == 5


async def test_a_customer_cannot_take_an_agents_or_the_systems_message_id(world: World) -> None:
    # Agents' messages are stored as "@<id>" and the system's as "#<kind><ticket>": a
    # customer who took one first would swallow the agent's reply or the rating question.
    for taken in ("@m1", f"#c{world.b_ticket}", f"#q{world.b_ticket}"):
        ack = await world.b.call("message", {"id": taken, "text": "hi"})
        assert ack["error"]["code"] == "invalid_payload", taken
        upload = await world.b.call("attach", {"id": taken, "name": "a.txt", "data": b"hi"})
        assert upload["error"]["code"] == "invalid_payload", taken


async def test_b_typing_never_reaches_the_console_that_follows_a(world: World) -> None:
    console = AgentClient(server_url(world.server))
    await console.connect(world.admin)
    assert (await console.call("open", {"ticket": world.a_ticket}))["ok"]
    await world.b.call("typing", {"on": True, "conversation_id": a_conversation(world)})
    await world.a.call("typing", {"on": True})
    # Events arrive in order: B's would have come first.
    first = await console.wait_for("typing")
    assert first["conversation_id"] == a_conversation(world)


AGENT_ONLY_EVENTS = [
    ("snapshot", {}),
    ("open", {"ticket": "{a}"}),
    ("claim", {"ticket": "{a}"}),
    ("release", {"ticket": "{a}"}),
    ("transfer", {"ticket": "{a}", "to": "anyone"}),
    ("close", {"ticket": "{a}", "resolution": "done"}),
    ("note", {"ticket": "{a}", "id": "n1", "text": "psst"}),
    ("update", {"ticket": "{a}", "priority": "low"}),
    ("presence", {"status": "online"}),
    ("kb_search", {"q": "dns"}),
    ("reports", {"days": 30}),
]


async def test_a_customer_socket_cannot_use_the_agents_events(world: World) -> None:
    before = await world.ticket(world.a_ticket)
    for event, template in AGENT_ONLY_EVENTS:
        payload = json.loads(json.dumps(template).replace("{a}", world.a_ticket))
        for who in (world.b, world.anon, world.a):
            ack = await who.call(event, payload)
            assert ack["error"]["code"] == "unknown_event", (event, ack)
    after = await world.ticket(world.a_ticket)
    assert after == before


async def test_the_agent_namespace_refuses_customers_and_forged_tokens(world: World) -> None:
    assert world.anon.session is not None
    visitor_token = world.anon.session["visitor_token"]
    forged = [
        None,
        visitor_token,
        portal_token("u-ana"),
        "as_" + "A" * 43,
        world.agent[:-2] + ("xy" if not world.agent.endswith("xy") else "zz"),
        "Bearer " + world.agent,
    ]
    for token in forged:
        intruder = AgentClient(server_url(world.server))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await intruder.connect(token)
        assert intruder.refused["data"]["code"] == "unauthorized", token
        assert not intruder.seen("session")


def api_routes(server: TestServer) -> set[tuple[str, str]]:
    found = set()
    for route in server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith("/api/") and route.method != "HEAD":
            found.add((route.method, path))
    return found


async def test_no_rest_endpoint_accepts_a_customers_credentials(world: World) -> None:
    assert world.anon.session is not None
    credentials = [
        {},
        bearer(world.anon.session["visitor_token"]),
        bearer(portal_token("u-ana")),
        {"Authorization": world.agent},  # no scheme
        {"Authorization": f"Basic {world.agent}"},
        {"Cookie": f"token={world.admin}"},
    ]
    routes = api_routes(world.server)
    assert ("DELETE", "/api/customers/{visitor_id}") in routes
    values = {"number": world.a_ticket, "visitor_id": "user:u-ana"}
    for method, path in routes:
        if OPENAPI["paths"][path][method.lower()].get("security") == []:
            continue  # documented as public (login, this document, the status page)
        url = world.url(re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "X-1"), path))
        for headers in credentials:
            response = await world.http.request(method, url, headers=headers, json={})
            assert response.status == 401, (method, path, headers)
    # Nothing happened to A on the way.
    assert (await world.ticket(world.a_ticket))["status"] == "open"


async def test_admin_only_features_refuse_other_agents(world: World) -> None:
    checks = [
        ("GET", "/api/reports?days=7", 200),
        ("GET", "/api/customers/user:u-ben/export", 200),
        ("GET", f"/api/customers/-/export?ticket={world.b_ticket}", 200),
        ("DELETE", "/api/customers/user:u-ben", 200),
    ]
    for method, path, _ in checks:
        as_agent = await world.http.request(method, world.url(path), headers=bearer(world.agent))
        assert as_agent.status == 403, (method, path)
        assert (await as_agent.json())["error"]["code"] == "forbidden"
    for method, path, admin_status in checks:
        as_admin = await world.http.request(method, world.url(path), headers=bearer(world.admin))
        assert as_admin.status == admin_status, (method, path)

    agent = AgentClient(server_url(world.server))
    await agent.connect(world.agent)
    assert (await agent.call("reports", {"days": 7}))["error"]["code"] == "forbidden"
    admin = AgentClient(server_url(world.server))
    await admin.connect(world.admin)
    assert (await admin.call("reports", {"days": 7}))["ok"]


async def test_an_agent_cannot_take_over_or_act_on_another_agents_chat(world: World) -> None:
    holder_email, holder_password = await add_agent(world.server, "ana@support.example", "Ana")
    holder = AgentClient(server_url(world.server))
    await holder.connect(await login(world.server, holder_email, holder_password))
    other = AgentClient(server_url(world.server))
    await other.connect(world.agent)
    me = (await other.call("snapshot"))["me"]
    assert (await holder.call("claim", {"ticket": world.a_ticket}))["ok"]
    before = await world.ticket(world.a_ticket)

    attempts = [
        ("claim", {"ticket": world.a_ticket}, "already_claimed"),
        ("transfer", {"ticket": world.a_ticket, "to": me["id"]}, "not_assigned"),
        ("release", {"ticket": world.a_ticket}, "not_assigned"),
        ("close", {"ticket": world.a_ticket, "resolution": "mine now"}, "forbidden"),
        ("message", {"ticket": world.a_ticket, "id": "m1", "text": "hi"}, "forbidden"),
    ]
    for event, payload, code in attempts:
        ack = await other.call(event, payload)
        assert ack["error"]["code"] == code, (event, ack)
    after = await world.ticket(world.a_ticket)
    assert after["assignee"] == before["assignee"] and after["status"] == "in_progress"
    assert after["messages"] == before["messages"]

    # An admin may move it.
    admin = AgentClient(server_url(world.server))
    await admin.connect(world.admin)
    moved = await admin.call("transfer", {"ticket": world.a_ticket, "to": me["id"]})
    assert moved["ok"] and moved["ticket"]["assignee"]["id"] == me["id"]


async def test_attachments_are_capability_urls_that_only_their_chat_learns(world: World) -> None:
    # Whoever holds the link reads the file, with no login: it is the design (the widget
    # shows images with a plain <img>). So the id must be unguessable and private.
    response = await world.http.get(world.url(f"/attachments/{world.a_file}"))
    assert response.status == 200 and await response.read() == PNG
    assert re.fullmatch(r"f_[A-Za-z0-9_-]{22}", world.a_file)  # 128 random bits
    others = []
    for n in range(3):
        ack = await world.b.call("attach", {"id": f"b{n}", "name": "b.png", "data": PNG})
        others.append(ack["message"]["attachment"]["id"])
    assert len({world.a_file, *others}) == 4
    near = world.a_file[:-1] + ("A" if world.a_file[-1] != "A" else "B")
    for wrong in (near, world.a_file.lower(), world.a_file + "x", "..%2Fchatbot.sqlite3"):
        assert (await world.http.get(world.url(f"/attachments/{wrong}"))).status == 404
    assert world.a_file not in world.b.everything()
    assert world.a_file not in world.anon.everything()


async def test_forged_customer_tokens_are_refused(world: World) -> None:
    assert world.anon.session is not None
    token = world.anon.session["visitor_token"]
    version, visitor, issued, signature = token.split(".")
    b_token = portal_token("u-ben")
    header, _, b_signature = b_token.split(".")
    as_ana = b64(json.dumps({"sub": "u-ana", "exp": int(time.time()) + 3600}).encode())
    none_header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    forged = {
        "visitor token, bad signature": {
            "visitor_token": f"{version}.{visitor}.{issued}.{'A' * 43}"
        },
        "visitor token, other visitor": {
            "visitor_token": f"{version}.{visitor[::-1]}.{issued}.{signature}"
        },
        "visitor token, later issued": {
            "visitor_token": f"{version}.{visitor}.{int(issued) + 9999999}.{signature}"
        },
        "visitor token, no signature": {"visitor_token": f"{version}.{visitor}.{issued}"},
        "identity, bad signature": {"user_token": portal_token("u-ana", secret="guess")},
        "identity, expired": {"user_token": portal_token("u-ana", exp=int(time.time()) - 1)},
        "identity, alg none": {"user_token": f"{none_header}.{as_ana}."},
        "identity, HS512": {"user_token": portal_token("u-ana", alg="HS512")},
        "identity, tampered claims": {"user_token": f"{header}.{as_ana}.{b_signature}"},
    }
    for name, auth in forged.items():
        intruder = Customer(server_url(world.server))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await intruder.connect(**auth)
        assert intruder.refused["data"]["code"] == "invalid_token", name
        assert intruder.session is None, name

    # A real visitor token is its visitor's key: whoever presents it is that visitor.
    same = await customer(world.server, visitor_token=token)
    assert same.session is not None
    assert same.session["conversation_id"] == world.anon.session["conversation_id"]


async def test_agent_sessions_end_when_they_expire_or_on_logout(
    make_server: ServerFactory,
) -> None:
    clock = MovingClock()
    server = await make_server(clock=clock, agent_session_hours=12)
    email, password = await add_agent(server, "ana@support.example", "Ana")
    async with aiohttp.ClientSession() as http:
        # Expiry.
        token = await login(server, email, password)
        console = AgentClient(server_url(server))
        await console.connect(token)
        assert (await console.call("snapshot"))["ok"]
        clock.shift = 12 * HOUR + 1
        me = await http.get(server.make_url("/api/me"), headers=bearer(token))
        assert me.status == 401
        assert (await console.call("snapshot"))["error"]["code"] == "unauthorized"
        await console.disconnected.wait()

        # Logout over REST also ends an open console at its next event.
        token = await login(server, email, password)
        console = AgentClient(server_url(server))
        await console.connect(token)
        out = await http.post(server.make_url("/api/auth/logout"), headers=bearer(token))
        assert out.status == 204
        assert (await http.get(server.make_url("/api/me"), headers=bearer(token))).status == 401
        assert (await console.call("kb_search", {"q": "dns"}))["error"]["code"] == "unauthorized"
        await console.disconnected.wait()
        again = AgentClient(server_url(server))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await again.connect(token)
        assert again.refused["data"]["code"] == "unauthorized"
