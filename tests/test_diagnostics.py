"""The bot diagnoses a customer's domain against real local DNS, web and mail servers."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.diagnostics import (
    FINDINGS,
    Checks,
    Diagnosis,
    DiagnosticsConfig,
    Finding,
    InvalidDomain,
    Ports,
    diagnose,
    load_provider,
    summary,
    validate_domain,
)
from chatbot.diagnostics.certificate import name_matches
from chatbot.diagnostics.guard import refusal
from chatbot.errors import ConfigError
from chatbot.phrases import Phrasebook
from tests.netservers import (
    CertificateAuthority,
    DnsServer,
    IssuedCertificate,
    SilentServer,
    SmtpServer,
    WebServer,
)

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ("127.0.0.0/8",)
Records = Mapping[str, Mapping[str, Sequence[str]]]
Routes = Mapping[tuple[str, str], tuple[int, str]]

#: kafebar.no hosted with us: our name and mail servers, its site on 127.0.0.1.
HOSTED: dict[str, dict[str, list[str]]] = {
    "kafebar.no": {
        "A": ["127.0.0.1"],
        "MX": ["10 mx1.aurorahost.example."],
        "NS": ["ns1.aurorahost.example.", "ns2.aurorahost.example."],
    },
    "www.kafebar.no": {"A": ["127.0.0.1"]},
    "mx1.aurorahost.example": {"A": ["127.0.0.1"]},
}
WORKING: dict[tuple[str, str], tuple[int, str]] = {
    ("kafebar.no", "/"): (301, "https://kafebar.no/"),
    ("www.kafebar.no", "/"): (301, "https://www.kafebar.no/"),
}
WORKING_TLS: dict[tuple[str, str], tuple[int, str]] = {
    ("kafebar.no", "/"): (200, ""),
    ("www.kafebar.no", "/"): (200, ""),
}


def records(**changes: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """The hosted zone with some names' records replaced (``www_kafebar_no=...``)."""
    zone = {name: dict(by_type) for name, by_type in HOSTED.items()}
    zone.update({name.replace("_", "."): by_type for name, by_type in changes.items()})
    return zone


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("ca"))


@dataclass
class Hosting:
    """The customer's servers as the diagnosis sees them, and a config pointing at them."""

    dns: DnsServer
    http: WebServer | SilentServer
    https: WebServer | SilentServer
    smtp: tuple[SmtpServer | SilentServer, SmtpServer | SilentServer]
    config: DiagnosticsConfig

    def configured(self, **changes: Any) -> DiagnosticsConfig:
        return dataclasses.replace(self.config, **changes)


@asynccontextmanager
async def hosting(
    ca: CertificateAuthority,
    zone: Records = HOSTED,
    *,
    routes: Routes = WORKING,
    tls_routes: Routes = WORKING_TLS,
    certificate: IssuedCertificate | None = None,
    smtp: tuple[SmtpServer | SilentServer, SmtpServer | SilentServer] | None = None,
    silent_web: bool = False,
    silent_dns: bool = False,
    **config: Any,
) -> AsyncIterator[Hosting]:
    certificate = certificate or ca.issue(["kafebar.no", "www.kafebar.no"])
    async with AsyncExitStack() as stack:
        dns = await stack.enter_async_context(DnsServer(zone, silent=silent_dns))
        http: WebServer | SilentServer = SilentServer() if silent_web else WebServer(routes)
        https: WebServer | SilentServer = (
            SilentServer() if silent_web else WebServer(tls_routes, certificate)
        )
        await stack.enter_async_context(http)
        await stack.enter_async_context(https)
        mail = smtp or (SmtpServer(), SmtpServer())
        for server in mail:
            await stack.enter_async_context(server)
        settings: dict[str, Any] = {
            "resolver": [dns.address],
            "our_nameservers": ["ns1.aurorahost.example", "ns2.aurorahost.example"],
            "our_mail_hosts": ["mx1.aurorahost.example", "mx2.aurorahost.example"],
            "our_networks": list(LOCAL),
            "allowed_networks": list(LOCAL),
            "ports": Ports(http.port, https.port, (mail[0].port, mail[1].port)),
            "ca_file": ca.ca_file,
            "timeout": 2.0,
            "total_timeout": 5.0,
            **config,
        }
        yield Hosting(dns, http, https, mail, DiagnosticsConfig(**settings))


