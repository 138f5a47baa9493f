"""Time expressions ("since yesterday afternoon", "eilen illalla", "tegnap délután óta")
normalised to a moment, using the word lists in ``data/entities/<lang>.yml``.

The caller passes ``now``: nothing here reads a clock. A day without a time of day gives
an ISO date (``2026-11-21``); with one, an ISO date-time (``2026-11-21T15:00``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from chatbot.text_normalise import phrase_at, words

__all__ = ["TimeLexicon", "TimeReader"]

_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})?(?![\d])|(\d{4})-(\d{2})-(\d{2})")

Phrase = tuple[str, ...]


def _phrase(text: str) -> Phrase:
    return tuple(words(text))


@dataclass(frozen=True, slots=True)
class TimeLexicon:
    days_ago: Mapping[Phrase, int]
    day_parts: Mapping[Phrase, tuple[int, int]]
    weekdays: Sequence[Sequence[Phrase]]
    units: Mapping[str, Sequence[Phrase]]
    fixed_hours_ago: Mapping[Phrase, float]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TimeLexicon:
        time = data.get("time") or {}

        def clock(value: Any) -> tuple[int, int]:
            hours, minutes = str(value).split(":")
            return int(hours), int(minutes)

        return cls(
            days_ago={_phrase(k): int(v) for k, v in (time.get("days_ago") or {}).items()},
            day_parts={_phrase(k): clock(v) for k, v in (time.get("day_parts") or {}).items()},
            weekdays=[[_phrase(w) for w in day] for day in (time.get("weekdays") or [])][:7],
            units={
                unit: [_phrase(w) for w in forms]
                for unit, forms in (time.get("units") or {}).items()
                if unit in _UNIT_HOURS
            },
            fixed_hours_ago={
                _phrase(k): float(v) for k, v in (time.get("fixed_hours_ago") or {}).items()
            },
        )


def _longest(tokens: Sequence[str], start: int, phrases: Any) -> Phrase | None:
    best: Phrase | None = None
    for phrase in phrases:
        if phrase_at(tokens, start, phrase) and (best is None or len(phrase) > len(best)):
            best = phrase
    return best


class TimeReader:
    """Reads time expressions in any language it has a lexicon for."""

    def __init__(self, lexicons: Mapping[str, TimeLexicon]) -> None:
        self.lexicons = dict(lexicons)

    @classmethod
    def load(cls, folder: Path) -> TimeReader:
        lexicons = {}
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            lexicons[str(data.get("lang", path.stem))] = TimeLexicon.from_data(data)
        return cls(lexicons)

    def read(self, text: str, lang: str, now: datetime) -> list[str]:
        """Every time expression in ``text``, as ISO strings, in order of appearance."""
        found: list[str] = []
        found.extend(self._absolute(text, now))
        lexicon = self.lexicons.get(lang) or self.lexicons.get("en")
        if lexicon is not None:
            found.extend(self._relative(words(text), lexicon, now))
        return list(dict.fromkeys(found))

    def _absolute(self, text: str, now: datetime) -> list[str]:
        found = []
        for match in _DATE.finditer(text):
            try:
                if match.group(4):
                    day = date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
                else:
                    year = int(match.group(3)) if match.group(3) else now.year
                    day = date(year, int(match.group(2)), int(match.group(1)))
            except ValueError:
                continue
            found.append(day.isoformat())
        for match in _CLOCK.finditer(text):
            moment = now.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0)
            if moment > now:
                moment -= timedelta(days=1)
            found.append(moment.strftime("%Y-%m-%dT%H:%M"))
        return found

    def _relative(self, tokens: Sequence[str], lexicon: TimeLexicon, now: datetime) -> list[str]:
        found: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.isdigit() and i + 1 < len(tokens):
                for unit, forms in lexicon.units.items():
                    unit_phrase = _longest(tokens, i + 1, forms)
                    if unit_phrase is not None:
                        back = timedelta(hours=int(token) * _UNIT_HOURS[unit])
                        found.append((now - back).strftime("%Y-%m-%dT%H:%M"))
                        i += 1 + len(unit_phrase)
                        break
                else:
                    i += 1
                continue
            fixed = _longest(tokens, i, lexicon.fixed_hours_ago)
            if fixed is not None:
                moment = now - timedelta(hours=lexicon.fixed_hours_ago[fixed])
                found.append(moment.strftime("%Y-%m-%dT%H:%M"))
                i += len(fixed)
                continue
            day: date | None = None
            length = 0
            relative = _longest(tokens, i, lexicon.days_ago)
            if relative is not None:
                day, length = now.date() - timedelta(days=lexicon.days_ago[relative]), len(relative)
            else:
                for number, forms in enumerate(lexicon.weekdays):
                    weekday = _longest(tokens, i, forms)
                    if weekday is not None:
                        day = now.date() - timedelta(days=(now.weekday() - number) % 7)
                        length = len(weekday)
                        break
            if day is None:
                part = _longest(tokens, i, lexicon.day_parts)
                if part is not None:
                    hours, minutes = lexicon.day_parts[part]
                    moment = now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
                    if moment > now:
                        moment -= timedelta(days=1)
                    found.append(moment.strftime("%Y-%m-%dT%H:%M"))
                    i += len(part)
                    continue
                i += 1
                continue
            start, i = i, i + length
            # "yesterday afternoon", "eilen illalla": a part of the day in or close after.
            for j in range(start, min(i + 3, len(tokens))):
                part = _longest(tokens, j, lexicon.day_parts)
                if part is not None:
                    hours, minutes = lexicon.day_parts[part]
                    found.append(f"{day.isoformat()}T{hours:02d}:{minutes:02d}")
                    i = max(i, j + len(part))
                    break
            else:
                found.append(day.isoformat())
        return found
