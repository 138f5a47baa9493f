"""Time expressions ("since yesterday afternoon", "eilen illalla noin klo 8", "tegnap
délután óta") resolved to one moment, using the word lists in ``data/entities/<lang>.yml``.

The caller passes ``now`` in the company's time zone: nothing here reads a clock, and
clock words mean that zone's clock ("this morning around 8" is 08:00 there). A message
is read as one start time, composed from what it says: a day (yesterday, Monday,
24.11., 28 November, the weekend), a part of the day (evening), a clock time (around 8,
half past eight, 14:30; see ``clock_words``), or a span back (two hours ago). The result
is never in the future: "around 8" said at 07:00 is yesterday's 20:00, "this morning"
said at 04:55 is today's small hours, "after lunch" said at 12:40 is the lunch that has
just begun. A day without a time of day gives an ISO date (``2026-11-21``); with one, an
ISO date-time (``2026-11-21T15:00``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from chatbot.intents.clock_words import ClockWords, Phrase, longest, to_phrase
from chatbot.text_normalise import fold, words

__all__ = ["TimeLexicon", "TimeReader"]

_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d:])")
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})?(?![\d])|(\d{4})-(\d{2})-(\d{2})")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_AM_PM = re.compile(r"(?<![\d:.])(1[0-2]|0?[1-9])\s*([ap])\.?m\b\.?")
#: A span back this long or longer names a day, not a clock time ("a week ago").
_DAY_SPAN_HOURS = 24.0
#: A part of the day due within this long has begun: "after lunch" (13:00) said at 12:40
#: is today's lunch, from 12:00, not yesterday's.
_PART_LEEWAY = timedelta(hours=1)
_SATURDAY = 5
#: A clock hour before dawn said with an evening or night is the small hours after it.
_EVENING, _DAWN = 18, 6


def _clock(value: Any) -> tuple[int, int]:
    hours, minutes = str(value).split(":")
    return int(hours), int(minutes)


@dataclass(frozen=True, slots=True)
class TimeLexicon:
    days_ago: Mapping[Phrase, int]
    day_parts: Mapping[Phrase, tuple[int, int]]
    weekdays: Sequence[Sequence[Phrase]]
    fixed_hours_ago: Mapping[Phrase, float]
    #: "last night", "sinoć": a day and a part of it in one expression.
    day_times: Mapping[Phrase, tuple[int, tuple[int, int]]] = field(default_factory=dict)
    #: "since the weekend", "od vikenda": from the last Saturday.
    weekend: Sequence[Phrase] = ()
    #: Clock hours, spans and dates in digits or words ("around eight", "28 November").
    clock: ClockWords = field(default_factory=ClockWords)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TimeLexicon:
        time_data = data.get("time") or {}
        return cls(
            days_ago={to_phrase(k): int(v) for k, v in (time_data.get("days_ago") or {}).items()},
            day_parts={
                to_phrase(k): _clock(v) for k, v in (time_data.get("day_parts") or {}).items()
            },
            weekdays=[[to_phrase(w) for w in d] for d in (time_data.get("weekdays") or [])][:7],
            fixed_hours_ago={
                to_phrase(k): float(v) for k, v in (time_data.get("fixed_hours_ago") or {}).items()
            },
            day_times={
                to_phrase(k): (int(v[0]), _clock(v[1]))
                for k, v in (time_data.get("day_times") or {}).items()
            },
            weekend=[to_phrase(w) for w in time_data.get("weekend") or []],
            clock=ClockWords.from_data(time_data),
        )

    def names_time_at(self, tokens: Sequence[str], i: int) -> bool:
        """Whether a time expression starts at ``tokens[i]`` ("eight *this morning*")."""
        lists: list[Iterable[Phrase]] = [
            self.day_parts,
            self.days_ago,
            self.day_times,
            self.fixed_hours_ago,
            self.weekend,
            self.clock.before,
            self.clock.after,
            self.clock.pm,
            *self.weekdays,
        ]
        return i < len(tokens) and any(longest(tokens, i, p) is not None for p in lists)


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
        _absolute(text, now, parts)
        if lexicon is not None:
            tokens = words(text)
            originals = [m.span() for m in _WORD.finditer(text)]
            used: list[int] = []
            i = 0
            while i < len(tokens):
                step = _at(tokens, i, lexicon, now, parts)
                used.extend(range(i, i + step))
                i += max(step, 1)
            if len(originals) == len(tokens):
                parts.spans.extend(originals[i] for i in _first_cluster(used))
        moment = _compose(parts, now)
        if moment is None or not parts.spans:
            return moment, ""
        start = min(a for a, _ in parts.spans)
        end = max(b for _, b in parts.spans)
        return moment, text[start:end]


def _absolute(text: str, now: datetime, parts: _Parts) -> None:
    """Dates and clock times written with digits and punctuation: 24.11., 14:30, 3pm."""
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


def _at(tokens: Sequence[str], i: int, lexicon: TimeLexicon, now: datetime, parts: _Parts) -> int:
    """Read the expression starting at ``tokens[i]`` into ``parts``; its length in tokens
    (0: none starts here)."""
    pm = longest(tokens, i, lexicon.clock.pm)
    if pm is not None:
        parts.pm = True
    day_time = longest(tokens, i, lexicon.day_times)
    fixed = longest(tokens, i, lexicon.fixed_hours_ago)
    relative = longest(tokens, i, lexicon.days_ago)
    part = longest(tokens, i, lexicon.day_parts)
    weekend = longest(tokens, i, lexicon.weekend)
    said = [p for p in (weekend, day_time, fixed, relative, part) if p is not None]
    phrase = max(said, key=lambda p: (len(p), len("".join(p))), default=None)
    reading = lexicon.clock.reading_at(
        tokens, i, now.date(), lambda j: lexicon.names_time_at(tokens, j)
    )
    # a number wins over a phrase only when it says more: "two hours ago" is one phrase
    if (
        reading is not None
        and (reading.clock is None or parts.clock is None)
        and (phrase is None or reading.length > len(phrase))
    ):
        parts.day = parts.day or reading.day
        parts.back = parts.back or reading.back
        if reading.clock is not None:
            parts.clock = (reading.clock.hour, reading.clock.minute)
            parts.twelve_hour = reading.clock.twelve_hour
            _inner_part(tokens, range(i + 1, i + reading.length), lexicon, parts)
        return reading.length
    if phrase is None:
        weekday = _weekday_at(tokens, i, lexicon, now, parts)
        return weekday or (len(pm) if pm is not None else 0)
    _phrase_into(phrase, tokens, i, lexicon, now, parts)
    return len(phrase)


def _weekday_at(
    tokens: Sequence[str], i: int, lexicon: TimeLexicon, now: datetime, parts: _Parts
) -> int:
    """A weekday named at ``tokens[i]``: its last one, not after today; its length."""
    for number, forms in enumerate(lexicon.weekdays):
        weekday = longest(tokens, i, forms)
        if weekday is not None:
            if parts.day is None:
                parts.day = now.date() - timedelta(days=(now.weekday() - number) % 7)
            return len(weekday)
    return 0


def _phrase_into(
    phrase: tuple[str, ...],
    tokens: Sequence[str],
    i: int,
    lexicon: TimeLexicon,
    now: datetime,
    parts: _Parts,
) -> None:
    """What the lexicon's phrase at ``tokens[i]`` says: a weekend, a day and its time, hours
    or days ago, or a part of the day."""
    weekend = longest(tokens, i, lexicon.weekend)
    day_time = longest(tokens, i, lexicon.day_times)
    fixed = longest(tokens, i, lexicon.fixed_hours_ago)
    relative = longest(tokens, i, lexicon.days_ago)
    part = longest(tokens, i, lexicon.day_parts)
    if phrase == weekend:
        parts.day = parts.day or now.date() - timedelta(days=(now.weekday() - _SATURDAY) % 7)
    elif phrase == day_time and day_time is not None:
        days, clock = lexicon.day_times[day_time]
        parts.day = parts.day or now.date() - timedelta(days=days)
        parts.part = parts.part or clock
    elif phrase == fixed and fixed is not None:
        parts.back = parts.back or timedelta(hours=lexicon.fixed_hours_ago[fixed])
    elif phrase == relative and relative is not None:
        parts.day = parts.day or now.date() - timedelta(days=lexicon.days_ago[relative])
        # "this morning", "i går kveld": the entry may also name the part of the day.
        _inner_part(tokens, range(i, i + len(relative)), lexicon, parts)
    elif part is not None:
        parts.part = parts.part or lexicon.day_parts[part]


def _inner_part(tokens: Sequence[str], indices: range, lexicon: TimeLexicon, parts: _Parts) -> None:
    """The part of the day named inside an expression read whole: "this *morning*",
    "в 8 *утра*"."""
    for j in indices:
        part = longest(tokens, j, lexicon.day_parts)
        if part is not None:
            parts.part = parts.part or lexicon.day_parts[part]
            return


def _first_cluster(indices: Sequence[int], gap: int = 3) -> list[int]:
    """The first run of token indices with at most ``gap`` tokens between them: "since
    around 10 this morning" and not the "lunch" that comes later in the sentence."""
    cluster: list[int] = []
    for index in sorted(indices):
        if cluster and index - cluster[-1] > gap:
            break
        cluster.append(index)
    return cluster