def accepted(site: Hosting) -> list[int]:
    """Connections each silent web and mail server accepted."""
    servers = (site.http, site.https, *site.smtp)
    return [s.connections for s in servers if isinstance(s, SilentServer | SmtpServer)]


def codes(diagnosis: Diagnosis) -> list[str]:
    return [finding.code for finding in diagnosis.findings]


def finding(diagnosis: Diagnosis, code: str) -> Mapping[str, str]:
    found = [f for f in diagnosis.findings if f.code == code]
    assert found, f"no {code} in {codes(diagnosis)}"
    return found[0].params


# --- The customer's domain is set up elsewhere: the bot can answer on the spot ---------


async def test_mail_going_to_another_provider_is_told_first_and_explains_the_problem(
    ca: CertificateAuthority,
) -> None:
    zone = records(
        kafebar_no={**HOSTED["kafebar.no"], "MX": ["10 mx.other.example."]},
        mx_other_example={"A": ["127.0.0.1"]},
    )
    async with hosting(ca, zone) as site:
        diagnosis = await diagnose("kafebar.no", "email", site.config)

    assert diagnosis.findings[0].code == "mx_elsewhere"
    assert finding(diagnosis, "mx_elsewhere") == {
        "domain": "kafebar.no",
        "mail_hosts": "mx.other.example",
    }
    assert diagnosis.explains
    assert diagnosis.outcome == "customer_side"
    assert "smtp_ok" in codes(diagnosis)


async def test_name_servers_elsewhere_are_found_for_a_subdomain_by_walking_up(
    ca: CertificateAuthority,
) -> None:
    zone = records(
        kafebar_no={"A": ["127.0.0.1"], "NS": ["ns1.other.example.", "ns2.other.example."]}
    )
    async with hosting(ca, zone) as site:
        diagnosis = await diagnose("www.kafebar.no", "dns", site.config)
        asked = site.dns.queries

    assert diagnosis.findings[0].code == "ns_elsewhere"
    assert finding(diagnosis, "ns_elsewhere") == {
        "domain": "kafebar.no",
        "nameservers": "ns1.other.example, ns2.other.example",
    }
    assert diagnosis.explains
    assert ("www.kafebar.no", "NS") in asked and ("kafebar.no", "NS") in asked


async def test_name_servers_elsewhere_come_before_every_other_finding(
    ca: CertificateAuthority,
) -> None:
    zone = records(kafebar_no={"A": ["203.0.113.7"], "NS": ["ns1.other.example."]})
    async with hosting(ca, zone) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    assert codes(diagnosis)[:2] == ["ns_elsewhere", "a_elsewhere"]
    assert finding(diagnosis, "a_elsewhere")["addresses"] == "203.0.113.7"
    assert diagnosis.explains


async def test_a_domain_that_does_not_exist_is_told_alone_and_nothing_is_probed(
    ca: CertificateAuthority,
) -> None:
    async with hosting(ca) as site:
        diagnosis = await diagnose("kafebar-typo.no", None, site.config)
        connections = [site.smtp[0].connections, site.smtp[1].connections]

    assert codes(diagnosis) == ["domain_not_found"]
    assert diagnosis.checks.dns is not None and diagnosis.checks.dns.a.status == "nxdomain"
    assert diagnosis.checks.website == () and diagnosis.checks.mail == ()
    assert connections == [0, 0]
    assert diagnosis.explains


