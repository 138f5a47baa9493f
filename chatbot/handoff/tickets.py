"""What a new ticket holds: its title, priority and the draft the engine hands over."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

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


class TitleMaker:
    """Descriptive titles from the ``titles`` of ``data/ticket_forms.yml``."""

    def __init__(self, templates: Mapping[str, Mapping[str, str]]) -> None:
        self.templates = templates

    @classmethod
    def load(cls, path: Path) -> TitleMaker:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        titles = data.get("titles") or {}
        return cls({str(k): {str(a): str(b) for a, b in v.items()} for k, v in titles.items()})

    def title(self, service: str, fields: Mapping[str, str]) -> str:
        variants = self.templates.get(service) or self.templates.get("general") or {}
        template = variants.get(fields.get("email_direction", ""), variants.get("default", ""))
        values = {k: _short_time(v) if k == "started" else v for k, v in fields.items() if v}

        def segment(match: re.Match[str]) -> str:
            names = _PLACEHOLDER.findall(match.group(1))
            return match.group(1) if all(n in values for n in names) else ""

        text = _SEGMENT.sub(segment, template)
        text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
        return " ".join(text.split())[:160] or service
