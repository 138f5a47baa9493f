"""Time expressions ("since yesterday afternoon", "eilen illalla noin klo 8", "tegnap
délután óta") resolved to one moment, using the word lists in ``data/entities/<lang>.yml``.

The caller passes ``now`` in the company's time zone: nothing here reads a clock, and
clock words mean that zone's clock ("this morning around 8" is 08:00 there). A message
is read as one start time, composed from what it says: a day (yesterday, Monday,
24.11.), a part of the day (evening), a clock time (around 8, 14:30), or a span back
(two hours ago). The result is never in the future: "around 8" said at 07:00 is
yesterday's 20:00, "this morning" said at 04:55 is today's small hours. A day without a
time of day gives an ISO date (``2026-11-21``); with one, an ISO date-time
(``2026-11-21T15:00``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from chatbot.text_normalise import fold, phrase_at, words

__all__ = ["TimeLexicon", "TimeReader"]

_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d:])")
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})?(?![\d])|(\d{4})-(\d{2})-(\d{2})")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_AM_PM = re.compile(r"(?<![\d:.])(1[0-2]|0?[1-9])\s*([ap])\.?m\b\.?")
#: A span back this long or longer names a day, not a clock time ("a week ago").
_DAY_SPAN_HOURS = 24.0

Phrase = tuple[str, ...]


def _phrase(text: str) -> Phrase:
    return tuple(words(text))


def _clock(value: Any) -> tuple[int, int]:
    hours, minutes = str(value).split(":")
    return int(hours), int(minutes)


@dataclass(frozen=True, slots=True)
class TimeLexicon:
    days_ago: Mapping[Phrase, int]
    day_parts: Mapping[Phrase, tuple[int, int]]
    weekdays: Sequence[Sequence[Phrase]]
    units: Mapping[str, Sequence[Phrase]]
    fixed_hours_ago: Mapping[Phrase, float]
    #: "last night", "sinoć": a day and a part of it in one expression.
    day_times: Mapping[Phrase, tuple[int, tuple[int, int]]] = field(default_factory=dict)
    #: Words that make a bare number a clock hour: before ("around 8", "klo 8") or after
    #: ("8 o'clock", "8-kor"); ``pm`` words move it into the afternoon ("8 вечера").
    clock_before: Sequence[Phrase] = ()
    clock_after: Sequence[Phrase] = ()
    clock_pm: Sequence[Phrase] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TimeLexicon:
        time_data = data.get("time") or {}
        clock_words = time_data.get("clock") or {}
        return cls(
            days_ago={_phrase(k): int(v) for k, v in (time_data.get("days_ago") or {}).items()},
            day_parts={
                _phrase(k): _clock(v) for k, v in (time_data.get("day_parts") or {}).items()
            },
            weekdays=[[_phrase(w) for w in day] for day in (time_data.get("weekdays") or [])][:7],
            units={
                unit: [_phrase(w) for w in forms]
                for unit, forms in (time_data.get("units") or {}).items()
                if unit in _UNIT_HOURS
            },
            fixed_hours_ago={
                _phrase(k): float(v) for k, v in (time_data.get("fixed_hours_ago") or {}).items()
            },
            day_times={
                _phrase(k): (int(v[0]), _clock(v[1]))
                for k, v in (time_data.get("day_times") or {}).items()
            },
            clock_before=[_phrase(w) for w in clock_words.get("before") or []],
            clock_after=[_phrase(w) for w in clock_words.get("after") or []],
            clock_pm=[_phrase(w) for w in clock_words.get("pm") or []],
        )


def _longest(tokens: Sequence[str], start: int, phrases: Any) -> Phrase | None:
    best: Phrase | None = None
    for phrase in phrases:
        if (
            phrase
            and phrase_at(tokens, start, phrase)
            and (best is None or len(phrase) > len(best))
        ):
            best = phrase
    return best


@dataclass(slots=True)
class _Parts:
    """What one message says about a moment, first of each kind."""

    day: date | None = None
    part: tuple[int, int] | None = None
    clock: tuple[int, int] | None = None
    pm: bool = False
    back: timedelta | None = None
    #: The clock hour was a bare number ("around 8"): 08:00 or 20:00, whichever was last.
    twelve_hour: bool = False
    #: The day came from "today"/"this morning", so a later clock means earlier today.
    today_words: bool = False
    #: Where in the text the expression was said: character spans.
    spans: list[tuple[int, int]] = field(default_factory=list)


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
        """The moment ``text`` names as an ISO string (a list of one), or ``[]``."""
        moment, _ = self.read_said(text, lang, now)
        return [moment] if moment else []

    def read_said(self, text: str, lang: str, now: datetime) -> tuple[str | None, str]:
        """The moment and the customer's own words for it ("since Monday morning")."""
        lexicon = self.lexicons.get(lang) or self.lexicons.get("en")
        parts = _Parts()
        self._absolute(text, now, parts)
        if lexicon is not None:
            tokens = words(text)
            originals = [m.span() for m in _WORD.finditer(text)]
            used = self._relative(tokens, lexicon, now, parts)
            if len(originals) == len(tokens):
                parts.spans.extend(originals[i] for i in _first_cluster(used))
        moment = _compose(parts, now)
        if moment is None or not parts.spans:
            return moment, ""
        start = min(a for a, _ in parts.spans)
        end = max(b for _, b in parts.spans)
        return moment, text[start:end]

    @staticmethod
    def _absolute(text: str, now: datetime, parts: _Parts) -> None:
        for match in _DATE.finditer(text):
            try:
                if match.group(4):
                    day = date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
                else:
                    year = int(match.group(3)) if match.group(3) else now.year
                    day = date(year, int(match.group(2)), int(match.group(1)))
                    if not match.group(3) and day > now.date():
                        day = day.replace(year=year - 1)  # "24.12." said in January
            except ValueError:
                continue
            parts.day = parts.day or day
            parts.spans.append(match.span())
        without_dates = _DATE.sub(lambda m: " " * len(m.group(0)), text)
        for match in _CLOCK.finditer(without_dates):
            parts.clock = parts.clock or (int(match.group(1)), int(match.group(2)))
            parts.spans.append(match.span())
        folded = fold(without_dates)
        for match in _AM_PM.finditer(folded):
            hour = int(match.group(1)) % 12 + (12 if match.group(2) == "p" else 0)
            parts.clock = parts.clock or (hour, 0)
            if len(folded) == len(text):
                parts.spans.append(match.span())

    def _relative(
        self, tokens: Sequence[str], lexicon: TimeLexicon, now: datetime, parts: _Parts
    ) -> list[int]:
        """Read every expression in ``tokens``; the indices of the tokens that said one."""
        used: list[int] = []
        i = 0
        while i < len(tokens):
            step = self._at(tokens, i, lexicon, now, parts)
            if step > 0:
                used.extend(range(i, i + step))
            i += max(step, 1)
        return used

    @staticmethod
    def _at(
        tokens: Sequence[str], i: int, lexicon: TimeLexicon, now: datetime, parts: _Parts
    ) -> int:
        """Read the expression starting at ``tokens[i]`` into ``parts``; its length in
        tokens (0: none starts here)."""
        token = tokens[i]
        if token.isdigit():
            for unit, forms in lexicon.units.items():
                unit_phrase = _longest(tokens, i + 1, forms)
                if unit_phrase is not None:
                    parts.back = parts.back or timedelta(hours=int(token) * _UNIT_HOURS[unit])
                    return 1 + len(unit_phrase)
            hour = int(token)
            if len(token) <= 2 and hour <= 24:
                before = any(
                    len(p) <= i and phrase_at(tokens, i - len(p), p) for p in lexicon.clock_before
                )
                after = _longest(tokens, i + 1, lexicon.clock_after)
                if (before or after is not None) and parts.clock is None:
                    parts.clock = (hour % 24, 0)
                    parts.twelve_hour = hour <= 12
                    return 1 + (len(after) if after else 0)
            return 0
        pm = _longest(tokens, i, lexicon.clock_pm)
        if pm is not None:
            parts.pm = True
        day_time = _longest(tokens, i, lexicon.day_times)
        fixed = _longest(tokens, i, lexicon.fixed_hours_ago)
        relative = _longest(tokens, i, lexicon.days_ago)
        part = _longest(tokens, i, lexicon.day_parts)
        longest = max(
            (p for p in (day_time, fixed, relative, part) if p is not None), key=len, default=None
        )
        if longest is None:
            for number, forms in enumerate(lexicon.weekdays):
                weekday = _longest(tokens, i, forms)
                if weekday is not None:
                    if parts.day is None:
                        parts.day = now.date() - timedelta(days=(now.weekday() - number) % 7)
                    return len(weekday)
            return len(pm) if pm is not None else 0
        if longest == day_time and day_time is not None:
            days, clock = lexicon.day_times[day_time]
            parts.day = parts.day or now.date() - timedelta(days=days)
            parts.part = parts.part or clock
        elif longest == fixed and fixed is not None:
            parts.back = parts.back or timedelta(hours=lexicon.fixed_hours_ago[fixed])
        elif longest == relative and relative is not None:
            days = lexicon.days_ago[relative]
            if parts.day is None:
                parts.day = now.date() - timedelta(days=days)
                parts.today_words = days == 0
            # "this morning", "i går kveld": the entry may also name the part of the day.
            inner = next(
                (
                    lexicon.day_parts[p]
                    for j in range(i, i + len(relative))
                    if (p := _longest(tokens, j, lexicon.day_parts)) is not None
                ),
                None,
            )
            parts.part = parts.part or inner
        elif part is not None:
            parts.part = parts.part or lexicon.day_parts[part]
        return len(longest)