async def test_a_domain_without_mx_records_is_reported_as_such(ca: CertificateAuthority) -> None:
    zone = records(kafebar_no={"A": ["127.0.0.1"], "NS": ["ns1.aurorahost.example."]})
    async with hosting(ca, zone) as site:
        diagnosis = await diagnose("kafebar.no", "email", site.config)

    assert diagnosis.checks.dns is not None and diagnosis.checks.dns.mx.status == "no_answer"
    assert codes(diagnosis) == ["no_mx"]
    assert diagnosis.outcome == "fault_found"


async def test_silent_name_servers_are_a_dns_timeout_within_the_total_time(
    ca: CertificateAuthority,
) -> None:
    async with hosting(ca, silent_dns=True, timeout=5.0, total_timeout=0.8) as site:
        started = time.perf_counter()
        diagnosis = await diagnose("kafebar.no", None, site.config)
        elapsed = time.perf_counter() - started

    assert elapsed < 0.8 + 0.4
    assert diagnosis.checks.dns is not None and diagnosis.checks.dns.a.status == "timeout"
    assert codes(diagnosis) == ["dns_timeout"]


# --- The website and its certificate ---------------------------------------------------


async def test_a_healthy_site_is_reported_working_with_a_valid_certificate(
    ca: CertificateAuthority,
) -> None:
    certificate = ca.issue(["kafebar.no", "www.kafebar.no"])
    async with hosting(ca, certificate=certificate) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)
        assert isinstance(site.https, WebServer)
        seen_by_https = site.https.requests

    assert codes(diagnosis) == ["site_ok", "cert_ok"]
    ok = finding(diagnosis, "site_ok")
    assert ok["url"] == "https://kafebar.no/" and ok["status"] == "200"
    assert int(ok["time_ms"]) >= 0
    assert finding(diagnosis, "cert_ok") == {
        "domain": "kafebar.no",
        "issuer": "Aurora Test Trust",
        "date": certificate.not_after.date().isoformat(),
    }
    http = diagnosis.checks.website[0]
    assert [hop.status for hop in http.hops] == [301, 200]
    assert ("kafebar.no", "/") in seen_by_https
    assert diagnosis.outcome == "nothing_found" and not diagnosis.explains


async def test_a_server_error_is_reported_with_its_status(ca: CertificateAuthority) -> None:
    broken = {("kafebar.no", "/"): (500, "")}
    async with hosting(ca, routes=broken, tls_routes=broken) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    assert codes(diagnosis) == ["http_error", "cert_ok"]
    assert finding(diagnosis, "http_error") == {"url": "https://kafebar.no/", "status": "500"}
    assert diagnosis.outcome == "fault_found"


async def test_a_redirect_loop_is_found(ca: CertificateAuthority) -> None:
    loop = {("kafebar.no", "/"): (302, "/login"), ("kafebar.no", "/login"): (302, "/")}
    async with hosting(ca, tls_routes=loop) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    assert codes(diagnosis)[0] == "redirect_loop"
    assert "site_ok" not in codes(diagnosis)
    assert [w.problem for w in diagnosis.checks.website] == ["redirect_loop", "redirect_loop"]


async def test_at_most_five_redirects_are_followed(ca: CertificateAuthority) -> None:
    chain = {("kafebar.no", f"/{n}" if n else "/"): (302, f"/{n + 1}") for n in range(10)}
    async with hosting(ca, tls_routes=chain) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    https = diagnosis.checks.website[1]
    assert https.problem == "too_many_redirects"
    assert len(https.hops) == 6
    assert "redirect_loop" in codes(diagnosis)


async def test_an_expired_certificate_is_reported_with_the_date_it_expired(
    ca: CertificateAuthority,
) -> None:
    expired = ca.issue(
        ["kafebar.no"], valid_from=timedelta(days=-120), valid_for=timedelta(days=90)
    )
    async with hosting(ca, certificate=expired) as site:
        diagnosis = await diagnose("kafebar.no", "ssl", site.config)

    assert finding(diagnosis, "cert_expired") == {
        "domain": "kafebar.no",
        "date": expired.not_after.date().isoformat(),
    }
    assert "cert_ok" not in codes(diagnosis) and "cert_untrusted" not in codes(diagnosis)
    assert diagnosis.checks.certificate is not None
    assert not diagnosis.checks.certificate.trusted
    assert "expired" in diagnosis.checks.certificate.verify_error


