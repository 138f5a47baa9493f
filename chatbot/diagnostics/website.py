"""Does the site answer? A GET of ``/`` over HTTP or HTTPS, following redirects.

Raw asyncio streams rather than an HTTP client: the request must go to an address the
guard checked, with the domain only in the Host header and the TLS SNI.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from urllib.parse import quote, urldefrag, urljoin, urlsplit, urlunsplit

import dns.asyncresolver

from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.connections import abort, guard, open_first, probe_deadline
from chatbot.diagnostics.dns_lookup import lookup_addresses
from chatbot.diagnostics.guard import InvalidDomain, validate_domain
from chatbot.diagnostics.results import Hop, ProbeStatus, Refusal, WebResult

__all__ = ["MAX_REDIRECTS", "check_website"]

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "chatbot-diagnostics/1"
_HEADER_LIMIT = 32 * 1024


def _insecure_context() -> ssl.SSLContext:
    """TLS without verification: the certificate check reports on the certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str]:
    """The status code and the Location header of a response."""
    status_line = await reader.readline()
    parts = status_line.decode("latin-1").split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError("not an HTTP response")
    location, size = "", len(status_line)
    while True:
        line = await reader.readline()
        size += len(line)
        if size > _HEADER_LIMIT:
            raise ValueError("response headers too large")
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "location":
            location = value.strip()
    return int(parts[1]), location


async def _request(url: str, addresses: tuple[str, ...], port: int, deadline: float) -> Hop:
    """One GET; raises ``OSError``, ``TimeoutError`` or ``ValueError`` on failure."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=?~-._")
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    tls = _insecure_context() if parts.scheme == "https" else None
    sni = None if _is_ip(host) else host
    started = time.perf_counter()
    async with asyncio.timeout_at(deadline):
        connection = await open_first(addresses, port, tls=tls, server_hostname=sni)
        try:
            request = (
                f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"User-Agent: {_USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
            )
            connection.writer.write(request.encode("ascii"))
            await connection.writer.drain()
            status, location = await _read_head(connection.reader)
        finally:
            abort(connection.writer)
    elapsed = round((time.perf_counter() - started) * 1000)
    return Hop(url, connection.address, status, location, elapsed)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _normalise(url: str) -> str:
    """``url`` without fragment and with its host in ASCII; raises :class:`InvalidDomain`."""
    parts = urlsplit(urldefrag(url).url)
    host = parts.hostname or ""
    if not _is_ip(host):
        host = validate_domain(host)
    elif ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _port(url: str, config: DiagnosticsConfig) -> int:
    parts = urlsplit(url)
    if parts.port is not None:
        return parts.port
    return config.ports.https if parts.scheme == "https" else config.ports.http


async def _addresses(
    host: str,
    cache: dict[str, tuple[str, ...]],
    resolver: dns.asyncresolver.Resolver,
    deadline: float,
) -> tuple[str, ...]:
    if host not in cache:
        if _is_ip(host):
            cache[host] = (host,)
        else:
            addresses, _ = await lookup_addresses(resolver, host, deadline)
            cache[host] = addresses
    return cache[host]


def _failure(error: BaseException) -> tuple[ProbeStatus, str]:
    if isinstance(error, TimeoutError):
        return "timeout", ""
    if isinstance(error, ssl.SSLError):
        return "connect_failed", f"tls: {error.reason or type(error).__name__}"
    if isinstance(error, OSError):
        return "connect_failed", error.strerror or type(error).__name__
    return "error", str(error)[:200]


async def check_website(
    domain: str,
    scheme: str,
    addresses: tuple[str, ...],
    resolver: dns.asyncresolver.Resolver,
    config: DiagnosticsConfig,
    deadline: float,
) -> WebResult:
    """GET ``scheme://domain/`` at the domain's guarded addresses, following redirects.

    Each hop's host is resolved and guarded again; at most :data:`MAX_REDIRECTS` are
    followed, only to http and https on the configured web ports.
    """
    start_url = url = f"{scheme}://{domain}/"
    cache = {domain: addresses}
    hops: list[Hop] = []
    refused: list[Refusal] = []
    seen: set[str] = set()

    def result(status: ProbeStatus, problem: str = "", detail: str = "") -> WebResult:
        return WebResult(scheme, start_url, status, problem, tuple(hops), tuple(refused), detail)

    for _ in range(MAX_REDIRECTS + 1):
        seen.add(url)
        host = urlsplit(url).hostname or ""
        found = await _addresses(host, cache, resolver, probe_deadline(deadline, config.timeout))
        targets = guard(host, found, config.allowed_ip_networks)
        refused.extend(targets.refused)
        if not targets.allowed:
            return result("refused" if targets.refused else "no_address")
        hop_deadline = probe_deadline(deadline, config.timeout)
        try:
            hop = await _request(url, targets.allowed, _port(url, config), hop_deadline)
        except (OSError, TimeoutError, ValueError) as error:
            hops.append(Hop(url, targets.allowed[0]))
            status, detail = _failure(error)
            return result(status, detail=detail)
        hops.append(hop)
        if hop.status not in _REDIRECTS or not hop.location:
            return result("ok")
        next_url = urljoin(url, hop.location)
        if urlsplit(next_url).scheme not in ("http", "https"):
            return result("ok", detail="redirect to another scheme")
        try:
            next_url = _normalise(next_url)
        except (InvalidDomain, ValueError):
            return result("error", detail="redirect to an invalid host")
        # Only the web ports: a redirect must not make the bot knock on any other service.
        if urlsplit(next_url).port not in (None, config.ports.http, config.ports.https):
            return result("error", detail="redirect to another port")
        if next_url in seen:
            return result("ok", problem="redirect_loop")
        url = next_url
    return result("ok", problem="too_many_redirects")
