"""Since when: time expressions in six languages resolved at a fixed clock, in the
company's time zone, never in the future, including clocks before 06:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.intents.time_expressions import TimeReader
from chatbot.settings import CONTENT_DIR

OSLO = ZoneInfo("Europe/Oslo")
#: Wednesday 2 December 2026.
MORNING = datetime(2026, 12, 2, 10, 30, tzinfo=OSLO)
SMALL_HOURS = datetime(2026, 12, 2, 4, 55, tzinfo=OSLO)

READER = TimeReader.load(CONTENT_DIR / "entities")

# (language, what the customer writes, at 10:30, at 04:55)
TABLE = [
    ("en", "since this morning around 8", "2026-12-02T08:00", "2026-12-02T00:00"),
    ("en", "since yesterday evening", "2026-12-01T19:00", "2026-12-01T19:00"),
    ("en", "since this morning", "2026-12-02T09:00", "2026-12-02T00:00"),
    ("en", "after lunch yesterday", "2026-12-01T13:00", "2026-12-01T13:00"),
    ("en", "last night", "2026-12-01T23:00", "2026-12-01T23:00"),
    ("en", "two hours ago", "2026-12-02T08:30", "2026-12-02T02:55"),
    ("en", "since Monday", "2026-11-30", "2026-11-30"),
    ("en", "since you moved our site last week", "2026-11-25", "2026-11-25"),
    ("en", "around 8", "2026-12-02T08:00", "2026-12-01T20:00"),
    ("en", "yesterday at 3pm", "2026-12-01T15:00", "2026-12-01T15:00"),
    ("en", "since 14:30", "2026-12-01T14:30", "2026-12-01T14:30"),
    ("nb", "siden i går kveld", "2026-12-01T19:00", "2026-12-01T19:00"),
    ("nb", "fra kl 8 i morges", "2026-12-02T08:00", "2026-12-02T00:00"),
    ("nb", "i natt", "2026-12-01T23:00", "2026-12-01T23:00"),
    ("nb", "for to timer siden", "2026-12-02T08:30", "2026-12-02T02:55"),
    ("nb", "siden mandag", "2026-11-30", "2026-11-30"),
    ("hr", "od jučer navečer oko 9", "2026-12-01T21:00", "2026-12-01T21:00"),
    ("hr", "od jutros", "2026-12-02T09:00", "2026-12-02T00:00"),
    ("hr", "sinoć", "2026-12-01T20:00", "2026-12-01T20:00"),
    ("hr", "prije dva sata", "2026-12-02T08:30", "2026-12-02T02:55"),
    ("hr", "od ponedjeljka", "2026-11-30", "2026-11-30"),
    ("fi", "eilen illalla noin klo 8", "2026-12-01T20:00", "2026-12-01T20:00"),
    ("fi", "tänä aamuna", "2026-12-02T09:00", "2026-12-02T00:00"),
    ("fi", "eilen lounaan jälkeen", "2026-12-01T13:00", "2026-12-01T13:00"),
    ("fi", "pari tuntia sitten", "2026-12-02T08:30", "2026-12-02T02:55"),
    ("fi", "maanantaista asti", "2026-11-30", "2026-11-30"),
    ("ru", "со вчерашнего вечера", "2026-12-01T19:00", "2026-12-01T19:00"),
    ("ru", "вчера около 8 вечера", "2026-12-01T20:00", "2026-12-01T20:00"),
    ("ru", "с утра", "2026-12-02T09:00", "2026-12-02T00:00"),
    ("ru", "час назад", "2026-12-02T09:30", "2026-12-02T03:55"),
    ("ru", "с понедельника", "2026-11-30", "2026-11-30"),
    ("hu", "tegnap délután óta", "2026-12-01T15:00", "2026-12-01T15:00"),
    ("hu", "ma reggel 8-kor", "2026-12-02T08:00", "2026-12-02T00:00"),
    ("hu", "tegnap este", "2026-12-01T19:00", "2026-12-01T19:00"),
    ("hu", "két órája", "2026-12-02T08:30", "2026-12-02T02:55"),
    ("hu", "hétfő óta", "2026-11-30", "2026-11-30"),
]


@pytest.mark.parametrize(("lang", "text", "at_morning", "at_small_hours"), TABLE)
def test_a_start_time_is_resolved_on_the_companys_clock(
    lang: str, text: str, at_morning: str, at_small_hours: str
) -> None:
    assert READER.read(text, lang, MORNING) == [at_morning]
    assert READER.read(text, lang, SMALL_HOURS) == [at_small_hours]


@pytest.mark.parametrize(("lang", "text", "_a", "_b"), TABLE)
def test_no_time_is_ever_in_the_future(lang: str, text: str, _a: str, _b: str) -> None:
    for now in (MORNING, SMALL_HOURS):
        [moment] = READER.read(text, lang, now)
        assert moment <= now.strftime("%Y-%m-%dT%H:%M"), (text, now)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("hr", "nema greške"),
        ("en", "no error, it just hangs"),
        ("fi", "en tiedä"),
        ("ru", "ошибка 550"),
        ("en", "Outlook on Windows 10"),
        ("hu", "nem tudom"),
    ],
)
def test_words_that_name_no_time_give_none(lang: str, text: str) -> None:
    assert READER.read(text, lang, MORNING) == []


def test_the_customers_own_words_for_the_time_are_kept() -> None:
    moment, said = READER.read_said(
        "Since monday morning, maybe sunday night. The last mail came friday", "en", MORNING
    )
    assert moment == "2026-11-30T09:00"
    assert said.lower().startswith("monday morning")