async def test_a_certificate_for_another_name_is_a_mismatch(ca: CertificateAuthority) -> None:
    other = ca.issue(["shop.example", "www.shop.example"])
    async with hosting(ca, certificate=other) as site:
        diagnosis = await diagnose("kafebar.no", "ssl", site.config)

    assert codes(diagnosis) == ["cert_name_mismatch", "site_ok"]
    assert finding(diagnosis, "cert_name_mismatch")["names"] == "shop.example, www.shop.example"


async def test_a_self_signed_certificate_is_untrusted(ca: CertificateAuthority) -> None:
    own = ca.issue(["kafebar.no"], self_signed=True)
    async with hosting(ca, certificate=own) as site:
        diagnosis = await diagnose("kafebar.no", "ssl", site.config)

    assert finding(diagnosis, "cert_untrusted") == {"domain": "kafebar.no", "issuer": "kafebar.no"}
    assert diagnosis.checks.certificate is not None
    assert diagnosis.checks.certificate.self_signed


async def test_a_certificate_expiring_within_two_weeks_is_a_warning(
    ca: CertificateAuthority,
) -> None:
    ending = ca.issue(["kafebar.no"], valid_from=timedelta(days=-85), valid_for=timedelta(days=90))
    async with hosting(ca, certificate=ending) as site:
        diagnosis = await diagnose("kafebar.no", "ssl", site.config)

    assert finding(diagnosis, "cert_expires_soon")["date"] == ending.not_after.date().isoformat()
    assert "cert_ok" not in codes(diagnosis)


@pytest.mark.parametrize(
    ("domain", "names", "matches"),
    [
        ("www.kafebar.no", ("*.kafebar.no",), True),
        ("kafebar.no", ("*.kafebar.no",), False),
        ("a.b.kafebar.no", ("*.kafebar.no",), False),
        ("kafebar.no", ("KAFEBAR.NO",), True),
        ("kafebar.no", ("*.no",), False),
        ("kafebar.no", (), False),
    ],
)
def test_certificate_names_match_like_a_browser(
    domain: str, names: tuple[str, ...], matches: bool
) -> None:
    assert name_matches(domain, names) is matches


# --- Mail servers ----------------------------------------------------------------------


async def test_the_smtp_greeting_is_read_on_both_ports_and_the_bot_says_quit(
    ca: CertificateAuthority,
) -> None:
    servers = (SmtpServer("220-mx.example ESMTP\r\n220 ready"), SmtpServer())
    async with hosting(ca, smtp=servers) as site:
        diagnosis = await diagnose("kafebar.no", "email", site.config)

    results = diagnosis.checks.mail
    assert [(r.port, r.code, r.banner) for r in results] == [
        (site.config.ports.smtp[0], 220, "mx.example ESMTP"),
        (site.config.ports.smtp[1], 220, "mx.example ESMTP"),
    ]
    assert all(server.commands == ["QUIT"] for server in servers)
    assert codes(diagnosis) == ["smtp_ok"]
    assert finding(diagnosis, "smtp_ok")["ports"] == ", ".join(map(str, site.config.ports.smtp))


async def test_a_mail_server_refusing_service_is_an_smtp_error(ca: CertificateAuthority) -> None:
    servers = (SmtpServer("554 5.7.1 no service here"), SmtpServer())
    async with hosting(ca, smtp=servers) as site:
        diagnosis = await diagnose("kafebar.no", "email", site.config)

    assert finding(diagnosis, "smtp_error") == {
        "host": "mx1.aurorahost.example",
        "port": str(site.config.ports.smtp[0]),
        "code": "554",
    }


