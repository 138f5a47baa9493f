"""Security headers on every response; pages framed only where the settings allow; no CSRF."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from chatbot.app import create_app
from chatbot.errors import ConfigError
from chatbot.settings import Settings
from chatbot.web.security import security_headers
from tests.fixtures import ChatClient, ServerFactory, add_agent, login, server_url

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def frame_ancestors(response: aiohttp.ClientResponse) -> str:
    found = re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])
    assert found, response.headers["Content-Security-Policy"]
    return found.group(1).strip()


async def test_every_response_says_nosniff_and_keeps_the_referrer_to_the_origin(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    server = await make_server(demo=True)
    customer = ChatClient(server_url(server))
    await customer.connect()
    upload = await customer.call("attach", {"id": "f1", "name": "shot.png", "data": PNG})
    paths = [
        "/",
        "/portal",
        "/console",
        "/widget.js",
        "/demo/demo.css",
        "/console/console.js",
        "/console/console.css",
        f"/attachments/{upload['message']['attachment']['id']}",
        "/attachments/f_nothing-here",
        "/healthz",
        "/metrics",
        "/api/openapi.json",
        "/api/me",
        "/api/tickets/HS-1",
        "/no/such/page",
        "/socket.io/?EIO=4&transport=polling",
    ]
    for path in paths:
        response = await http.get(server.make_url(path))
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
    # A file keeps its own, stricter policy: never a page, never framed into one.
    attachment = await http.get(
        server.make_url(f"/attachments/{upload['message']['attachment']['id']}")
    )
    assert "sandbox" in attachment.headers["Content-Security-Policy"]


async def test_no_page_may_be_framed_by_default(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    server = await make_server(demo=True)
    for path in ("/", "/portal", "/console"):
        response = await http.get(server.make_url(path))
        assert response.status == 200, path
        assert frame_ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_allowed_sites_may_frame_the_pages_but_never_the_console(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    allowed = ("https://shop.example", "https://*.partner.example")
    server = await make_server(demo=True, frame_ancestors=allowed)
    for path in ("/", "/portal"):
        response = await http.get(server.make_url(path))
        assert frame_ancestors(response) == " ".join(allowed), path
        assert "X-Frame-Options" not in response.headers, path
    console = await http.get(server.make_url("/console"))
    assert frame_ancestors(console) == "'none'"
    assert console.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "origin", ["https://a.example; script-src *", "https://a.example 'unsafe-inline'", "a,b", ""]
)
def test_a_frame_ancestor_that_is_no_origin_stops_the_start(origin: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        create_app(Settings(data_dir=tmp_path, frame_ancestors=(origin,)))


def test_frame_ancestors_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_FRAME_ANCESTORS", "https://shop.example, 'self'")
    monkeypatch.setenv("CHATBOT_RETENTION_DAYS", "90")
    settings = Settings.from_env()
    assert settings.frame_ancestors == ("https://shop.example", "'self'")
    assert settings.retention_days == 90


async def test_a_handlers_stricter_header_is_kept(tmp_path: Path) -> None:
    async def strict(request: web.Request) -> web.Response:
        return web.Response(text="hi", headers={"Referrer-Policy": "no-referrer"})

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a bug")

    app = web.Application(middlewares=[security_headers(Settings(data_dir=tmp_path))])
    app.router.add_get("/strict", strict)
    app.router.add_get("/broken", broken)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            response = await http.get(server.make_url("/strict"))
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            # Even aiohttp's answer to a crash carries the headers (and no traceback).
            failed = await http.get(server.make_url("/broken"))
            assert failed.status == 500 and "a bug" not in await failed.text()
            assert failed.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        await server.close()


async def test_a_cross_site_form_cannot_act_for_a_logged_in_agent(
    chat_server: TestServer, http: aiohttp.ClientSession
) -> None:
    """The console and the API take the session only from ``Authorization: Bearer``,
    which a browser never adds to a cross-site request: no cookie, so no CSRF."""
    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a person about kafebar.no")
    number = customer.tickets[0]["number"]
    token = await login(chat_server, *await add_agent(chat_server, "ana@support.example", "Ana"))
    login_response = await http.post(
        chat_server.make_url("/api/auth/login"),
        json={"email": "nobody@support.example", "password": "x" * 12},
    )
    assert "Set-Cookie" not in login_response.headers
    # What a hostile page's form (or fetch with credentials) sends: cookies, no header.
    cross_site = {
        "Origin": "https://evil.example",
        "Referer": "https://evil.example/page",
        "Cookie": f"token={token}; session={token}; Authorization=Bearer%20{token}",
    }
    logout = await http.post(
        chat_server.make_url("/api/auth/logout"),
        data={"token": token},
        headers=cross_site,
    )
    assert logout.status == 401
    patch = await http.patch(
        chat_server.make_url(f"/api/tickets/{number}"),
        data={"priority": "low"},
        headers=cross_site,
    )
    assert patch.status == 401
    # The session still works and the ticket is as it was.
    me = await http.get(
        chat_server.make_url(f"/api/tickets/{number}"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert me.status == 200 and (await me.json())["priority"] != "low"


def test_no_server_code_reads_or_sets_a_cookie() -> None:
    sources = [*(ROOT / "chatbot").rglob("*.py")]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"\.cookies\b|set_cookie|Set-Cookie", text), source
    browser_code = ROOT / "widget" / "src"
    console = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [browser_code / "console.js", *sorted(browser_code.glob("*/*.js"))]
    )
    assert "document.cookie" not in console
    assert "Authorization: `Bearer ${token}`" in console
