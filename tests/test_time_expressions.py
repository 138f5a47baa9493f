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
LUNCHTIME = datetime(2026, 12, 2, 12, 40, tzinfo=OSLO)
AFTERNOON = datetime(2026, 12, 2, 14, 15, tzinfo=OSLO)
LATE_EVENING = datetime(2026, 12, 2, 22, 40, tzinfo=OSLO)

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


# What the customer writes, read at 04:55 and at 22:40 on Wednesday 2 December 2026.
# The last Saturday was 28 November; a date still to come this year means last year's.
SAID_IN_ENGLISH = [
    ("around eight", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("since about eleven", "2026-12-01T23:00", "2026-12-02T11:00"),
    ("yesterday evening around 10", "2026-12-01T22:00", "2026-12-01T22:00"),
    ("this morning around 8", "2026-12-02T00:00", "2026-12-02T08:00"),
    ("half past eight", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("since quarter to eight this morning", "2026-12-02T00:00", "2026-12-02T07:45"),
    ("last night around 2", "2026-12-02T02:00", "2026-12-02T02:00"),
    ("since 10", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("since 28 November", "2026-11-28", "2026-11-28"),
    ("since November 28th", "2026-11-28", "2026-11-28"),
    ("since 24 December", "2025-12-24", "2025-12-24"),
    ("twenty minutes ago", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("forty five minutes ago", "2026-12-02T04:10", "2026-12-02T21:55"),
    ("a quarter of an hour ago", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("since the weekend", "2026-11-28", "2026-11-28"),
    ("over the weekend", "2026-11-28", "2026-11-28"),
    ("since midnight", "2026-12-02T00:00", "2026-12-02T00:00"),
    ("around midnight", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID_IN_NORWEGIAN = [
    ("rundt åtte", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("siden ti", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("halv ni", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("kvart på åtte i morges", "2026-12-02T00:00", "2026-12-02T07:45"),
    ("kvart over ti i går kveld", "2026-12-01T22:15", "2026-12-01T22:15"),
    ("i går kveld rundt ti", "2026-12-01T22:00", "2026-12-01T22:00"),
    ("siden åtte har mailen stått", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("siden 28. november", "2026-11-28", "2026-11-28"),
    ("fra 3. desember", "2025-12-03", "2025-12-03"),
    ("for et kvarter siden", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("for tjue minutter siden", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("for en halvtime siden", "2026-12-02T04:25", "2026-12-02T22:10"),
    ("siden helgen", "2026-11-28", "2026-11-28"),
    ("siden midnatt", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID_IN_CROATIAN = [
    ("oko osam", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("pola devet", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("od devet i pol", "2026-12-01T21:30", "2026-12-02T21:30"),
    ("četvrt do osam ujutro", "2026-12-01T07:45", "2026-12-02T07:45"),
    ("od jučer navečer oko deset", "2026-12-01T22:00", "2026-12-01T22:00"),
    ("od osam sati", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("od osam ne radi mail", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("od 28. studenoga", "2026-11-28", "2026-11-28"),
    ("od 28.11.", "2026-11-28", "2026-11-28"),
    ("od 15. prosinca", "2025-12-15", "2025-12-15"),
    ("prije četvrt sata", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("prije dvadeset minuta", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("prije pola sata", "2026-12-02T04:25", "2026-12-02T22:10"),
    ("od vikenda", "2026-11-28", "2026-11-28"),
    ("od ponoći", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID_IN_FINNISH = [
    ("kahdeksan maissa", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("kahdeksasta asti", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("kymmeneltä", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("klo 8:sta", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("puoli yhdeksältä", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("puoli yhdeksästä aamulla", "2026-12-01T08:30", "2026-12-02T08:30"),
    ("varttia vaille kahdeksan", "2026-12-01T19:45", "2026-12-02T19:45"),
    ("eilen illalla kymmenen maissa", "2026-12-01T22:00", "2026-12-01T22:00"),
    ("28. marraskuuta alkaen", "2026-11-28", "2026-11-28"),
    ("vartti sitten", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("kaksikymmentä minuuttia sitten", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("viikonlopusta asti", "2026-11-28", "2026-11-28"),
    ("keskiyöstä asti", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID_IN_RUSSIAN = [
    ("с восьми", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("часов с десяти", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("около восьми утра", "2026-12-01T08:00", "2026-12-02T08:00"),
    ("с половины девятого", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("без четверти восемь", "2026-12-01T19:45", "2026-12-02T19:45"),
    ("с десяти вечера", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("с двух часов", "2026-12-02T02:00", "2026-12-02T14:00"),
    ("вчера ночью около трех", "2026-12-02T03:00", "2026-12-02T03:00"),
    ("с 28 ноября", "2026-11-28", "2026-11-28"),
    ("с 5 декабря", "2025-12-05", "2025-12-05"),
    ("четверть часа назад", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("двадцать минут назад", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("с выходных", "2026-11-28", "2026-11-28"),
    ("с полуночи", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID_IN_HUNGARIAN = [
    ("nyolc óta", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("tíz körül", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("nyolctól", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("8-tól", "2026-12-01T20:00", "2026-12-02T20:00"),
    ("fél kilenc óta", "2026-12-01T20:30", "2026-12-02T20:30"),
    ("negyed kilenc óta", "2026-12-01T20:15", "2026-12-02T20:15"),
    ("háromnegyed nyolc óta", "2026-12-01T19:45", "2026-12-02T19:45"),
    ("este tíz óta", "2026-12-01T22:00", "2026-12-02T22:00"),
    ("november 28. óta", "2026-11-28", "2026-11-28"),
    ("nov. 28-a óta", "2026-11-28", "2026-11-28"),
    ("negyed órája", "2026-12-02T04:40", "2026-12-02T22:25"),
    ("fél órája", "2026-12-02T04:25", "2026-12-02T22:10"),
    ("húsz perce", "2026-12-02T04:35", "2026-12-02T22:20"),
    ("a hétvége óta", "2026-11-28", "2026-11-28"),
    ("éjfél óta", "2026-12-02T00:00", "2026-12-02T00:00"),
]
SAID = [
    (lang, *row)
    for lang, rows in [
        ("en", SAID_IN_ENGLISH),
        ("nb", SAID_IN_NORWEGIAN),
        ("hr", SAID_IN_CROATIAN),
        ("fi", SAID_IN_FINNISH),
        ("ru", SAID_IN_RUSSIAN),
        ("hu", SAID_IN_HUNGARIAN),
    ]
    for row in rows
]


@pytest.mark.parametrize(("lang", "text", "at_small_hours", "at_late_evening"), SAID)
def test_clock_words_dates_and_spans_are_read_before_dawn_and_late_at_night(
    lang: str, text: str, at_small_hours: str, at_late_evening: str
) -> None:
    assert READER.read(text, lang, SMALL_HOURS) == [at_small_hours]
    assert READER.read(text, lang, LATE_EVENING) == [at_late_evening]


@pytest.mark.parametrize(("lang", "text", "_a", "_b"), SAID)
def test_clock_words_never_name_a_time_still_to_come(
    lang: str, text: str, _a: str, _b: str
) -> None:
    for now in (SMALL_HOURS, MORNING, LUNCHTIME, AFTERNOON, LATE_EVENING):
        [moment] = READER.read(text, lang, now)
        assert moment <= now.strftime("%Y-%m-%dT%H:%M"), (text, now)


# (language, what the customer writes, at 12:40, at 14:15)
@pytest.mark.parametrize(
    ("lang", "text", "at_lunchtime", "in_the_afternoon"),
    [
        ("en", "since after lunch", "2026-12-02T12:00", "2026-12-02T13:00"),
        ("en", "since lunch", "2026-12-02T12:00", "2026-12-02T12:00"),
        ("nb", "etter lunsj", "2026-12-02T12:00", "2026-12-02T13:00"),
        ("hr", "poslije ručka", "2026-12-02T12:00", "2026-12-02T13:00"),
        ("fi", "lounaan jälkeen", "2026-12-02T12:00", "2026-12-02T13:00"),
        ("ru", "после обеда", "2026-12-02T12:00", "2026-12-02T13:00"),
        ("hu", "ebéd után", "2026-12-02T12:00", "2026-12-02T13:00"),
    ],
)
def test_after_lunch_said_around_midday_is_todays_lunch(
    lang: str, text: str, at_lunchtime: str, in_the_afternoon: str
) -> None:
    assert READER.read(text, lang, LUNCHTIME) == [at_lunchtime]
    assert READER.read(text, lang, AFTERNOON) == [in_the_afternoon]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I have two domains and one of them is down"),
        ("en", "at one point it worked"),
        ("nb", "etter to forsøk fikk jeg feil"),
        ("hr", "u tri navrata sam pokušao"),
        ("fi", "kahdelta käyttäjältä ei tule postia"),
        ("ru", "с двух компьютеров не уходит почта"),
        ("hu", "egykor ez működött"),
    ],
)
def test_number_words_that_count_things_are_not_clock_hours(lang: str, text: str) -> None:
    assert READER.read(text, lang, AFTERNOON) == []