async def test_a_silent_mail_server_times_out_within_the_probe_timeout(
    ca: CertificateAuthority,
) -> None:
    async with hosting(ca, smtp=(SilentServer(), SilentServer()), timeout=0.5) as site:
        started = time.perf_counter()
        diagnosis = await diagnose("kafebar.no", "email", site.config)
        elapsed = time.perf_counter() - started
        accepted = [server.connections for server in site.smtp]

    assert elapsed < 0.5 + 0.4
    assert accepted == [1, 1]
    assert [r.status for r in diagnosis.checks.mail] == ["timeout", "timeout"]
    assert codes(diagnosis) == ["smtp_unreachable", "smtp_unreachable"]


async def test_a_closed_mail_port_is_unreachable(ca: CertificateAuthority) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    async with hosting(ca) as site:
        config = site.configured(ports=Ports(site.http.port, site.https.port, (closed,)))
        diagnosis = await diagnose("kafebar.no", "email", config)

    assert finding(diagnosis, "smtp_unreachable") == {
        "host": "mx1.aurorahost.example",
        "port": str(closed),
    }
    assert diagnosis.checks.mail[0].status == "connect_failed"


async def test_the_whole_diagnosis_ends_in_time_when_every_server_hangs(
    ca: CertificateAuthority,
) -> None:
    async with hosting(
        ca,
        smtp=(SilentServer(), SilentServer()),
        silent_web=True,
        timeout=5.0,
        total_timeout=1.0,
    ) as site:
        started = time.perf_counter()
        diagnosis = await diagnose("kafebar.no", None, site.config)
        elapsed = time.perf_counter() - started

    assert elapsed < 1.0 + 0.5
    assert diagnosis.duration_ms < 1500
    assert "site_down" in codes(diagnosis)
    assert codes(diagnosis).count("smtp_unreachable") == 2


# --- The guard: nothing private is probed unless the operator allows it ----------------


async def test_loopback_addresses_are_refused_and_never_connected_to(
    ca: CertificateAuthority,
) -> None:
    servers = (SilentServer(), SilentServer())
    async with hosting(ca, smtp=servers, silent_web=True, timeout=0.5) as site:
        refused = await diagnose("kafebar.no", None, site.configured(allowed_networks=()))
        untouched = accepted(site)
        allowed = await diagnose("kafebar.no", None, site.config)
        touched = accepted(site)

    assert untouched == [0, 0, 0, 0]
    assert touched == [1, 2, 1, 1]  # the certificate check is a second HTTPS connection
    assert finding(refused, "probe_refused") == {"host": "kafebar.no", "address": "127.0.0.1"}
    assert {"host": "mx1.aurorahost.example", "address": "127.0.0.1"} in [
        f.params for f in refused.findings
    ]
    assert not {"site_down", "smtp_unreachable"} & set(codes(refused))
    assert "probe_refused" not in codes(allowed)


async def test_a_private_address_in_dns_is_refused(ca: CertificateAuthority) -> None:
    zone = records(kafebar_no={"A": ["10.0.0.1"], "AAAA": ["::ffff:10.0.0.1"]})
    # Even an address of ours is only probed when the operator allows its network.
    async with hosting(ca, zone, our_networks=["10.0.0.0/8"]) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    assert codes(diagnosis) == ["probe_refused"]
    assert finding(diagnosis, "probe_refused") == {"host": "kafebar.no", "address": "10.0.0.1"}
    assert [w.status for w in diagnosis.checks.website] == ["refused", "refused"]
    assert all(not w.hops for w in diagnosis.checks.website)


async def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
    ca: CertificateAuthority,
) -> None:
    zone = records(intranet_kafebar_no={"A": ["192.168.1.10"]})
    to_intranet = {("kafebar.no", "/"): (302, "http://intranet.kafebar.no/admin")}
    async with hosting(ca, zone, routes=to_intranet) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    http = diagnosis.checks.website[0]
    assert http.status == "refused" and len(http.hops) == 1
    assert finding(diagnosis, "probe_refused") == {
        "host": "intranet.kafebar.no",
        "address": "192.168.1.10",
    }


