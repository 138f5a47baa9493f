"""Who the client is: the TCP peer, or the address a trusted reverse proxy forwarded.

Every limit per address (sockets, connections, uploads, agent logins) and every log line
reads ``request.remote``. Behind a reverse proxy that is the proxy for every customer, so
the middleware here replaces it, once per request, with the client's address:

* only when the TCP peer is one of ``CHATBOT_TRUSTED_PROXIES`` (anyone else could write
  any header);
* from the one header the proxies set (``X-Forwarded-For`` or ``Forwarded``), walked from
  the right: each proxy appends the address it saw, so the right-most entry that is not a
  trusted proxy is the client. Entries left of it were written by the client and are
  never believed.

aiohttp-remotes was the first choice but fits neither way: ``XForwardedRelaxed`` believes
the header whoever sends it, and ``XForwardedStrict`` answers 400 to a peer that is not a
proxy (``/healthz`` from a monitor, a customer on the direct port) and to a chain whose
length differs from its list of hops (a customer who sends their own header).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler, Middleware

from chatbot.errors import ConfigError

__all__ = [
    "CLIENT_ADDRESS",
    "ClientAccessLogger",
    "TrustedProxies",
    "client_address_middleware",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The resolved address, also on the request aiohttp logs (which is not the clone).
CLIENT_ADDRESS = web.RequestKey("client_address", str)

HEADERS = ("X-Forwarded-For", "Forwarded")


def _address(text: str) -> IPAddress | None:
    """An address from a header entry: ``1.2.3.4``, ``1.2.3.4:80``, ``[2001:db8::1]:80``,
    ``"[2001:db8::1]"``; None for ``unknown``, obfuscated names and anything else."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _forwarded_for(values: Iterable[str]) -> list[str]:
    """The ``for=`` node of each element of RFC 7239 ``Forwarded`` headers, in order
    (an element without one counts as unknown)."""
    nodes = []
    for value in values:
        for element in value.split(","):
            node = ""
            for pair in element.split(";"):
                name, _, found = pair.partition("=")
                if name.strip().lower() == "for":
                    node = found
            nodes.append(node)
    return nodes


def _x_forwarded_for(values: Iterable[str]) -> list[str]:
    return [entry for value in values for entry in value.split(",")]


class TrustedProxies:
    """The proxies whose forwarding headers are believed, and how to read them."""

    def __init__(self, entries: Sequence[str], header: str = "X-Forwarded-For") -> None:
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    f"{entry!r} in CHATBOT_TRUSTED_PROXIES is not an address or network"
                ) from None
        matched = [name for name in HEADERS if name.lower() == header.strip().lower()]
        if not matched:
            raise ConfigError(f"CHATBOT_PROXY_HEADER must be one of {', '.join(HEADERS)}")
        self.networks = tuple(networks)
        self.header = matched[0]

    def trusts(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str | None, header_values: Sequence[str]) -> str | None:
        """The client's address for a connection from ``peer`` carrying ``header_values``
        (every line of the configured header, in order)."""
        hop = _address(peer or "")
        if not self.trusts(hop):
            return peer
        if self.header == "Forwarded":
            entries = _forwarded_for(header_values)
        else:
            entries = _x_forwarded_for(header_values)
        for entry in reversed(entries):
            found = _address(entry)
            if found is None:
                # A trusted proxy forwarded something unreadable ("unknown"): the client
                # stays that proxy, and nothing further left can be believed.
                break
            hop = found
            if not self.trusts(hop):
                break
        return str(hop)


def client_address_middleware(proxies: TrustedProxies) -> Middleware:
    """Handlers (and Socket.IO's environ) see the client's address as ``request.remote``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        peer = request.remote
        address = peer
        if proxies.networks:
            address = proxies.client(peer, request.headers.getall(proxies.header, []))
        request[CLIENT_ADDRESS] = address or "-"
        if address is not None and address != peer:
            request = request.clone(remote=address)
        return await handler(request)

    return middleware


class ClientAccessLogger(AbstractAccessLogger):
    """aiohttp's access log line with the client's address instead of the proxy's."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        address = request.get(CLIENT_ADDRESS) or request.remote or "-"
        self.logger.info(
            '%s "%s %s HTTP/%s.%s" %s %s %.3fs',
            address,
            request.method,
            request.path_qs,
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
        )
