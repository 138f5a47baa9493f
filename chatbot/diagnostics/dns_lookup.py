"""DNS questions about the domain, asked with dnspython's async resolver."""

from __future__ import annotations

import asyncio

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.NS
import dns.resolver

from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.results import DnsResult, Lookup

__all__ = ["lookup", "lookup_addresses", "lookup_domain", "make_resolver"]


def make_resolver(config: DiagnosticsConfig) -> dns.asyncresolver.Resolver:
    """A resolver asking the configured name servers, or the system's when none are set.

    Raises ``dns.resolver.NoResolverConfiguration`` when the system has none either.
    """
    if config.nameserver_addresses:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port)
            for address, port in config.nameserver_addresses
        ]
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.timeout = config.timeout
    resolver.lifetime = config.timeout
    resolver.cache = None
    return resolver


def _values(answer: dns.resolver.Answer, rdtype: str) -> tuple[str, ...]:
    if rdtype == "MX":
        records = sorted(
            (rdata for rdata in answer if isinstance(rdata, dns.rdtypes.ANY.MX.MX)),
            key=lambda mx: mx.preference,
        )
        hosts = (mx.exchange.to_text(omit_final_dot=True).lower() for mx in records)
        # A null MX (RFC 7505, exchange ".") says the domain takes no mail at all.
        return tuple(dict.fromkeys(host for host in hosts if host not in ("", ".")))
    if rdtype == "NS":
        return tuple(
            sorted(
                rdata.target.to_text(omit_final_dot=True).lower()
                for rdata in answer
                if isinstance(rdata, dns.rdtypes.ANY.NS.NS)
            )
        )
    # Sorted: a record set has no order, and reports should not change between runs.
    return tuple(sorted(str(rdata) for rdata in answer))


async def lookup(
    resolver: dns.asyncresolver.Resolver, name: str, rdtype: str, deadline: float
) -> Lookup:
    """One question, answered by ``deadline`` (event-loop time).

    NXDOMAIN, no answer and timeout are told apart; nothing is raised.
    """
    lifetime = deadline - asyncio.get_running_loop().time()
    if lifetime <= 0:
        return Lookup("timeout")
    try:
        async with asyncio.timeout_at(deadline):
            answer = await resolver.resolve(name, rdtype, lifetime=lifetime, search=False)
    except dns.resolver.NXDOMAIN:
        return Lookup("nxdomain")
    except dns.resolver.NoAnswer:
        return Lookup("no_answer")
    except (dns.exception.Timeout, TimeoutError):
        return Lookup("timeout")
    except dns.exception.DNSException as error:
        return Lookup("error", detail=type(error).__name__)
    except OSError as error:
        return Lookup("error", detail=type(error).__name__)
    values = _values(answer, rdtype)
    return Lookup("ok", values) if values else Lookup("no_answer")


async def _name_servers(
    resolver: dns.asyncresolver.Resolver, domain: str, deadline: float
) -> tuple[Lookup, str]:
    """NS of the domain, or of the zone above it (www.kafebar.no -> kafebar.no).

    The walk stops at two labels so that a top-level domain's servers are never reported.
    """
    labels = domain.split(".")
    result, zone = Lookup("skipped"), domain
    for start in range(len(labels) - 1):
        zone = ".".join(labels[start:])
        result = await lookup(resolver, zone, "NS", deadline)
        if result.status not in ("no_answer", "nxdomain"):
            break
    return result, zone


async def lookup_domain(
    resolver: dns.asyncresolver.Resolver, domain: str, deadline: float
) -> DnsResult:
    """A, AAAA, MX and NS of ``domain``, asked at the same time."""
    a, aaaa, mx, (ns, zone) = await asyncio.gather(
        lookup(resolver, domain, "A", deadline),
        lookup(resolver, domain, "AAAA", deadline),
        lookup(resolver, domain, "MX", deadline),
        _name_servers(resolver, domain, deadline),
    )
    return DnsResult(domain=domain, a=a, aaaa=aaaa, mx=mx, ns=ns, ns_zone=zone)


async def lookup_addresses(
    resolver: dns.asyncresolver.Resolver, host: str, deadline: float
) -> tuple[tuple[str, ...], Lookup]:
    """The IPv4 then IPv6 addresses of ``host``, and the A lookup that says why if none."""
    a, aaaa = await asyncio.gather(
        lookup(resolver, host, "A", deadline), lookup(resolver, host, "AAAA", deadline)
    )
    return a.values + aaaa.values, a