async def test_a_redirect_to_another_port_is_not_followed(ca: CertificateAuthority) -> None:
    elsewhere = {("kafebar.no", "/"): (302, "http://kafebar.no:6379/")}
    async with hosting(ca, routes=elsewhere) as site:
        diagnosis = await diagnose("kafebar.no", "website", site.config)

    http = diagnosis.checks.website[0]
    assert (http.status, http.detail, len(http.hops)) == ("error", "redirect to another port", 1)
    assert "site_down" not in codes(diagnosis)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("100.64.0.1", "shared"),
        ("169.254.169.254", "link_local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("fe80::1", "link_local"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:192.168.1.1", "private"),
        ("2002:c0a8:0101::1", "translated"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_the_guard_refuses_every_address_that_is_not_public(
    address: str, reason: str | None
) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def test_the_guard_lets_the_operator_allow_a_private_network() -> None:
    allowed = [ipaddress.ip_network("10.0.0.0/8")]
    assert refusal(ipaddress.ip_address("10.0.0.1"), allowed) is None
    assert refusal(ipaddress.ip_address("::ffff:10.0.0.1"), allowed) is None
    assert refusal(ipaddress.ip_address("192.168.0.1"), allowed) == "private"


@given(st.ip_addresses(network="10.0.0.0/8") | st.ip_addresses(network="fc00::/7"))
def test_no_private_address_ever_passes_the_guard(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    assert refusal(address) is not None


# --- What the customer typed -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "localhost",
        "LOCALHOST.",
        "1.2.3.4",
        "127.1",
        "::1",
        "[::1]",
        "a..b",
        "a" * 300,
        "x" * 64 + ".no",
        "",
        "kafebar",
        "printer.local",
        "router.lan",
        "kafebar.no/admin",
        "http://kafebar.no",
        "-kafebar.no",
        "kafe_bar.no",
    ],
)
async def test_text_that_is_not_a_public_domain_is_rejected_before_any_lookup(
    ca: CertificateAuthority, text: str
) -> None:
    async with hosting(ca) as site:
        with pytest.raises(InvalidDomain):
            await diagnose(text, None, site.config)
        assert site.dns.queries == []


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_is_never_a_domain(address: ipaddress.IPv4Address) -> None:
    with pytest.raises(InvalidDomain):
        validate_domain(str(address))


async def test_an_international_domain_is_looked_up_in_ascii_and_shown_as_typed(
    ca: CertificateAuthority,
) -> None:
    zone = {**HOSTED, "xn--kafbar-dva.no": {"A": ["127.0.0.1"]}}
    async with hosting(ca, zone) as site:
        diagnosis = await diagnose(" Kafébar.NO ", "dns", site.config)

    assert diagnosis.domain == "xn--kafbar-dva.no"
    assert summary(diagnosis)[0] == ("diag_intro", {"domain": "kafébar.no"})


async def test_an_unknown_service_is_a_programming_error(ca: CertificateAuthority) -> None:
    async with hosting(ca) as site:
        with pytest.raises(ValueError, match="billing"):
            await diagnose("kafebar.no", "billing", site.config)


# --- What the bot tells, and what it attaches to a ticket ------------------------------


@pytest.fixture(scope="module")
def phrasebook() -> Phrasebook:
    return Phrasebook.load(ROOT / "data" / "phrases")


def test_every_language_has_a_phrase_for_every_finding_with_its_placeholders(
    phrasebook: Phrasebook,
) -> None:
    wanted = {"diag_intro": {"domain"}} | {f"diag_{c}": set(p) for c, p in FINDINGS.items()}
    for lang in phrasebook.languages:
        for key, params in wanted.items():
            text = phrasebook.say(lang, key)  # unfilled: the placeholders stay visible
            assert set(re.findall(r"\{(\w+)\}", text)) == params, (lang, key)
    assert set(phrasebook.languages) == {"en", "nb", "hr", "fi", "ru", "hu"}


