"""The bot checks the customer's domain before opening a ticket (local DNS, web, mail)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from tests.fixtures import ChatClient, ServerFactory, add_agent, login, server_url
from tests.netservers import CertificateAuthority, DnsServer, SmtpServer, WebServer

OURS = {"NS": ["ns1.aurorahost.example.", "ns2.aurorahost.example."]}


@asynccontextmanager
async def hosted(
    make_server: ServerFactory, tmp_path: Path, zone: dict[str, dict[str, list[str]]], **web: Any
) -> AsyncIterator[TestServer]:
    """A chat server whose bot asks a local DNS server and probes local web and mail."""
    (tmp_path / "ca").mkdir(exist_ok=True)
    ca = CertificateAuthority(tmp_path / "ca")
    certificate = web.pop("certificate", None) or ca.issue(["kafebar.no", "www.kafebar.no"])
    site = {("kafebar.no", "/"): (200, "")}
    async with AsyncExitStack() as stack:
        dns = await stack.enter_async_context(DnsServer(zone))
        http = await stack.enter_async_context(WebServer(site))
        https = await stack.enter_async_context(WebServer(site, certificate))
        smtp = [await stack.enter_async_context(SmtpServer()) for _ in range(2)]
        provider = tmp_path / "provider.yml"
        provider.write_text(
            "our_nameservers: [ns1.aurorahost.example, ns2.aurorahost.example]\n"
            "our_mail_hosts: [mx1.aurorahost.example, mx2.aurorahost.example]\n"
            "our_networks: [127.0.0.0/8]\n"
        )
        yield await make_server(
            diagnostics=True,
            diag_provider=provider,
            diag_resolver=(dns.address,),
            diag_allowed_networks=("127.0.0.0/8",),
            diag_http_port=http.port,
            diag_https_port=https.port,
            diag_smtp_ports=tuple(s.port for s in smtp),
            diag_ca_file=ca.ca_file,
            diag_timeout=5.0,
        )


async def test_mail_going_to_another_provider_is_explained_and_needs_no_ticket(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    zone = {
        "kafebar.no": {**OURS, "A": ["127.0.0.1"], "MX": ["10 mx.otherhost.example."]},
        "mx.otherhost.example": {"A": ["127.0.0.1"]},
    }
    async with hosted(make_server, tmp_path, zone) as server:
        customer = ChatClient(server_url(server))
        await customer.connect(locale="en")
        await customer.say("mail sent to info@kafebar.no bounces back to the senders")
        await customer.say("no")  # the article did not solve it
        replies = await customer.say("yes")  # open a ticket: the bot checks first
        texts = [r["text"] for r in replies]
        assert texts[0].startswith("Before I open a ticket, let me check kafebar.no")
        found = " ".join(texts)
        assert "mx.otherhost.example" in found and "not to ours" in found
        assert all("diagnosis" not in r for r in replies)  # the raw block is for agents
        assert replies[-1]["ask"]["field"] == "diag_explained"

        replies = await customer.say("Yes", value="yes")  # the button
        assert "glad" in replies[-1]["text"]
        assert customer.tickets == []


async def test_a_fault_on_our_side_goes_into_the_ticket(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    (tmp_path / "expired-ca").mkdir()
    ca = CertificateAuthority(tmp_path / "expired-ca")
    expired = ca.issue(["kafebar.no"], valid_from=timedelta(days=-120), valid_for=timedelta(90))
    zone = {"kafebar.no": {**OURS, "A": ["127.0.0.1"]}}
    async with hosted(make_server, tmp_path, zone, certificate=expired) as server:
        customer = ChatClient(server_url(server))
        await customer.connect(locale="en")
        await customer.say("the ssl certificate on kafebar.no gives a security warning")
        await customer.say("no")
        replies = await customer.say("yes")
        found = " ".join(r["text"] for r in replies)
        # The date, as the customer's language writes dates; then the ticket form goes on.
        assert f"expired on {expired.not_after.strftime('%d %b %Y')}" in found
        assert any(r.get("ask") and r["ask"]["field"] != "diag_explained" for r in replies)

        replies = await customer.say("I want to talk to a real person")
        # An anonymous visitor is asked once where to reach them; "no thanks" is an answer.
        assert replies[-1]["ask"]["field"] == "contact_email"
        await customer.say("no thanks")
        [ticket] = customer.tickets
        token = await login(server, *await add_agent(server, "ana@support.example", "Ana"))
        async with aiohttp.ClientSession() as http:
            response = await http.get(
                server.make_url(f"/api/tickets/{ticket['number']}"),
                headers={"Authorization": f"Bearer {token}"},
            )
            body = await response.json()
        assert "cert_expired" in body["fields"]["diagnosis"]
        blocks = [m["diagnosis"] for m in body["messages"] if "diagnosis" in m]
        assert blocks and blocks[0]["domain"] == "kafebar.no"


async def test_private_addresses_are_never_probed_unless_allowed(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    zone = {"kafebar.no": {**OURS, "A": ["10.0.0.1"], "MX": ["10 mx1.aurorahost.example."]}}
    async with hosted(make_server, tmp_path, zone) as server:
        customer = ChatClient(server_url(server))
        await customer.connect(locale="en")
        await customer.say("my website kafebar.no does not load at all")
        await customer.say("no")
        replies = await customer.say("yes")
        found = " ".join(r["text"] for r in replies)
        assert "10.0.0.1" in found and "did not check it" in found
