"""Do the domain's mail servers answer? Read each MX host's SMTP greeting, then QUIT."""

from __future__ import annotations

import asyncio
import contextlib
import time

import dns.asyncresolver

from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.connections import Targets, abort, guard, open_first, probe_deadline
from chatbot.diagnostics.dns_lookup import lookup_addresses
from chatbot.diagnostics.results import ProbeStatus, SmtpResult

__all__ = ["BANNER_LIMIT", "MAX_MX_HOSTS", "check_mail", "read_reply"]

#: Only the most preferred hosts are probed: enough to see whether mail gets in.
MAX_MX_HOSTS = 3
#: Characters of the greeting kept for the ticket.
BANNER_LIMIT = 200
_MAX_LINES = 20


async def read_reply(reader: asyncio.StreamReader) -> tuple[int, str]:
    """One SMTP reply (``220-...`` continuation lines included): its code and first text."""
    code, text = 0, ""
    for _ in range(_MAX_LINES):
        line = (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            raise ConnectionError("the server closed the connection")
        if len(line) < 3 or not line[:3].isdigit():
            raise ValueError("not an SMTP reply")
        if not code:
            code, text = int(line[:3]), line[4:].strip()
        if line[3:4] != "-":
            break
    return code, text[:BANNER_LIMIT]


async def _greeting(host: str, port: int, targets: Targets, until: float) -> SmtpResult:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    try:
        async with asyncio.timeout_at(until):
            connection = await open_first(targets.allowed, port)
    except TimeoutError:
        return SmtpResult(host, port, "timeout", refused=targets.refused)
    except OSError as error:
        detail = error.strerror or type(error).__name__
        return SmtpResult(host, port, "connect_failed", refused=targets.refused, detail=detail)
    address = connection.address
    try:
        try:
            async with asyncio.timeout_at(until):
                code, banner = await read_reply(connection.reader)
        except TimeoutError:
            return SmtpResult(
                host, port, "timeout", address, refused=targets.refused, detail="no greeting"
            )
        except (OSError, ValueError) as error:
            return SmtpResult(
                host,
                port,
                "error",
                address,
                refused=targets.refused,
                detail=str(error)[:BANNER_LIMIT] or type(error).__name__,
            )
        elapsed = round((time.perf_counter() - started) * 1000)
        # The answer to QUIT only shows the server is polite: never wait long for it.
        with contextlib.suppress(OSError, ValueError, TimeoutError):
            async with asyncio.timeout_at(min(until, loop.time() + 1.0)):
                connection.writer.write(b"QUIT\r\n")
                await connection.writer.drain()
                await connection.reader.readline()
    finally:
        abort(connection.writer)
    return SmtpResult(host, port, "ok", address, code, banner, elapsed, targets.refused)


async def _host(
    host: str,
    resolver: dns.asyncresolver.Resolver,
    config: DiagnosticsConfig,
    deadline: float,
) -> list[SmtpResult]:
    addresses, lookup = await lookup_addresses(
        resolver, host, probe_deadline(deadline, config.timeout)
    )
    targets = guard(host, addresses, config.allowed_ip_networks)
    if not targets.allowed:
        status: ProbeStatus = "refused" if targets.refused else "no_address"
        if not addresses and lookup.status == "timeout":
            status = "timeout"
        return [
            SmtpResult(host, port, status, refused=targets.refused, detail=lookup.status)
            for port in config.ports.smtp
        ]
    until = probe_deadline(deadline, config.timeout)
    return list(
        await asyncio.gather(*(_greeting(host, port, targets, until) for port in config.ports.smtp))
    )


async def check_mail(
    mx_hosts: tuple[str, ...],
    resolver: dns.asyncresolver.Resolver,
    config: DiagnosticsConfig,
    deadline: float,
) -> tuple[SmtpResult, ...]:
    """The greeting of each of the first MX hosts on every SMTP port, probed concurrently.

    Each host is resolved with the diagnosis resolver and guarded before any connection.
    """
    per_host = await asyncio.gather(
        *(_host(host, resolver, config, deadline) for host in mx_hosts[:MAX_MX_HOSTS])
    )
    return tuple(result for results in per_host for result in results)
