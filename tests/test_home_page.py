"""The fictional demo company lives only in demo mode.

A production server answers ``/`` with a neutral page that carries the chat, or sends
visitors to the operator's own site (``CHATBOT_HOME_URL``); the demo portal, which signs
a made-up customer in, and the demo's stylesheet are not there at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from chatbot.app import create_app
from chatbot.engine import EngineContext
from chatbot.errors import ConfigError
from chatbot.settings import Settings
from tests.fixtures import ServerFactory, server_url

DEMO_WORDS = ("Aurora", "€", "Premium", "/demo/demo.css")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_without_demo_the_home_page_is_neutral_and_the_portal_is_gone(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    base = server_url(await make_server())
    response = await http.get(f"{base}/")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert "Content-Security-Policy" in response.headers
    assert '<script src="/widget.js"' in page  # the chat is there...
    assert [word for word in DEMO_WORDS if word in page] == []  # ...the made-up company not
    for path in ("/portal", "/demo/demo.css"):
        assert (await http.get(f"{base}{path}")).status == 404, path


async def test_the_operator_sends_visitors_of_the_home_page_to_their_site(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    base = server_url(await make_server(home_url="https://www.example.com/support"))
    response = await http.get(f"{base}/", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "https://www.example.com/support"
    assert (await http.get(f"{base}/portal")).status == 404


async def test_the_demo_shows_its_company_and_portal(
    make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    base = server_url(await make_server(demo=True, home_url="https://www.example.com/"))
    response = await http.get(f"{base}/", allow_redirects=False)
    assert response.status == 200 and "Aurora Hosting" in await response.text()
    for path in ("/portal", "/demo/demo.css"):
        assert (await http.get(f"{base}{path}")).status == 200, path


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example/", "www.example.com", "ftp://example.com/"]
)
def test_a_home_url_that_is_not_a_web_address_stops_the_start(
    engine: EngineContext, tmp_path: Path, url: str
) -> None:
    with pytest.raises(ConfigError, match="CHATBOT_HOME_URL"):
        create_app(Settings(data_dir=tmp_path, home_url=url), engine=engine)
