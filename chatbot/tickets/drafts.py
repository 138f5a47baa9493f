"""What a new ticket holds: its title, priority and the draft the engine hands over."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

__all__ = ["TicketDraft", "TicketSummary", "TitleMaker"]

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A ticket as the engine describes it; the store gives it a number."""

    service: str
    title: str
    language: str
    priority: str
    fields: Mapping[str, str]
    missing: tuple[str, ...] = ()
    expected_response: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """What the engine may know about one of the customer's own tickets."""

    number: str
    status: str
    title: str
    service: str
    extra: Mapping[str, str] = field(default_factory=dict)


def _short_time(value: str) -> str:
    """``2026-11-21T15:00`` -> ``21 Nov 15:00``; ``2026-11-21`` -> ``21 Nov``."""
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return moment.strftime("%d %b %H:%M").lstrip("0")
        return date.fromisoformat(value).strftime("%d %b").lstrip("0")
    except ValueError:
        return value


Templates = Mapping[str, Mapping[str, str]]


def _templates(raw: Any) -> dict[str, dict[str, str]]:
    return {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in (raw or {}).items()}


class TitleMaker:
    """Descriptive titles from the ``titles`` of ``data/ticket_forms.yml`` (for the team)
    and ``customer_titles`` (the same ticket as the customer reads it, in their language)."""

    def __init__(
        self, templates: Templates, customer: Mapping[str, Templates] | None = None
    ) -> None:
        self.templates = templates
        self.customer = dict(customer or {})

    @classmethod
    def load(cls, path: Path) -> TitleMaker:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        customer = {
            str(lang): _templates(raw) for lang, raw in (data.get("customer_titles") or {}).items()
        }
        return cls(_templates(data.get("titles")), customer)

    def customer_title(self, service: str, fields: Mapping[str, str], lang: str) -> str:
        """The ticket's title in the customer's language (English: the team's title)."""
        templates = self.customer.get(lang)
        if templates is None:
            return self.title(service, fields)
        usable = {
            k: v for k, v in fields.items() if isinstance(v, str) and not v.startswith("unclear:")
        }
        if "description" in usable and "summary" not in usable:
            words = usable["description"].split()
            usable["summary"] = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return self._fill(templates, service, usable)

    def title(self, service: str, fields: Mapping[str, str]) -> str:
        return self._fill(self.templates, service, fields)

    def _fill(self, templates: Templates, service: str, fields: Mapping[str, str]) -> str:
        variants = templates.get(service) or templates.get("general") or {}
        template = variants.get(fields.get("email_direction", ""), variants.get("default", ""))
        values = {k: _short_time(v) if k == "started" else v for k, v in fields.items() if v}

        def segment(match: re.Match[str]) -> str:
            names = _PLACEHOLDER.findall(match.group(1))
            return match.group(1) if all(n in values for n in names) else ""

        text = _SEGMENT.sub(segment, template)
        text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
        return " ".join(text.split())[:160] or service