@pytest.mark.parametrize("lang", ["nb", "ru"])
def test_the_summary_renders_every_placeholder(phrasebook: Phrasebook, lang: str) -> None:
    every = tuple(
        Finding(code, "fail", {name: f"<{code}.{name}>" for name in params})
        for code, params in FINDINGS.items()
    )
    diagnosis = Diagnosis("kafebar.no", None, datetime.now(UTC), 1, Checks(), every)

    told = summary(diagnosis, limit=len(every))

    assert [key for key, _ in told] == ["diag_intro", *(f"diag_{c}" for c in FINDINGS)]
    for key, params in told:
        text = phrasebook.say(lang, key, **params)
        assert "{" not in text and "}" not in text, (key, text)
        assert all(value in text for value in params.values()), (key, text)
        assert text != phrasebook.say("en", key, **params)


async def test_a_summary_tells_the_most_important_first_with_dates_in_the_customers_style(
    ca: CertificateAuthority, phrasebook: Phrasebook
) -> None:
    expired = ca.issue(["other.example"], valid_from=timedelta(days=-60), valid_for=timedelta(30))
    zone = records(kafebar_no={**HOSTED["kafebar.no"], "NS": ["ns1.other.example."]})
    async with hosting(ca, zone, certificate=expired) as site:
        diagnosis = await diagnose("kafebar.no", None, site.config)

    def norwegian(day: date) -> str:
        return day.strftime("%d.%m.%Y")

    told = summary(diagnosis, format_date=norwegian)
    assert [key for key, _ in told] == [
        "diag_intro",
        "diag_ns_elsewhere",
        "diag_cert_expired",
        "diag_cert_name_mismatch",
    ]
    text = " ".join(phrasebook.say("nb", key, **params) for key, params in told)
    assert norwegian(expired.not_after.date()) in text
    assert "ns1.other.example" in text and "{" not in text


async def test_the_diagnosis_is_a_json_block_for_the_ticket(ca: CertificateAuthority) -> None:
    async with hosting(ca) as site:
        diagnosis = await diagnose("kafebar.no", None, site.config)

    block = json.loads(json.dumps(diagnosis.to_dict()))
    assert block["domain"] == "kafebar.no" and block["outcome"] == "nothing_found"
    assert [f["code"] for f in block["findings"]] == ["site_ok", "cert_ok", "smtp_ok"]
    assert block["checks"]["dns"]["ns"]["values"] == [
        "ns1.aurorahost.example",
        "ns2.aurorahost.example",
    ]
    assert datetime.fromisoformat(block["checks"]["certificate"]["not_after"]) > datetime.now(UTC)
    assert block["checks"]["mail"][0]["banner"] == "mx.example ESMTP"


# --- Configuration ---------------------------------------------------------------------


def test_the_demo_provider_facts_load_from_yaml() -> None:
    config = load_provider(ROOT / "data" / "provider.yml")
    assert "ns1.aurorahost.example" in config.our_nameservers
    assert "mx1.aurorahost.example" in config.our_mail_hosts
    assert ipaddress.ip_network("2001:db8::/32") in config.our_ip_networks
    assert config.allowed_networks == ()


def test_bad_provider_facts_are_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "provider.yml"
    path.write_text("our_networks: [not-a-network]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_provider(path)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        ("[2001:db8::53]:5353", ("2001:db8::53", 5353)),
    ],
)
def test_resolver_entries_may_carry_a_port(entry: str, expected: tuple[str, int]) -> None:
    assert DiagnosticsConfig(resolver=[entry]).nameserver_addresses == (expected,)


@pytest.mark.parametrize("entry", ["dns.google", "127.0.0.1:99999", "[::1]x"])
def test_a_resolver_must_be_an_address(entry: str) -> None:
    with pytest.raises(ConfigError):
        DiagnosticsConfig(resolver=[entry])
