"""Clock hours, counts and calendar dates as customers write them, with digits or words:
"around eight", "half past 8", "puoli yhdeksältä", "без четверти восемь", "fél kilenc
óta", "twenty minutes", "since 28 November", "od 28. studenoga".

The words come from the ``time`` section of ``data/entities/<lang>.yml``: ``numbers``,
``ordinals``, ``months``, ``day_suffixes``, ``date_fillers``, ``units``, ``ago`` and
``clock``. Number words
are matched as whole words, because "six" starts "sixty" and "ten" starts "tenant".
A number word is only an hour where the message says so: a word before it ("around"),
after it ("o'clock", "óta"), an ending that makes it one ("kymmeneltä", "nyolctól"), or a
fraction ("half past"). Most of those words also count things ("from two accounts",
"kahdelta käyttäjältä"), so without a word after, the hour must end the message or be
followed by more time words or one of the ``clock.then`` words ("с восьми не работает").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chatbot.text_normalise import phrase_at, words

__all__ = ["Clock", "ClockWords", "Phrase", "Reading", "longest", "to_phrase"]

Phrase = tuple[str, ...]

#: Month names of five letters or more match as word starts ("marraskuu" also matches
#: "marraskuuta"); shorter ones ("nov", "мая") only as whole words.
_MONTH_STEM = 5
_WHOLE = 1000
_TENS = (20, 30, 40, 50)
_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}
_DAY_WITH_SUFFIX = re.compile(r"(\d{1,2})(\D+)")


def to_phrase(text: str) -> Phrase:
    return tuple(words(text))


def longest(
    tokens: Sequence[str], start: int, phrases: Iterable[Phrase], whole_below: int = 3
) -> Phrase | None:
    """The longest of ``phrases`` said at ``tokens[start]``: most words, then most letters
    ("last weekend" rather than "last week")."""
    if start >= len(tokens):
        return None
    first = tokens[start]
    best: Phrase | None = None
    for phrase in phrases:
        if not phrase:
            continue
        # The first word decides for nearly every phrase: checked inline, as phrase_at
        # would, before the whole phrase is (this runs for every word of every message).
        head = phrase[0]
        if first != head and (len(head) < whole_below or not first.startswith(head)):
            continue
        if phrase_at(tokens, start, phrase, whole_below) and (
            best is None or _size(phrase) > _size(best)
        ):
            best = phrase
    return best


def _size(phrase: Phrase) -> tuple[int, int]:
    return len(phrase), len("".join(phrase))


def _forms(table: Any) -> dict[str, int]:
    """``{8: ["eight"], ...}`` as ``{"eight": 8}``: folded, one-word forms only."""
    found: dict[str, int] = {}
    for value, forms in (table or {}).items():
        for form in forms:
            tokens = words(str(form))
            if len(tokens) == 1:
                found[tokens[0]] = int(value)
    return found


def _phrases(items: Any) -> list[Phrase]:
    return [to_phrase(str(item)) for item in items or []]


def _minutes(table: Any) -> dict[Phrase, int]:
    return {to_phrase(str(k)): int(v) for k, v in (table or {}).items()}


@dataclass(frozen=True, slots=True)
class Clock:
    """A clock time read from ``length`` tokens; ``twelve_hour``: it may mean am or pm."""

    hour: int
    minute: int
    length: int
    twelve_hour: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """What a number or a month name and the words around it say, in ``length`` tokens:
    a date, a span back from now or a clock time."""

    length: int
    day: date | None = None
    back: timedelta | None = None
    clock: Clock | None = None


@dataclass(frozen=True, slots=True)
class ClockWords:
    numbers: Mapping[str, int] = field(default_factory=dict)
    #: Ordinal hours: "половина девятого" is half of the ninth hour, 8:30.
    ordinals: Mapping[str, int] = field(default_factory=dict)
    before: Sequence[Phrase] = ()
    after: Sequence[Phrase] = ()
    pm: Sequence[Phrase] = ()
    then: frozenset[str] = frozenset()
    #: Endings that make a number word an hour on its own: "kymmeneltä", "nyolctól".
    endings: tuple[str, ...] = ()
    #: Minutes from the hour named next: "half past" 30, "quarter to" -15, "halv" -30.
    fractions_before: Mapping[Phrase, int] = field(default_factory=dict)
    #: Minutes after the hour named before: "eight thirty", "devet i pol".
    fractions_after: Mapping[Phrase, int] = field(default_factory=dict)
    months: Sequence[Sequence[Phrase]] = ()
    day_suffixes: frozenset[str] = frozenset()
    date_fillers: frozenset[str] = frozenset()
    #: Hours in a unit -> its words: a number before one is a span ("20 minutes").
    units: Mapping[float, Sequence[Phrase]] = field(default_factory=dict)
    #: "ago", "назад": after "2 hours" they make it a span, never 2 o'clock.
    ago: Sequence[Phrase] = ()

    @classmethod
    def from_data(cls, time_data: Mapping[str, Any]) -> ClockWords:
        clock = time_data.get("clock") or {}
        return cls(
            numbers=_forms(time_data.get("numbers")),
            ordinals=_forms(time_data.get("ordinals")),
            before=_phrases(clock.get("before")),
            after=_phrases(clock.get("after")),
            pm=_phrases(clock.get("pm")),
            then=frozenset(w for item in clock.get("then") or [] for w in words(str(item))),
            endings=tuple(w for item in clock.get("endings") or [] for w in words(str(item))),
            fractions_before=_minutes(clock.get("fractions_before")),
            fractions_after=_minutes(clock.get("fractions_after")),
            months=[_phrases(forms) for forms in time_data.get("months") or []][:12],
            day_suffixes=frozenset(words(" ".join(time_data.get("day_suffixes") or []))),
            date_fillers=frozenset(words(" ".join(time_data.get("date_fillers") or []))),
            units={
                _UNIT_HOURS[unit]: _phrases(forms)
                for unit, forms in (time_data.get("units") or {}).items()
                if unit in _UNIT_HOURS
            },
            ago=_phrases(time_data.get("ago")),
        )

    def reading_at(
        self, tokens: Sequence[str], i: int, today: date, names_time: Callable[[int], bool]
    ) -> Reading | None:
        """A date, span or clock time that starts at ``tokens[i]``; ``names_time(j)``:
        whether ``tokens[j]`` starts another time expression ("around eight *yesterday*")."""
        dated = self.date_at(tokens, i, today)
        if dated is not None:
            return Reading(dated[1], day=dated[0])
        span = self._span_at(tokens, i)
        if span is not None:
            return span
        clock = self.clock_at(tokens, i, names_time)
        return Reading(clock.length, clock=clock) if clock is not None else None

    def _span_at(self, tokens: Sequence[str], i: int) -> Reading | None:
        """A span back from now: "20 minutes", "twenty minutes", "dva i pol sata"."""
        number = self.number_at(tokens, i)
        if number is None:
            return None
        count, j = float(number[0]), i + number[1]
        halves = [p for p, minutes in self.fractions_after.items() if minutes == 30]
        half = longest(tokens, j, halves, _WHOLE)
        if half is not None:
            count, j = count + 0.5, j + len(half)
        found = [(h, p) for h, forms in self.units.items() if (p := longest(tokens, j, forms))]
        if not found:
            return None
        hours, said = max(found, key=lambda unit: len("".join(unit[1])))
        after = longest(tokens, j, self.after)
        if after is not None:
            # "8 órától" is from 8 o'clock, "с двух часов" from two o'clock; "2 часа назад"
            # and "két órája" are spans.
            said_chars, after_chars = len("".join(said)), len("".join(after))
            if after_chars > said_chars or (
                after_chars == said_chars
                and self.before_at(tokens, i)
                and longest(tokens, j + len(said), self.ago) is None
            ):
                return None
        return Reading(j - i + len(said), back=timedelta(hours=count * hours))

    def number_at(self, tokens: Sequence[str], i: int) -> tuple[int, int] | None:
        """A count said at ``tokens[i]`` ("20", "twenty", "twenty five"): value, tokens."""
        token = tokens[i]
        if token.isdigit():
            return int(token), 1
        value = self.numbers.get(token)
        if value is None:
            return None
        unit = self.numbers.get(tokens[i + 1]) if i + 1 < len(tokens) else None
        if value in _TENS and unit is not None and 1 <= unit <= 9:
            return value + unit, 2
        return value, 1

    def before_at(self, tokens: Sequence[str], i: int) -> bool:
        """Whether a clock word ("around", "klo", "с") comes right before ``tokens[i]``."""
        return any(len(p) <= i and phrase_at(tokens, i - len(p), p) for p in self.before)

    def clock_at(
        self, tokens: Sequence[str], i: int, names_time: Callable[[int], bool]
    ) -> Clock | None:
        """The clock time said at ``tokens[i]``."""
        fraction = self._fraction_at(tokens, i)
        if fraction is not None:
            return fraction
        hour = self._hour_at(tokens, i, self.numbers)
        if hour is None or hour[0] > 24:
            return None
        value, marked, length = hour
        minute = 0
        past = longest(tokens, i + length, self.fractions_after, _WHOLE)
        if past is not None:
            minute = self.fractions_after[past] % 60
            length += len(past)
        after = longest(tokens, i + length, self.after)
        before = self.before_at(tokens, i)
        if tokens[i].isdigit():
            said = before or after is not None
        else:
            end = i + length
            follows = end >= len(tokens) or tokens[end] in self.then or names_time(end)
            said = after is not None or ((before or marked) and follows)
        if not said:
            return None
        length += len(after) if after else 0
        return Clock(value % 24, minute, length, value <= 12)

    def _hour_at(
        self, tokens: Sequence[str], i: int, table: Mapping[str, int]
    ) -> tuple[int, bool, int] | None:
        """An hour at ``tokens[i]``: value, whether its ending makes it a clock, tokens."""
        token = tokens[i]
        if token.isdigit():
            return (int(token), False, 1) if len(token) <= 2 else None
        number = self.number_at(tokens, i)
        if number is not None and token in table:
            return number[0], token.endswith(self.endings), number[1]
        if token in table:
            return table[token], False, 1
        for ending in self.endings:
            stem = token[: -len(ending)]
            if token.endswith(ending) and stem in table:
                return table[stem], True, 1
        return None

    def _fraction_at(self, tokens: Sequence[str], i: int) -> Clock | None:
        """An hour and a fraction of one: "half past eight", "quarter to 8", "pola devet",
        "полдевятого", "fél kilenctől"."""
        hours = {**self.numbers, **self.ordinals}
        hour: tuple[int, bool, int] | None = None
        fraction = longest(tokens, i, self.fractions_before, _WHOLE)
        if fraction is not None and i + len(fraction) < len(tokens):
            hour = self._hour_at(tokens, i + len(fraction), hours)
        if fraction is None or hour is None:
            # written as one word: "полдевятого", "negyedkilenc"
            for fraction in self.fractions_before:
                rest = tokens[i][len(fraction[0]) :]
                if len(fraction) == 1 and tokens[i].startswith(fraction[0]) and rest in hours:
                    hour = (hours[rest], False, 0)
                    break
            else:
                return None
        value, _, length = hour
        if not 1 <= value <= 24:
            return None
        length += len(fraction)
        after = longest(tokens, i + length, self.after)
        length += len(after) if after else 0
        minutes = (value * 60 + self.fractions_before[fraction]) % (24 * 60)
        return Clock(minutes // 60, minutes % 60, length, value <= 12)

    def date_at(self, tokens: Sequence[str], i: int, today: date) -> tuple[date, int] | None:
        """A date with a month name at ``tokens[i]`` ("28 November", "November 28th",
        "2026. november 28."): the day and its length in tokens. Without a year, a date
        after ``today`` is last year's."""
        if not self.months:
            return None
        year = _year(tokens[i])
        start = i + (year is not None)
        month = self._month_at(tokens, start)
        if month is not None:
            j = self._skip_fillers(tokens, start + month[1])
            day = self._day_at(tokens, j)
            if day is None:
                return None
            end = j + day[1]
        elif year is None and (day := self._day_at(tokens, i)) is not None:
            j = self._skip_fillers(tokens, i + day[1])
            month = self._month_at(tokens, j)
            if month is None:
                return None
            end = j + month[1]
        else:
            return None
        if year is None and end < len(tokens) and (year := _year(tokens[end])) is not None:
            end += 1
        try:
            found = date(year or today.year, month[0], day[0])
        except ValueError:
            return None
        if year is None and found > today:
            found = found.replace(year=today.year - 1)  # "24 December" said in January
        return found, end - i

    def _month_at(self, tokens: Sequence[str], i: int) -> tuple[int, int] | None:
        for number, forms in enumerate(self.months, start=1):
            month = longest(tokens, i, forms, _MONTH_STEM)
            if month is not None:
                return number, len(month)
        return None

    def _day_at(self, tokens: Sequence[str], i: int) -> tuple[int, int] | None:
        if i >= len(tokens):
            return None
        token = tokens[i]
        day = self.ordinals.get(token)
        attached = _DAY_WITH_SUFFIX.fullmatch(token)
        if token.isdigit() and len(token) <= 2:
            day = int(token)
        elif attached is not None and attached.group(2) in self.day_suffixes:
            day = int(attached.group(1))
        if day is None or not 1 <= day <= 31:
            return None
        suffix = i + 1 < len(tokens) and tokens[i + 1] in self.day_suffixes
        return day, 1 + suffix

    def _skip_fillers(self, tokens: Sequence[str], i: int) -> int:
        while i < len(tokens) and tokens[i] in self.date_fillers:
            i += 1
        return i


def _year(token: str) -> int | None:
    return int(token) if token.isdigit() and len(token) == 4 and 1900 < int(token) < 2100 else None
