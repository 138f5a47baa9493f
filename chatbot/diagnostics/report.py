"""What a diagnosis found: findings derived from the raw checks, most telling first."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import dns.exception
import dns.name

from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.guard import normalise_address
from chatbot.diagnostics.results import Checks, DnsResult, WebResult

__all__ = [
    "CUSTOMER_SIDE",
    "FINDINGS",
    "Diagnosis",
    "Finding",
    "Outcome",
    "Severity",
    "derive_findings",
    "show_name",
]

Severity = Literal["ok", "info", "warn", "fail"]
#: ``customer_side``: the cause is in the customer's own settings elsewhere (no ticket needed);
#: ``fault_found``: something is broken that support should look at; ``nothing_found``.
Outcome = Literal["customer_side", "fault_found", "nothing_found"]

#: Every finding code, in the order it is told (most likely explanation first), with its
#: parameters. The phrase ``diag_<code>`` takes exactly these placeholders. A ``date``
#: parameter is an ISO date (``2026-03-01``) that :func:`summary` can format.
FINDINGS: dict[str, tuple[str, ...]] = {
    "domain_not_found": ("domain",),
    "ns_elsewhere": ("domain", "nameservers"),
    "mx_elsewhere": ("domain", "mail_hosts"),
    "a_elsewhere": ("domain", "addresses"),
    "no_mx": ("domain",),
    "no_address": ("domain",),
    "dns_timeout": ("domain",),
    "site_down": ("url",),
    "http_error": ("url", "status"),
    "redirect_loop": ("url",),
    "cert_expired": ("domain", "date"),
    "cert_name_mismatch": ("domain", "names"),
    "cert_untrusted": ("domain", "issuer"),
    "cert_expires_soon": ("domain", "date"),
    "smtp_unreachable": ("host", "port"),
    "smtp_error": ("host", "port", "code"),
    "probe_refused": ("host", "address"),
    "site_ok": ("url", "status", "time_ms"),
    "cert_ok": ("domain", "issuer", "date"),
    "smtp_ok": ("host", "ports", "time_ms"),
}
_RANK = {code: rank for rank, code in enumerate(FINDINGS)}
#: Findings that explain the problem by the customer's own settings at another provider.
CUSTOMER_SIDE = frozenset({"domain_not_found", "ns_elsewhere", "mx_elsewhere", "a_elsewhere"})
_SEVERITY: dict[str, Severity] = {
    "probe_refused": "info",
    "site_ok": "ok",
    "cert_ok": "ok",
    "smtp_ok": "ok",
    "ns_elsewhere": "warn",
    "mx_elsewhere": "warn",
    "a_elsewhere": "warn",
    "no_mx": "warn",
    "no_address": "warn",
    "dns_timeout": "warn",
    "cert_expires_soon": "warn",
}
EXPIRY_WARNING_DAYS = 14
_MAX_LISTED = 4


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    params: Mapping[str, str]

    def __post_init__(self) -> None:
        if FINDINGS.get(self.code) != tuple(self.params):
            raise ValueError(f"finding {self.code!r} takes {FINDINGS.get(self.code)}")


def _finding(code: str, /, **params: str) -> Finding:
    ordered = {name: params[name] for name in FINDINGS[code]}
    return Finding(code, _SEVERITY.get(code, "fail"), ordered)


def show_name(name: str) -> str:
    """A host name as the customer writes it (Unicode, not ``xn--``)."""
    try:
        text = dns.name.from_text(name).to_unicode(
            omit_final_dot=True, idna_codec=dns.name.IDNA_2008_Practical
        )
    except (dns.exception.DNSException, UnicodeError, ValueError):
        return name
    return text


def _listed(items: Iterable[str]) -> str:
    unique = list(dict.fromkeys(items))
    more = len(unique) - _MAX_LISTED
    return ", ".join(unique[:_MAX_LISTED]) + (f", +{more}" if more > 0 else "")


def _in_networks(text: str, config: DiagnosticsConfig) -> bool:
    address = normalise_address(ipaddress.ip_address(text))
    return any(address in net for net in config.our_ip_networks if net.version == address.version)


def _dns_findings(
    found: DnsResult, service: str | None, config: DiagnosticsConfig
) -> list[Finding]:
    domain = show_name(found.domain)
    out: list[Finding] = []
    if found.timed_out:
        out.append(_finding("dns_timeout", domain=domain))
    ours = set(config.our_nameservers)
    if ours and found.ns.status == "ok" and not set(found.ns.values) <= ours:
        foreign = (show_name(ns) for ns in found.ns.values if ns not in ours)
        out.append(
            _finding("ns_elsewhere", domain=show_name(found.ns_zone), nameservers=_listed(foreign))
        )
    if service != "email":
        foreign_addresses = [a for a in found.addresses if not _in_networks(a, config)]
        if config.our_networks and foreign_addresses:
            out.append(_finding("a_elsewhere", domain=domain, addresses=_listed(foreign_addresses)))
        no_records = {found.a.status, found.aaaa.status} <= {"no_answer"}
        if service not in ("dns", "domain") and no_records:
            out.append(_finding("no_address", domain=domain))
    if service in (None, "email", "dns", "domain"):
        if found.mx.status == "no_answer":
            out.append(_finding("no_mx", domain=domain))
        mail_hosts = set(config.our_mail_hosts)
        # Mail goes to the most preferred host; a backup MX elsewhere may be intended.
        if mail_hosts and found.mx.status == "ok" and found.mx.values[0] not in mail_hosts:
            shown = (show_name(host) for host in found.mx.values if host not in mail_hosts)
            out.append(_finding("mx_elsewhere", domain=domain, mail_hosts=_listed(shown)))
    return out


def _failed_url(result: WebResult) -> str:
    return result.hops[-1].url if result.hops else result.url


def _web_findings(results: tuple[WebResult, ...], domain: str) -> list[Finding]:
    out: list[Finding] = []
    working = [
        r for r in results if r.status == "ok" and not r.problem and 0 < r.final_status < 400
    ]
    # A chain stopped after an answer (a redirect to another port) is not a site that is down.
    down = [
        r
        for r in results
        if r.status in ("connect_failed", "timeout", "error") and not r.final_status
    ]
    # HTTP and HTTPS failing alike is one fault: tell it once, for HTTPS.
    faults: dict[str, Finding] = {}
    for result in sorted(results, key=lambda r: r.scheme == "https"):
        if result.problem:
            faults["loop"] = _finding("redirect_loop", url=result.url)
        elif result.status == "ok" and result.final_status >= 400:
            status = str(result.final_status)
            faults[status] = _finding("http_error", url=result.hops[-1].url, status=status)
    out.extend(faults.values())
    if down and len(down) == len(results):
        out.append(_finding("site_down", url=show_name(domain)))
    else:
        out.extend(_finding("site_down", url=_failed_url(r)) for r in down)
    if working:
        best = max(working, key=lambda r: r.scheme == "https")
        out.append(
            _finding(
                "site_ok",
                url=best.hops[-1].url,
                status=str(best.final_status),
                time_ms=str(best.time_ms),
            )
        )
    return out


def _certificate_findings(checks: Checks, now: datetime) -> list[Finding]:
    cert = checks.certificate
    if cert is None or cert.status != "ok" or cert.not_after is None:
        return []
    domain = show_name(cert.domain)
    until = cert.not_after.date().isoformat()
    issuer = cert.issuer_o or cert.issuer_cn or cert.subject_cn
    out: list[Finding] = []
    expired = cert.not_after <= now
    if expired:
        out.append(_finding("cert_expired", domain=domain, date=until))
    if not cert.name_matches:
        names = _listed(show_name(n) for n in cert.names) or "-"
        out.append(_finding("cert_name_mismatch", domain=domain, names=names))
    if not cert.trusted and not expired:
        out.append(_finding("cert_untrusted", domain=domain, issuer=issuer))
    days = (cert.not_after - now).days
    if not out and days < EXPIRY_WARNING_DAYS:
        out.append(_finding("cert_expires_soon", domain=domain, date=until))
    if not out:
        out.append(_finding("cert_ok", domain=domain, issuer=issuer, date=until))
    return out


def _mail_findings(checks: Checks) -> list[Finding]:
    out: list[Finding] = []
    greeted: dict[str, list[tuple[int, int]]] = {}
    for r in checks.mail:
        host = show_name(r.host)
        if r.status == "ok" and r.code == 220:
            greeted.setdefault(host, []).append((r.port, r.time_ms))
        elif r.status == "ok":
            out.append(_finding("smtp_error", host=host, port=str(r.port), code=str(r.code)))
        elif r.status in ("connect_failed", "timeout", "error"):
            out.append(_finding("smtp_unreachable", host=host, port=str(r.port)))
    for host, answers in greeted.items():
        ports = ", ".join(str(port) for port, _ in answers)
        slowest = max(ms for _, ms in answers)
        out.append(_finding("smtp_ok", host=host, ports=ports, time_ms=str(slowest)))
    return out


def _refusals(checks: Checks) -> list[Finding]:
    refusals = [r for w in checks.website for r in w.refused]
    refusals += checks.certificate.refused if checks.certificate else ()
    refusals += [r for m in checks.mail for r in m.refused]
    pairs = dict.fromkeys((show_name(r.host), r.address) for r in refusals)
    return [_finding("probe_refused", host=host, address=address) for host, address in pairs]


def derive_findings(
    checks: Checks, *, service: str | None, config: DiagnosticsConfig, now: datetime
) -> tuple[Finding, ...]:
    """The findings of ``checks``, most likely explanation first (pure)."""
    if checks.dns is None:
        return ()
    if not checks.dns.exists:
        return (_finding("domain_not_found", domain=show_name(checks.dns.domain)),)
    found = [
        *_dns_findings(checks.dns, service, config),
        *_web_findings(checks.website, checks.dns.domain),
        *_certificate_findings(checks, now),
        *_mail_findings(checks),
        *_refusals(checks),
    ]
    return tuple(sorted(found, key=lambda finding: _RANK[finding.code]))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class Diagnosis:
    """One diagnosis of a customer's domain: the raw checks and what they mean."""

    domain: str
    service: str | None
    started_at: datetime
    duration_ms: int
    checks: Checks
    findings: tuple[Finding, ...]

    @property
    def outcome(self) -> Outcome:
        codes = {finding.code for finding in self.findings}
        if codes & CUSTOMER_SIDE:
            return "customer_side"
        if any(f.severity in ("warn", "fail") for f in self.findings):
            return "fault_found"
        return "nothing_found"

    @property
    def explains(self) -> bool:
        """The cause lies in the customer's settings elsewhere: the bot can answer alone."""
        return self.outcome == "customer_side"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able block to attach to a ticket."""
        return {
            "domain": self.domain,
            "service": self.service,
            "started_at": self.started_at.isoformat(),
            "duration_ms": self.duration_ms,
            "outcome": self.outcome,
            "findings": [
                {"code": f.code, "severity": f.severity, "params": dict(f.params)}
                for f in self.findings
            ],
            "checks": _jsonable(dataclasses.asdict(self.checks)),
        }