def _first_cluster(indices: Sequence[int], gap: int = 3) -> list[int]:
    """The first run of token indices with at most ``gap`` tokens between them: "since
    around 10 this morning" and not the "lunch" that comes later in the sentence."""
    cluster: list[int] = []
    for index in sorted(indices):
        if cluster and index - cluster[-1] > gap:
            break
        cluster.append(index)
    return cluster


def _compose(parts: _Parts, now: datetime) -> str | None:
    """One moment from what the message said, never after ``now``."""
    naive_now = now.replace(tzinfo=None, second=0, microsecond=0)
    if parts.back is not None and parts.day is None and parts.clock is None:
        moment = naive_now - parts.back
        if parts.back >= timedelta(hours=_DAY_SPAN_HOURS):
            return moment.date().isoformat()
        return moment.strftime("%Y-%m-%dT%H:%M")
    hour: tuple[int, int] | None = parts.clock or parts.part
    # "yesterday evening around 7", "8 вечера": the part of the day sets am or pm.
    later = parts.pm or (parts.part is not None and parts.part[0] >= 15)
    if parts.clock is not None and parts.clock[0] < 12 and later:
        hour = (parts.clock[0] + 12, parts.clock[1])
    if parts.day is None and hour is None:
        return None
    if parts.day is None:
        assert hour is not None
        candidates = [hour]
        if parts.twelve_hour and hour == parts.clock and parts.part is None and hour[0] < 12:
            candidates.append((hour[0] + 12, hour[1]))
        moments = []
        for h in candidates:
            moment = datetime.combine(naive_now.date(), time(*h))
            moments.append(moment if moment <= naive_now else moment - timedelta(days=1))
        # "around 8" said at 04:55: yesterday's 20:00, the last 8 o'clock before now.
        return max(moments).strftime("%Y-%m-%dT%H:%M")
    if hour is None:
        return min(parts.day, naive_now.date()).isoformat()
    moment = datetime.combine(parts.day, time(*hour))
    if moment > naive_now:
        if parts.day >= naive_now.date():
            # "since this morning" at 04:55: earlier tonight, not later today.
            moment = datetime.combine(naive_now.date(), time(0, 0))
        else:
            moment = naive_now
    return moment.strftime("%Y-%m-%dT%H:%M")
