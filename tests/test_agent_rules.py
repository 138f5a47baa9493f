"""What an agent may do over the REST API, and how agent logins are throttled.

Against the real server over real HTTP and sockets. Requests come from chosen loopback
addresses (127.0.0.x) so that the server sees different clients.

- A reply over REST obeys the console's rules: only the agent who holds the chat (by
  claim or transfer) writes in it, admins in any open chat; only an admin names someone
  else, and the customer sees who really wrote.
- A close that is refused changes nothing, not even the fields sent with it.
- Failed logins are limited per address and per account; a stranger's failures never
  lock an agent out of the address they log in from; a flood of made-up e-mails neither
  grows memory nor makes the server forget failures.
- A login body nested too deep is a clear 400, not a 500 with a traceback in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.errors import ChatbotError
from chatbot.rate_limit import LoginThrottle
from chatbot.store.ephemeral import MemoryEphemeral
from chatbot.web import keys
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
from tests.redis_server import RedisServer


async def post_login(
    server: TestServer, email: str, password: str, address: str = "127.0.0.1"
) -> tuple[int, dict[str, Any]]:
    """``POST /api/auth/login`` from ``address`` (any 127.0.0.x is this machine)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as http:
        response = await http.post(
            server.make_url("/api/auth/login"), json={"email": email, "password": password}
        )
        body = await response.json()
        if response.status == 429:
            assert int(response.headers["Retry-After"]) >= 1
        return response.status, body


