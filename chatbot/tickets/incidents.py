"""Known outages: which one a customer's report is about. Pure; the runner passes the
active incidents in, the engine decides what to say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["IncidentNotice", "Match", "affecting", "target_matches"]


@dataclass(frozen=True, slots=True)
class IncidentNotice:
    """An active incident as the engine sees it."""

    id: str
    service: str
    #: Servers or domains, lower case; empty: every customer of the service.
    targets: tuple[str, ...]
    #: The admin's words for customers, per language code.
    messages: Mapping[str, str]
    started_at: datetime

    def message(self, lang: str, fallback: str = "en") -> str:
        """In the customer's language, else the fallback, else any language given."""
        for code in (lang, fallback):
            if self.messages.get(code):
                return self.messages[code]
        return next((text for text in self.messages.values() if text), "")


@dataclass(frozen=True, slots=True)
class Match:
    incident: IncidentNotice
    #: The customer is known to be affected (a target matches, or the incident hits every
    #: customer of the service); otherwise they may be (their domain or server is unknown).
    certain: bool


def target_matches(target: str, value: str) -> bool:
    """``mail3`` matches ``mail3.aurora-hosting.example``; ``kafebar.no`` matches
    ``www.kafebar.no``; and the other way round."""
    target, value = target.lower().rstrip("."), value.lower().rstrip(".")
    if not target or not value:
        return False
    if target == value or value.endswith("." + target) or target.endswith("." + value):
        return True
    # A bare server name against a full host name.
    return ("." not in target and value.split(".")[0] == target) or (
        "." not in value and target.split(".")[0] == value
    )


def affecting(
    incidents: Sequence[IncidentNotice], service: str | None, known: Iterable[str]
) -> Match | None:
    """The incident on this service that hits the customer, given the domains and servers
    they named or own (``known``). A certain match wins over a possible one; among equals,
    the newest."""
    if not service:
        return None
    values = [v for v in known if v]
    best: Match | None = None
    for incident in sorted(incidents, key=lambda i: i.started_at, reverse=True):
        if incident.service != service:
            continue
        if not incident.targets or any(
            target_matches(t, v) for t in incident.targets for v in values
        ):
            certain = True
        elif values:
            continue  # we know their domains, and this outage is elsewhere
        else:
            certain = False
        if certain:
            return Match(incident, True)
        best = best or Match(incident, False)
    return best
