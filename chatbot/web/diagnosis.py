"""Runs the diagnosis the engine asked for: rate limited, time limited, never failing.

Fair use: a visitor gets a few diagnoses a minute, and one domain is checked at most a
few times a minute whoever asks, so the bot cannot be turned into a scanner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from chatbot.diagnostics import Diagnosis, DiagnosticsConfig, InvalidDomain, diagnose, summary
from chatbot.engine import EngineContext
from chatbot.engine.messages import DiagnosisNote
from chatbot.rate_limit import RateLimiter, TokenBuckets

__all__ = ["DiagnosisRunner", "date_only"]

log = logging.getLogger(__name__)


def date_only(date_format: str) -> str:
    """``"%d.%m.%Y kl. %H:%M"`` -> ``"%d.%m.%Y"``: a language's date-and-time format
    without the time (and the little word before it)."""
    head = date_format.split("%H", 1)[0].split()
    while head and "%" not in head[-1]:
        head.pop()
    return " ".join(head).rstrip(", ") or "%Y-%m-%d"


def _one_line(diagnosis: Diagnosis) -> str:
    """``kafebar.no (email): mx_elsewhere mail_hosts=mx.other.example; smtp_ok ...``"""
    parts = []
    for finding in diagnosis.findings:
        params = " ".join(f"{k}={v}" for k, v in finding.params.items() if k != "domain")
        parts.append(f"{finding.code} {params}".strip())
    return f"{diagnosis.domain} ({diagnosis.service}): " + "; ".join(parts or ["nothing found"])


#: Second-level labels under which a country's names are registered (example.co.uk).
_REGISTRY_LABELS = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne"})


def registered_name(name: str) -> str:
    """The name a customer registered, roughly: ``shop.kafebar.no`` -> ``kafebar.no``,
    ``www.example.co.uk`` -> ``example.co.uk`` (no public-suffix list is bundled)."""
    labels = name.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _REGISTRY_LABELS and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


class DiagnosisRunner:
    def __init__(
        self,
        config: DiagnosticsConfig,
        engine: EngineContext,
        buckets: TokenBuckets,
        clock: Callable[[], float],
    ) -> None:
        self._config = config
        self._engine = engine
        self._per_visitor = RateLimiter(buckets, "diag-visitor", 3, 1 / 60, clock)
        self._per_domain = RateLimiter(buckets, "diag-domain", 3, 1 / 60, clock)
        # a.evil.example, b.evil.example... (a wildcard pointing at someone's server) share
        # one budget; and all checks together stay a trickle of outgoing probes.
        self._per_site = RateLimiter(buckets, "diag-site", 6, 1 / 60, clock)
        self._everyone = RateLimiter(buckets, "diag-all", 30, 0.5, clock)

    async def run(
        self, domain: str, service: str, visitor_id: str, lang: str
    ) -> tuple[DiagnosisNote, dict[str, Any] | None]:
        """What to tell the customer, and the structured block for the transcript (None
        when nothing was checked: refused input, or too many checks)."""
        name = domain.lower().rstrip(".")
        if (
            await self._per_visitor.take(visitor_id)
            or await self._per_domain.take(name)
            or await self._per_site.take(registered_name(name))
            or await self._everyone.take("all")
        ):
            log.info("diagnosis of %s for %s skipped: rate limited", name, visitor_id)
            return DiagnosisNote(domain=domain), None
        try:
            diagnosis = await diagnose(name, service, self._config)
        except (InvalidDomain, ValueError) as exc:
            log.info("no diagnosis of %r: %s", domain, exc)
            return DiagnosisNote(domain=domain), None
        pattern = date_only(self._engine.phrases.date_format(lang))

        def format_date(day: date) -> str:
            return day.strftime(pattern)

        lines = tuple(summary(diagnosis, format_date=format_date))
        note = DiagnosisNote(
            domain=domain,
            lines=lines,
            explains=diagnosis.explains,
            summary=_one_line(diagnosis)[:900],
        )
        return note, diagnosis.to_dict()
