"""The diagnosis a support guide would ask a customer to run, run by the bot itself.

``diagnose("kafebar.no", "website", config)`` checks whether the domain points to us, the
site answers, the certificate is valid and the mail servers answer, and says what that
means as :class:`Finding` codes. Every probe goes only to addresses the guard allowed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from chatbot.diagnostics.config import DiagnosticsConfig, Ports, load_provider
from chatbot.diagnostics.guard import InvalidDomain, validate_domain
from chatbot.diagnostics.probes import SERVICES, run_checks
from chatbot.diagnostics.report import (
    CUSTOMER_SIDE,
    FINDINGS,
    Diagnosis,
    Finding,
    Outcome,
    Severity,
    derive_findings,
    show_name,
)
from chatbot.diagnostics.results import Checks

__all__ = [
    "CUSTOMER_SIDE",
    "FINDINGS",
    "SERVICES",
    "Checks",
    "Diagnosis",
    "DiagnosticsConfig",
    "Finding",
    "InvalidDomain",
    "Outcome",
    "Ports",
    "Severity",
    "diagnose",
    "load_provider",
    "summary",
    "validate_domain",
]


async def diagnose(domain: str, service: str | None, config: DiagnosticsConfig) -> Diagnosis:
    """Diagnose ``domain`` for ``service``, within ``config.total_timeout`` seconds.

    ``service`` "email" runs DNS and mail; "website" and "ssl" DNS, website and
    certificate; "dns" and "domain" DNS only; None everything. Raises
    :class:`InvalidDomain` for text that is not a public host name, and ``ValueError``
    for an unknown service; a failing probe is a result, never an exception.
    """
    if service not in SERVICES:
        raise ValueError(f"no diagnosis for the service {service!r}")
    name = validate_domain(domain)
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    deadline = asyncio.get_running_loop().time() + config.total_timeout
    checks = await run_checks(name, service, config, deadline)
    return Diagnosis(
        domain=name,
        service=service,
        started_at=started_at,
        duration_ms=round((time.perf_counter() - started) * 1000),
        checks=checks,
        findings=derive_findings(checks, service=service, config=config, now=started_at),
    )


def summary(
    diagnosis: Diagnosis,
    *,
    limit: int = 3,
    format_date: Callable[[date], str] | None = None,
) -> list[tuple[str, dict[str, str]]]:
    """Phrase keys and parameters telling the customer what was found, most telling first.

    ``diag_intro`` and at most ``limit`` findings; ``format_date`` writes dates the way the
    customer's language does (ISO dates otherwise).
    """
    told: list[tuple[str, dict[str, str]]] = [
        ("diag_intro", {"domain": show_name(diagnosis.domain)})
    ]
    for finding in diagnosis.findings[:limit]:
        params = dict(finding.params)
        if format_date is not None and "date" in params:
            params["date"] = format_date(date.fromisoformat(params["date"]))
        told.append((f"diag_{finding.code}", params))
    return told
