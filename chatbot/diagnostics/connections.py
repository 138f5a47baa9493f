"""Opening TCP (and TLS) connections to addresses that passed the guard, and only those."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chatbot.diagnostics.config import IPNetwork
from chatbot.diagnostics.guard import normalise_address, refusal
from chatbot.diagnostics.results import Refusal

__all__ = ["Connection", "Targets", "abort", "guard", "open_first", "probe_deadline"]

#: Longest line (status line, header, SMTP reply) a probe reads.
LINE_LIMIT = 8192


@dataclass(frozen=True, slots=True)
class Targets:
    """The addresses a probe may connect to, and the ones the guard refused."""

    allowed: tuple[str, ...]
    refused: tuple[Refusal, ...]


def guard(host: str, addresses: Iterable[str], allowed_networks: Sequence[IPNetwork]) -> Targets:
    """Split ``addresses`` into those the guard allows (IPv4 first) and those it refuses."""
    allowed: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    refused: list[Refusal] = []
    for text in addresses:
        try:
            address = normalise_address(ipaddress.ip_address(text))
        except ValueError:
            refused.append(Refusal(host, text, "invalid"))
            continue
        reason = refusal(address, allowed_networks)
        if reason is None:
            allowed.append(address)
        else:
            refused.append(Refusal(host, str(address), reason))
    allowed.sort(key=lambda address: address.version)
    return Targets(tuple(dict.fromkeys(str(a) for a in allowed)), tuple(refused))


def probe_deadline(deadline: float, timeout: float) -> float:
    """When a probe must end (event-loop time): after its own timeout or the whole's end."""
    return min(asyncio.get_running_loop().time() + timeout, deadline)


@dataclass(slots=True)
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: str

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        value = self.writer.get_extra_info("ssl_object")
        return value if isinstance(value, ssl.SSLObject) else None


def abort(writer: asyncio.StreamWriter) -> None:
    """Drop the connection at once: a probe never waits for a polite close."""
    writer.transport.abort()


async def open_first(
    addresses: Sequence[str],
    port: int,
    *,
    tls: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
) -> Connection:
    """Connect to the first address that accepts; the caller bounds the time.

    Raises the last ``OSError`` when none accepts. A TLS failure (``ssl.SSLError``) is
    raised at once: another address of the same host would present the same certificate.
    """
    if not addresses:
        raise OSError("no address to connect to")
    last: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            reader, writer = await asyncio.open_connection(
                address,
                port,
                ssl=tls,
                server_hostname=server_hostname if tls is not None else None,
                limit=LINE_LIMIT,
            )
        except ssl.SSLError:
            raise
        except OSError as error:
            last = error
            continue
        return Connection(reader, writer, address)
    raise last