@dataclass
class Desk:
    server: TestServer
    http: aiohttp.ClientSession
    customer: ChatClient
    ticket: str
    ana: AgentClient
    ana_token: str
    ivan: AgentClient
    ivan_token: str
    bridge_token: str

    async def post(self, token: str, **body: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.post(
            self.server.make_url(f"/api/tickets/{self.ticket}/messages"),
            headers=bearer(token),
            json={"text": "Hello from the helpdesk", **body},
        )
        return response.status, await response.json()

    async def patch(self, token: str, **body: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.patch(
            self.server.make_url(f"/api/tickets/{self.ticket}"), headers=bearer(token), json=body
        )
        return response.status, await response.json()

    async def read(self) -> dict[str, Any]:
        response = await self.http.get(
            self.server.make_url(f"/api/tickets/{self.ticket}"), headers=bearer(self.bridge_token)
        )
        assert response.status == 200
        return dict(await response.json())

    async def agent_messages(self) -> list[dict[str, Any]]:
        return [m for m in (await self.read())["messages"] if m["from"] == "agent"]


async def console(server: TestServer, token: str) -> AgentClient:
    client = AgentClient(server_url(server))
    await client.connect(token)
    return client


@pytest.fixture
async def desk(chat_server: TestServer) -> AsyncIterator[Desk]:
    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    await customer.ask_for_person(
        "I want to talk to a person about kafebar.no, error 503 since this morning"
    )
    ana_token = await login(
        chat_server, *await add_agent(chat_server, "ana@support.example", "Ana")
    )
    ivan_token = await login(
        chat_server, *await add_agent(chat_server, "ivan@support.example", "Ivan")
    )
    bridge_token = await login(
        chat_server,
        *await add_agent(chat_server, "bridge@support.example", "Helpdesk", "admin"),
    )
    async with aiohttp.ClientSession() as http:
        yield Desk(
            server=chat_server,
            http=http,
            customer=customer,
            ticket=customer.tickets[0]["number"],
            ana=await console(chat_server, ana_token),
            ana_token=ana_token,
            ivan=await console(chat_server, ivan_token),
            ivan_token=ivan_token,
            bridge_token=bridge_token,
        )


# 1. Replies over REST.


async def test_an_agent_replies_over_rest_only_in_a_chat_they_hold(desk: Desk) -> None:
    # In the queue: nobody has claimed it, so no agent writes in it yet, as in the console.
    status, body = await desk.post(desk.ivan_token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    console_ack = await desk.ivan.call("message", {"ticket": desk.ticket, "id": "c1", "text": "hi"})
    assert console_ack["error"]["code"] == "forbidden"

    assert (await desk.ana.call("claim", {"ticket": desk.ticket}))["ok"]
    # Another agent can neither write in Ana's chat nor write in it under her name.
    for body_fields in ({}, {"author": "Ana"}, {"on_behalf_of": "Ana"}):
        status, body = await desk.post(desk.ivan_token, **body_fields)
        assert status == 403 and body["error"]["code"] == "forbidden", body_fields
    assert await desk.agent_messages() == []

    # Ana, who holds it, writes as herself; not under another name.
    status, body = await desk.post(desk.ana_token, author="Mia")
    assert status == 403 and body["error"]["code"] == "forbidden"
    before = len(desk.customer.received)
    status, body = await desk.post(desk.ana_token, id="r1")
    assert status == 201 and body["message"]["agent"]["name"] == "Ana"
    [seen] = (await desk.customer.wait_for_messages(before + 1))[before:]
    assert seen["from"] == "agent" and seen["agent"] == {"name": "Ana"}

    # After a transfer the chat is Ivan's: he writes, Ana no longer does.
    ivan_id = (await desk.ivan.call("snapshot"))["me"]["id"]
    assert (await desk.ana.call("transfer", {"ticket": desk.ticket, "to": ivan_id}))["ok"]
    status, _ = await desk.post(desk.ivan_token, id="r2")
    assert status == 201
    status, body = await desk.post(desk.ana_token, id="r3")
    assert status == 403 and body["error"]["code"] == "forbidden"
    authors = [(m["id"], m["agent"]["name"]) for m in await desk.agent_messages()]
    assert authors == [("@r1", "Ana"), ("@r2", "Ivan")]


async def test_an_admin_bridge_posts_on_behalf_of_someone_and_the_customer_sees_both(
    desk: Desk,
) -> None:
    me = await desk.http.get(desk.server.make_url("/api/me"), headers=bearer(desk.bridge_token))
    bridge_id = (await me.json())["agent"]["id"]
    before = len(desk.customer.received)
    status, body = await desk.post(desk.bridge_token, id="zd-1", on_behalf_of="Ana")
    assert status == 201
    [seen] = (await desk.customer.wait_for_messages(before + 1))[before:]
    assert seen["agent"] == {"name": "Ana (via Helpdesk)"}
    [stored] = await desk.agent_messages()
    assert stored["agent"] == {
        "id": bridge_id,
        "name": "Ana (via Helpdesk)",
        "on_behalf_of": "Ana",
    }

    # ``author``, the field's older name, means the same; two different names are refused.
    status, body = await desk.post(desk.bridge_token, id="zd-2", author="  Mia   Berg ")
    assert status == 201 and body["message"]["agent"]["name"] == "Mia Berg (via Helpdesk)"
    for names in (
        {"author": "Ana", "on_behalf_of": "Mia"},
        {"on_behalf_of": "\u202eanA"},
        {"on_behalf_of": "x" * 81},
        {"author": 5},
    ):
        status, body = await desk.post(desk.bridge_token, id="zd-3", **names)
        assert status == 400 and body["error"]["code"] == "invalid_payload", names
    assert [m["id"] for m in await desk.agent_messages()] == ["@zd-1", "@zd-2"]


# 2. Closing with other changes.


async def test_a_refused_close_changes_nothing(desk: Desk) -> None:
    assert (await desk.ana.call("claim", {"ticket": desk.ticket}))["ok"]
    before = await desk.read()

    status, body = await desk.patch(
        desk.ivan_token,
        status="closed",
        resolution="mine now",
        title="Hijacked",
        priority="low",
        fields={"domain": "evil.example"},
    )
    assert status == 403 and body["error"]["code"] == "forbidden"
    # Invalid other fields refuse the close as well.
    status, body = await desk.patch(
        desk.ana_token, status="closed", resolution="fixed", priority="whenever"
    )
    assert status == 400
    assert await desk.read() == before

    status, body = await desk.patch(
        desk.ana_token, status="closed", resolution="web server restarted", title="503 fixed"
    )
    assert status == 200 and body["status"] == "closed" and body["title"] == "503 fixed"
    closed = await desk.read()
    status, body = await desk.patch(
        desk.bridge_token, status="closed", resolution="again", title="Changed afterwards"
    )
    assert status == 409 and body["error"]["code"] == "ticket_closed"
    assert await desk.read() == closed


# 3. The login throttle.


async def test_a_strangers_failures_do_not_lock_an_agent_out_of_their_usual_address(
    chat_server: TestServer,
) -> None:
    email, password = await add_agent(chat_server, "ana@support.example", "Ana")
    assert (await post_login(chat_server, email, password, "127.0.0.2"))[0] == 200

    # Someone guesses from five addresses, once each: the account is now limited...
    for n in range(3, 8):
        status, body = await post_login(chat_server, email, f"guess-{n}", f"127.0.0.{n}")
        assert status == 401 and body["error"]["code"] == "invalid_credentials"
    for address, attempt in (("127.0.0.8", "guess-8"), ("127.0.0.9", password)):
        status, body = await post_login(chat_server, email, attempt, address)
        assert status == 429 and body["error"]["code"] == "rate_limited", address

    # ...except from where Ana logged in before: her password still opens a session, and
    # a typo there is an ordinary wrong password.
    status, body = await post_login(chat_server, email, password, "127.0.0.2")
    assert status == 200 and body["agent"]["name"] == "Ana"
    status, body = await post_login(chat_server, email, "typo", "127.0.0.2")
    assert status == 401 and body["error"]["code"] == "invalid_credentials"


async def test_failures_from_one_address_are_limited_whatever_emails_they_name(
    chat_server: TestServer,
) -> None:
    email, password = await add_agent(chat_server, "ana@support.example", "Ana")
    for n in range(5):
        status, _ = await post_login(chat_server, f"nobody{n}@x.example", "x", "127.0.0.20")
        assert status == 401
    # The account is not limited, the address is.
    assert (await post_login(chat_server, email, password, "127.0.0.20"))[0] == 429
    assert (await post_login(chat_server, email, password, "127.0.0.21"))[0] == 200


async def test_parallel_guesses_from_one_address_cannot_outrun_the_limit(
    chat_server: TestServer,
) -> None:
    email, _ = await add_agent(chat_server, "ana@support.example", "Ana")
    statuses = await asyncio.gather(
        *(post_login(chat_server, email, f"guess-{n}", "127.0.0.30") for n in range(12))
    )
    assert sorted(status for status, _ in statuses) == [401] * 5 + [429] * 7


async def test_a_made_up_email_is_refused_exactly_like_an_account(
    chat_server: TestServer,
) -> None:
    """Nobody learns which e-mails are agents' from when the limit starts."""
    email, _ = await add_agent(chat_server, "ana@support.example", "Ana")
    for target, first in ((email, 40), ("ghost@support.example", 50)):
        statuses = [
            (await post_login(chat_server, target, "guess", f"127.0.0.{first + n}"))[0]
            for n in range(6)
        ]
        assert statuses == [401] * 5 + [429], target


async def test_a_flood_of_made_up_emails_neither_grows_memory_nor_forgets_failures(
    chat_server: TestServer,
) -> None:
    email, _ = await add_agent(chat_server, "ana@support.example", "Ana")
    for n in range(3, 8):
        assert (await post_login(chat_server, email, "guess", f"127.0.0.{n}"))[0] == 401
    assert (await post_login(chat_server, email, "guess", "127.0.0.8"))[0] == 429

    # 100,001 logins with made-up e-mails (called in-process: over HTTP this would take
    # minutes; the login code is the same).
    auth = chat_server.app[keys.AGENT_AUTH]
    for n in range(100_001):
        with pytest.raises(ChatbotError):
            await auth.login(f"flood{n}@x.example", "x", "198.51.100.7")

    # The failures against Ana are still counted; the flood left no trace but its address.
    status, body = await post_login(chat_server, email, "guess", "127.0.0.9")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    sizes = auth.throttle.sizes()
    assert sizes["accounts"] == 1 and sizes["unknown_emails"] <= 5 and sizes["turns"] == 0


async def test_processes_on_one_redis_share_failures_and_known_addresses(
    make_server: ServerFactory, redis_server: RedisServer
) -> None:
    one = await make_server(redis_url=redis_server.url)
    two = await make_server(redis_url=redis_server.url)
    email, password = await add_agent(one, "ana@support.example", "Ana")
    assert (await post_login(one, email, password, "127.0.0.2"))[0] == 200
    for n in range(3, 8):
        assert (await post_login(one, email, "guess", f"127.0.0.{n}"))[0] == 401
    assert (await post_login(two, email, password, "127.0.0.8"))[0] == 429
    assert (await post_login(two, email, password, "127.0.0.2"))[0] == 200


async def test_flooding_from_many_addresses_cannot_push_out_an_accounts_failures() -> None:
    """The throttle alone, with small tables: even a flood from thousands of addresses
    (which the store's bounded tables do forget) leaves the account's count alone."""
    clock = MovingClock()
    shared = MemoryEphemeral(max_keys=50, clock=clock)
    throttle = LoginThrottle(shared, clock, max_unknown=20)
    for n in range(5):
        assert await throttle.wait(f"10.0.0.{n}", "a_ana", "ana@x.example") == 0.0
        await throttle.failed(f"10.0.0.{n}", "a_ana", "ana@x.example")
    assert await throttle.wait("10.0.1.1", "a_ana", "ana@x.example") > 0

    for n in range(5000):
        address, made_up = f"10.9.{n // 250}.{n % 250}", f"flood{n}@x.example"
        await throttle.wait(address, None, made_up)
        await throttle.failed(address, None, made_up)

    assert await throttle.wait("10.0.1.2", "a_ana", "ana@x.example") > 0
    assert throttle.sizes() == {
        "accounts": 1,
        "known_addresses": 0,
        "unknown_emails": 20,
        "turns": 0,
    }
    clock.shift += 150.0  # five failures are forgotten at one per 30 s
    assert await throttle.wait("10.0.1.3", "a_ana", "ana@x.example") == 0.0


# 4. Bodies that are not what they should be.


async def test_a_login_body_nested_too_deep_is_a_clear_400_logged_in_one_line_at_most(
    make_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = await make_server()
    token = await login(server, *await add_agent(server, "lead@support.example", "Lead", "admin"))
    caplog.set_level(logging.DEBUG)
    deep = "[" * 100_000 + "]" * 100_000
    unparsable = [
        '{"email": "a@b.example", "password": ' + deep + "}",
        deep,
        '{"email": "a@b.example", "password": ' + "9" * 5000 + "}",  # too many digits
    ]
    nested = [
        '{"email": {"a": [[["x"]]]}, "password": "x"}',
        '{"email": ' + "[" * 100 + "]" * 100 + ', "password": "x"}',
        '{"email": ' + '{"a": ' * 100 + "1" + "}" * 100 + ', "password": "x"}',
    ]
    login_path: tuple[str, str, dict[str, str]] = ("POST", "/api/auth/login", {})
    # Every endpoint reads its body the same way.
    patch_path = ("PATCH", "/api/tickets/HS-104201", bearer(token))
    async with aiohttp.ClientSession() as http:
        for body in nested + unparsable:
            for method, path, headers in [login_path] + (
                [patch_path] if body in unparsable else []
            ):
                caplog.clear()
                response = await http.request(
                    method,
                    server.make_url(path),
                    data=body,
                    headers={"Content-Type": "application/json", **headers},
                )
                answer = await response.json()
                assert response.status == 400, (path, body[:60])
                assert answer["error"]["code"] == "invalid_payload"
                assert answer["error"]["message"]
                assert len(caplog.records) <= 1, [r.getMessage()[:80] for r in caplog.records]
                for record in caplog.records:
                    assert record.exc_info is None and "\n" not in record.getMessage()
