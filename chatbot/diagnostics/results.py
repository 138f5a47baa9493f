"""What each probe saw: plain, immutable records that a failure is one value of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "CertificateResult",
    "Checks",
    "DnsResult",
    "Hop",
    "Lookup",
    "LookupStatus",
    "ProbeStatus",
    "Refusal",
    "SmtpResult",
    "WebResult",
]

#: ``no_answer``: the name exists but has no record of this type.
LookupStatus = Literal["ok", "nxdomain", "no_answer", "timeout", "error", "skipped"]
#: ``refused``: the guard refused every address; ``no_address``: there was none to try.
ProbeStatus = Literal["ok", "refused", "no_address", "connect_failed", "timeout", "error"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """An address the guard would not let a probe connect to, and why (``private``...)."""

    host: str
    address: str
    reason: str


@dataclass(frozen=True, slots=True)
class Lookup:
    """One DNS question's answer: values are addresses, or host names without final dot."""

    status: LookupStatus
    values: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DnsResult:
    domain: str
    a: Lookup
    aaaa: Lookup
    #: MX hosts, most preferred first.
    mx: Lookup
    ns: Lookup
    #: The name the NS records belong to (the domain or the zone above it).
    ns_zone: str = ""

    @property
    def exists(self) -> bool:
        return "nxdomain" not in (self.a.status, self.ns.status)

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a.values + self.aaaa.values

    @property
    def timed_out(self) -> bool:
        return any(x.status == "timeout" for x in (self.a, self.aaaa, self.mx, self.ns))


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a website check."""

    url: str
    address: str = ""
    status: int = 0
    location: str = ""
    time_ms: int = 0


@dataclass(frozen=True, slots=True)
class WebResult:
    """An HTTP or HTTPS check of ``/``, with the redirects it followed."""

    scheme: str
    url: str
    status: ProbeStatus
    #: ``redirect_loop`` or ``too_many_redirects`` when the chain did not end.
    problem: str = ""
    hops: tuple[Hop, ...] = ()
    refused: tuple[Refusal, ...] = ()
    detail: str = ""

    @property
    def final_status(self) -> int:
        return self.hops[-1].status if self.hops else 0

    @property
    def time_ms(self) -> int:
        return sum(hop.time_ms for hop in self.hops)


@dataclass(frozen=True, slots=True)
class CertificateResult:
    """The certificate the HTTPS server presented for the domain (SNI)."""

    domain: str
    status: ProbeStatus
    address: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    issuer_cn: str = ""
    issuer_o: str = ""
    subject_cn: str = ""
    names: tuple[str, ...] = ()
    name_matches: bool = False
    #: Verified against the system trust store (and the configured extra CA).
    trusted: bool = False
    verify_error: str = ""
    self_signed: bool = False
    refused: tuple[Refusal, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SmtpResult:
    """One MX host on one port: did it greet us with ``220``?"""

    host: str
    port: int
    status: ProbeStatus
    address: str = ""
    code: int = 0
    banner: str = ""
    time_ms: int = 0
    refused: tuple[Refusal, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Checks:
    """Every probe's result; a probe that was not run is None or empty."""

    dns: DnsResult | None = None
    website: tuple[WebResult, ...] = ()
    certificate: CertificateResult | None = None
    mail: tuple[SmtpResult, ...] = field(default_factory=tuple)