def _hour_of_day(parts: _Parts) -> tuple[int, int] | None:
    """The clock time, in the half of the day the part of the day or "pm" says:
    "yesterday evening around 10" is 22:00, "this morning around 8" 08:00, "в 2 ночи"
    02:00, whichever is nearer the part of the day."""
    if parts.clock is None:
        return parts.part
    hour, minute = parts.clock
    if hour >= 12:
        return parts.clock
    if parts.part is not None:
        part = parts.part[0] * 60 + parts.part[1]

        def distance(h: tuple[int, int]) -> int:
            apart = abs(h[0] * 60 + h[1] - part)
            return min(apart, 24 * 60 - apart)

        return min(((hour, minute), (hour + 12, minute)), key=distance)
    return (hour + 12, minute) if parts.pm else parts.clock


def _compose(parts: _Parts, now: datetime) -> str | None:
    """One moment from what the message said, never after ``now``."""
    naive_now = now.replace(tzinfo=None, second=0, microsecond=0)
    today = naive_now.date()
    if parts.back is not None and parts.day is None and parts.clock is None:
        moment = naive_now - parts.back
        if parts.back >= timedelta(hours=_DAY_SPAN_HOURS):
            return moment.date().isoformat()
        return moment.strftime("%Y-%m-%dT%H:%M")
    hour = _hour_of_day(parts)
    if parts.day is None and hour is None:
        return None
    if parts.day is None:
        assert hour is not None
        return _last_time_of_day(hour, parts, naive_now)
    if hour is None:
        return min(parts.day, today).isoformat()
    day = parts.day
    night = parts.part is not None and parts.part[0] >= _EVENING
    if parts.clock is not None and night and hour[0] < _DAWN and day < today:
        day += timedelta(days=1)  # "last night around 2": the small hours after it
    moment = datetime.combine(day, time(*hour))
    if moment > naive_now:
        begun = _begun(moment, naive_now) if parts.clock is None else None
        if begun is not None:
            moment = begun
        elif day >= today:
            # "since this morning" at 04:55: earlier tonight, not later today.
            moment = datetime.combine(today, time(0, 0))
        else:
            moment = naive_now
    return moment.strftime("%Y-%m-%dT%H:%M")


def _last_time_of_day(hour: tuple[int, int], parts: _Parts, naive_now: datetime) -> str:
    """A time said without a day: the last such moment, today or yesterday."""
    today = naive_now.date()
    if parts.clock is None:
        moment = datetime.combine(today, time(*hour))
        begun = _begun(moment, naive_now)
        return (begun or moment - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    candidates = [hour]
    if parts.twelve_hour and hour == parts.clock and parts.part is None and hour[0] < 12:
        candidates.append((hour[0] + 12, hour[1]))
    moments = []
    for h in candidates:
        moment = datetime.combine(today, time(*h))
        moments.append(moment if moment <= naive_now else moment - timedelta(days=1))
    # "around 8" said at 04:55: yesterday's 20:00, the last 8 o'clock before now.
    return max(moments).strftime("%Y-%m-%dT%H:%M")


def _begun(moment: datetime, now: datetime) -> datetime | None:
    """``moment`` if it has passed; the part of the day it starts if that is just
    beginning; ``None`` if it is still to come."""
    if moment <= now:
        return moment
    if moment - now <= _PART_LEEWAY:
        return moment - _PART_LEEWAY
    return None
