"""Runs the probes a service needs, concurrently, each bounded in time, none raising.

DNS comes first (the other probes connect to the addresses it found); then the website,
certificate and mail probes run side by side. A probe that fails, or overruns the whole
diagnosis, yields a result saying so, never an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

import dns.asyncresolver
import dns.exception

from chatbot.diagnostics.certificate import check_certificate
from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.connections import probe_deadline
from chatbot.diagnostics.dns_lookup import lookup_domain, make_resolver
from chatbot.diagnostics.mail import check_mail
from chatbot.diagnostics.results import (
    CertificateResult,
    Checks,
    DnsResult,
    Lookup,
    SmtpResult,
    WebResult,
)
from chatbot.diagnostics.website import check_website

__all__ = ["SERVICES", "run_checks"]

log = logging.getLogger(__name__)

#: Which probes (besides DNS) each service runs; None runs them all.
SERVICES: dict[str | None, frozenset[str]] = {
    None: frozenset({"website", "certificate", "mail"}),
    "email": frozenset({"mail"}),
    "website": frozenset({"website", "certificate"}),
    "ssl": frozenset({"website", "certificate"}),
    "dns": frozenset(),
    "domain": frozenset(),
}
#: Time past the deadline a probe gets to notice it and return its partial result.
_GRACE = 0.5

T = TypeVar("T")


async def _bounded(probe: Awaitable[T], deadline: float, fallback: T, name: str) -> T:
    """``probe``'s result, or ``fallback`` if it overruns the deadline or fails."""
    try:
        async with asyncio.timeout_at(deadline + _GRACE):
            return await probe
    except TimeoutError:
        log.warning("diagnostics: the %s probe overran the deadline", name)
    except Exception:
        log.exception("diagnostics: the %s probe failed", name)
    return fallback


def _dns_failed(domain: str, detail: str) -> DnsResult:
    failed = Lookup("error", detail=detail)
    return DnsResult(domain, failed, failed, failed, failed, domain)


async def _dns(
    resolver: dns.asyncresolver.Resolver | None,
    domain: str,
    config: DiagnosticsConfig,
    deadline: float,
) -> DnsResult:
    if resolver is None:
        return _dns_failed(domain, "no resolver configured")
    timed_out = Lookup("timeout")
    return await _bounded(
        lookup_domain(resolver, domain, probe_deadline(deadline, config.timeout)),
        deadline,
        DnsResult(domain, timed_out, timed_out, timed_out, timed_out, domain),
        "dns",
    )


async def run_checks(
    domain: str, service: str | None, config: DiagnosticsConfig, deadline: float
) -> Checks:
    """Every check ``service`` needs for ``domain`` (already validated), by ``deadline``."""
    wanted = SERVICES[service]
    try:
        resolver: dns.asyncresolver.Resolver | None = make_resolver(config)
    except dns.exception.DNSException:
        log.warning("diagnostics: no resolver is configured and the system has none")
        resolver = None
    found = await _dns(resolver, domain, config, deadline)
    if resolver is None or not found.exists:
        return Checks(dns=found)

    addresses = found.addresses
    web = [
        _bounded(
            check_website(domain, scheme, addresses, resolver, config, deadline),
            deadline,
            WebResult(scheme, f"{scheme}://{domain}/", "timeout"),
            f"{scheme} website",
        )
        for scheme in (("http", "https") if "website" in wanted else ())
    ]
    certificate = (
        _bounded(
            check_certificate(domain, addresses, config, probe_deadline(deadline, config.timeout)),
            deadline,
            CertificateResult(domain, "timeout"),
            "certificate",
        )
        if "certificate" in wanted
        else _nothing(None)
    )
    mx_hosts = found.mx.values if "mail" in wanted else ()
    mail = _bounded(
        check_mail(mx_hosts, resolver, config, deadline),
        deadline,
        tuple(
            SmtpResult(host, port, "timeout") for host in mx_hosts[:1] for port in config.ports.smtp
        ),
        "mail",
    )
    websites, cert, smtp = await asyncio.gather(asyncio.gather(*web), certificate, mail)
    return Checks(dns=found, website=tuple(websites), certificate=cert, mail=smtp)


async def _nothing(value: T) -> T:
    return value
