"""What the diagnosis may probe, where it asks DNS, and which servers are ours."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from chatbot.errors import ConfigError

__all__ = ["DiagnosticsConfig", "IPNetwork", "Ports", "load_provider", "parse_nameserver"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Ports:
    """The ports probed; tests point them at free local ports."""

    http: int = 80
    https: int = 443
    smtp: tuple[int, ...] = (25, 587)

    def __post_init__(self) -> None:
        object.__setattr__(self, "smtp", tuple(self.smtp))
        for port in (self.http, self.https, *self.smtp):
            if not 0 < port < 65536:
                raise ConfigError(f"diagnostics: port {port} is out of range")


def parse_nameserver(text: str) -> tuple[str, int]:
    """``"192.0.2.53"``, ``"192.0.2.53:5353"``, ``"2001:db8::53"`` or ``"[2001:db8::53]:5353"``."""
    text = text.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ConfigError(f"diagnostics: bad resolver address {text!r}")
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, digits = text.partition(":")
        if not digits.isdigit():
            raise ConfigError(f"diagnostics: bad resolver address {text!r}")
        port = int(digits)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"diagnostics: resolver {text!r} is not an IP address") from None
    if not 0 < port < 65536:
        raise ConfigError(f"diagnostics: resolver port {port} is out of range")
    return str(address), port


def _networks(items: Iterable[str], what: str) -> tuple[IPNetwork, ...]:
    networks: list[IPNetwork] = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"diagnostics: {what} entry {item!r} is not a network") from None
    return tuple(networks)


def _host_names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip().lower().rstrip(".") for item in items if item.strip()))


@dataclass(frozen=True, slots=True)
class DiagnosticsConfig:
    """Everything a diagnosis needs to know. Lists are stored as tuples, so it stays hashable."""

    #: "ip" or "ip:port" of the name servers to ask; empty means the system's.
    resolver: Sequence[str] = ()
    #: Host names of our name servers, lower case, no trailing dot.
    our_nameservers: Sequence[str] = ()
    #: Host names of our incoming mail servers (MX targets).
    our_mail_hosts: Sequence[str] = ()
    #: CIDRs of our web and mail servers.
    our_networks: Sequence[str] = ()
    #: Private or loopback CIDRs the operator allows to be probed; empty by default.
    allowed_networks: Sequence[str] = ()
    ports: Ports = field(default_factory=Ports)
    #: Seconds for one probe (one lookup, one connection).
    timeout: float = 4.0
    #: Seconds for the whole diagnosis.
    total_timeout: float = 10.0
    #: An extra trust anchor (PEM), added to the system's.
    ca_file: Path | None = None
    _our_networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)
    _allowed_networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)
    _nameservers: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "resolver", tuple(self.resolver))
        set_(self, "our_nameservers", _host_names(self.our_nameservers))
        set_(self, "our_mail_hosts", _host_names(self.our_mail_hosts))
        set_(self, "our_networks", tuple(self.our_networks))
        set_(self, "allowed_networks", tuple(self.allowed_networks))
        set_(self, "_our_networks", _networks(self.our_networks, "our_networks"))
        set_(self, "_allowed_networks", _networks(self.allowed_networks, "allowed_networks"))
        set_(self, "_nameservers", tuple(parse_nameserver(ns) for ns in self.resolver))
        if self.timeout <= 0 or self.total_timeout <= 0:
            raise ConfigError("diagnostics: timeouts must be positive")

    @property
    def our_ip_networks(self) -> tuple[IPNetwork, ...]:
        return self._our_networks

    @property
    def allowed_ip_networks(self) -> tuple[IPNetwork, ...]:
        return self._allowed_networks

    @property
    def nameserver_addresses(self) -> tuple[tuple[str, int], ...]:
        """The resolver entries as (address, port) pairs."""
        return self._nameservers


def _string_list(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return tuple(value)


def load_provider(path: Path, config: DiagnosticsConfig | None = None) -> DiagnosticsConfig:
    """``config`` (or the defaults) with the provider facts read from a YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the provider facts: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    return replace(
        config or DiagnosticsConfig(),
        our_nameservers=_string_list(data, "our_nameservers", path),
        our_mail_hosts=_string_list(data, "our_mail_hosts", path),
        our_networks=_string_list(data, "our_networks", path),
    )
