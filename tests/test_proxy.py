"""Behind a real nginx: every customer keeps their own address, and nobody can forge one.

Debian's nginx runs in front of the real server with the location block that
docs/deployment.md documents. On one machine it connects to the server from 127.0.0.2
(``proxy_bind``), the only trusted proxy; customers connect to nginx from addresses of
their own (127.0.1.x, all loopback on Linux), and the server itself listens on 127.0.0.1,
where a direct client comes from 127.0.0.1. Every customer also writes an
``X-Forwarded-For`` of their own, which must never count.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.app import create_app
from chatbot.engine import EngineContext
from chatbot.settings import Settings
from chatbot.web import keys
from chatbot.web.client_address import ClientAccessLogger
from tests.fixtures import TIMEOUT, ChatClient, ServerFactory, free_port, server_url

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"
PROXY = "127.0.0.2"
LIMIT = 8
CUSTOMERS = 40


def require_nginx() -> None:
    if Path(NGINX).is_file() or shutil.which(NGINX):
        return
    if os.environ.get("CI"):
        pytest.fail(f"nginx is required in CI but {NGINX} is missing")
    pytest.skip(f"no nginx at {NGINX} (apt-get install nginx)")


def documented_location(upstream: str) -> str:
    """The ``location / {...}`` of docs/deployment.md's trusted-proxy section, pointed at
    ``upstream`` and bound to the proxy's own address."""
    section = DOCS.read_text(encoding="utf-8").split("## Behind a reverse proxy", 1)[1]
    found = re.search(r"```nginx\n(location / \{.*?\n\})\n```", section, re.S)
    assert found, "docs/deployment.md lost its nginx location block"
    block = found.group(1)
    assert "proxy_pass http://127.0.0.1:8080;" in block
    block = block.replace("http://127.0.0.1:8080", upstream)
    return block.replace("location / {", f"location / {{\n    proxy_bind {PROXY};", 1)


