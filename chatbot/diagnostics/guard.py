"""The SSRF guard: which domains may be diagnosed and which addresses may be probed.

A probe never connects to a name. Names are resolved once, each address is checked here,
and the probe connects to the checked address, so a DNS answer cannot change between the
check and the connection (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import dns.exception
import dns.name

from chatbot.diagnostics.config import IPNetwork
from chatbot.errors import InvalidPayload

__all__ = ["IPAddress", "InvalidDomain", "normalise_address", "refusal", "validate_domain"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: Names that resolve inside a network, never on the public internet.
_SPECIAL_SUFFIXES = frozenset(
    {
        "localhost",
        "localdomain",
        "local",
        "invalid",
        "onion",
        "arpa",
        "internal",
        "intranet",
        "lan",
        "home",
        "corp",
        "private",
    }
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class InvalidDomain(InvalidPayload):
    """The text is not a public host name that may be diagnosed."""

    code = "invalid_domain"


def validate_domain(text: str) -> str:
    """The lower-case ASCII (IDNA) form of a public host name, or :class:`InvalidDomain`."""
    candidate = text.strip()
    if candidate.endswith("."):
        candidate = candidate[:-1]
    if (
        not candidate
        or candidate.endswith(".")
        or len(candidate) > 253
        or candidate.startswith("[")
    ):
        raise InvalidDomain("not a domain name")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        pass
    else:
        raise InvalidDomain("an IP address is not a domain name")
    try:
        name = dns.name.from_unicode(candidate, idna_codec=dns.name.IDNA_2008_Practical)
        ascii_name = name.to_text(omit_final_dot=True).lower()
    except (dns.exception.DNSException, UnicodeError, ValueError):
        raise InvalidDomain("not a domain name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or len(labels) < 2:
        raise InvalidDomain("not a public domain name")
    if not all(_LABEL.match(label) for label in labels):
        raise InvalidDomain("not a domain name")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        raise InvalidDomain("an IP address is not a domain name")
    if labels[-1] in _SPECIAL_SUFFIXES:
        raise InvalidDomain("not a public domain name")
    return ascii_name


def normalise_address(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped IPv6 address, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(str(address).split("%", 1)[0])
    return address


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translation prefix (6to4, Teredo, NAT64, compatible) reaches."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    """Why ``address`` is not an ordinary public address, or None if it is one."""
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "private"
    if not address.is_global:
        return "reserved"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and _kind(inner) is not None:
            return "translated"
    return None


def refusal(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why the guard refuses to probe ``address`` (a short code), or None to allow it.

    ``allowed`` lists the private or loopback networks the operator lets us probe.
    """
    address = normalise_address(address)
    if any(address.version == net.version and address in net for net in allowed):
        return None
    return _kind(address)