def nginx_config(folder: Path, port: int, location: str) -> str:
    # master_process off: one process as the test's user (as root, workers would switch
    # to a user who cannot write the temp folders here).
    return f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        {location}
    }}
}}
"""


def write_config(folder: Path, port: int, upstream: str) -> Path:
    folder.mkdir()
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, port, documented_location(upstream)), "utf-8")
    return config


@contextlib.asynccontextmanager
async def nginx_in_front(server: TestServer, folder: Path) -> AsyncIterator[str]:
    """nginx proxying to ``server``, until the block ends: its URL."""
    require_nginx()
    port = free_port()
    config = write_config(folder, port, f"http://127.0.0.1:{server.port}")
    process = await asyncio.create_subprocess_exec(
        NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)
    )
    try:
        await _accepting(port, process, folder)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def _accepting(port: int, process: asyncio.subprocess.Process, folder: Path) -> None:
    async def attempt() -> None:
        while True:
            if process.returncode is not None:
                log = (folder / "error.log").read_text(errors="replace")
                pytest.fail(f"nginx exited with {process.returncode}: {log}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)  # nginx is still starting: try again
                continue
            writer.close()
            await writer.wait_closed()
            return

    await asyncio.wait_for(attempt(), TIMEOUT)


def customer_address(n: int) -> str:
    return f"127.0.1.{n + 1}"


async def connections_accepted(
    url: str,
    *,
    local_address: Callable[[int], str | None],
    forged: Callable[[int], str],
    keep_open: bool,
) -> int:
    """How many of :data:`CUSTOMERS` connections, one after the other, were let in."""
    accepted = 0
    for n in range(CUSTOMERS):
        client = ChatClient(
            url, headers={"X-Forwarded-For": forged(n)}, local_address=local_address(n)
        )
        try:
            await client.connect()
        except socketio.exceptions.ConnectionError:
            await client.disconnect()
            continue
        accepted += 1
        if not keep_open:
            await client.disconnect()
    return accepted


# Each limit per address, set low: sockets open at once (engine.io, before the handshake
# completes) and new connections (the Socket.IO connect handler).
LIMITS: dict[str, tuple[dict[str, float], bool]] = {
    "open sockets": (
        {"sockets_per_address": LIMIT, "connection_burst": 1000},
        True,
    ),
    "new connections": (
        {"connection_burst": LIMIT, "connections_per_second": 0.001},
        False,
    ),
}


async def proxied_server(make_server: ServerFactory, **settings: Any) -> TestServer:
    return await make_server(trusted_proxies=(PROXY,), **settings)


@pytest.mark.parametrize("limit", LIMITS)
async def test_customers_behind_the_proxy_are_limited_each_on_their_own_address(
    make_server: ServerFactory, tmp_path: Path, limit: str
) -> None:
    settings, keep_open = LIMITS[limit]
    server = await proxied_server(make_server, **settings)
    async with nginx_in_front(server, tmp_path / "nginx") as url:
        # Forty customers, who all claim the same address: the proxy's word counts.
        accepted = await connections_accepted(
            url,
            local_address=customer_address,
            forged=lambda n: "198.51.100.1",
            keep_open=keep_open,
        )
        assert accepted == CUSTOMERS
        if keep_open:
            sio = server.app[keys.SIO]
            assert [sio.open_sockets(customer_address(n)) for n in range(CUSTOMERS)] == [1] * 40
            assert sio.open_sockets(PROXY) == sio.open_sockets("198.51.100.1") == 0


@pytest.mark.parametrize("limit", LIMITS)
async def test_one_customer_forging_addresses_through_the_proxy_is_still_one_address(
    make_server: ServerFactory, tmp_path: Path, limit: str
) -> None:
    settings, keep_open = LIMITS[limit]
    server = await proxied_server(make_server, **settings)
    async with nginx_in_front(server, tmp_path / "nginx") as url:
        accepted = await connections_accepted(
            url,
            local_address=lambda n: customer_address(0),
            forged=lambda n: f"203.0.113.{n + 1}",
            keep_open=keep_open,
        )
    assert accepted == LIMIT


@pytest.mark.parametrize("limit", LIMITS)
async def test_forged_headers_straight_to_the_server_are_one_address(
    make_server: ServerFactory, limit: str
) -> None:
    settings, keep_open = LIMITS[limit]
    server = await proxied_server(make_server, **settings)
    # 127.0.0.1 is not a trusted proxy: its X-Forwarded-For is only text.
    accepted = await connections_accepted(
        server_url(server),
        local_address=lambda n: None,
        forged=lambda n: f"203.0.113.{n + 1}, {PROXY}",
        keep_open=keep_open,
    )
    assert accepted == LIMIT
    if keep_open:
        assert server.app[keys.SIO].open_sockets("127.0.0.1") == LIMIT


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_customer_chats_through_the_proxy(
    make_server: ServerFactory, tmp_path: Path, transport: str
) -> None:
    server = await proxied_server(make_server)
    async with nginx_in_front(server, tmp_path / "nginx") as url:
        customer = ChatClient(url, transports=[transport], local_address=customer_address(7))
        await customer.connect(locale="en")
        assert customer.sio.transport() == transport
        replies = await customer.say("hello, my mail stopped working")
        assert replies and all(r["text"] for r in replies)
        assert server.app[keys.SIO].open_sockets(customer_address(7)) == 1
    # A polling client's own disconnect waits for its long poll (up to the ping interval,
    # 25 s); with nginx gone the poll fails at once and the fixture's disconnect is quick.


async def post_login(http: aiohttp.ClientSession, url: str, email: str, **headers: str) -> int:
    response = await http.post(
        f"{url}/api/auth/login", json={"email": email, "password": "a wrong guess"}, headers=headers
    )
    body = await response.json()
    assert response.status in (401, 429), body
    return response.status


async def test_agent_logins_through_the_proxy_are_throttled_per_customer_address(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = await proxied_server(make_server)
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(nginx_in_front(server, tmp_path / "nginx"))

        async def session(address: str) -> aiohttp.ClientSession:
            connector = aiohttp.TCPConnector(local_addr=(address, 0))
            return await stack.enter_async_context(aiohttp.ClientSession(connector=connector))

        guesser, colleague = await session(customer_address(1)), await session(customer_address(2))
        # Five failures from one address (each for another made-up account)...
        for n in range(5):
            assert await post_login(guesser, url, f"guess{n}@support.example") == 401
        # ...limit that address, whatever it claims to be...
        assert await post_login(guesser, url, "guess5@support.example") == 429
        forged = {"X-Forwarded-For": customer_address(3)}
        assert await post_login(guesser, url, "guess6@support.example", **forged) == 429
        # ...and nobody else behind the same proxy.
        assert await post_login(colleague, url, "someone@support.example") == 401


async def test_the_access_log_names_the_forwarded_client(
    engine: EngineContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Here the test itself (127.0.0.1) is the trusted proxy: one line of the log to read.
    settings = Settings(data_dir=tmp_path, trusted_proxies=("127.0.0.1",), diagnostics=False)
    server = TestServer(create_app(settings, engine=engine), host="127.0.0.1")
    await server.start_server(access_log_class=ClientAccessLogger)
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        async with aiohttp.ClientSession() as http:
            forwarded = {"X-Forwarded-For": "198.51.100.1, 192.0.2.7"}
            response = await http.get(server.make_url("/healthz"), headers=forwarded)
            assert response.status == 200
    finally:
        await server.close()
    [line] = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert line.startswith('192.0.2.7 "GET /healthz HTTP/1.1" 200 ')
