"""The welcome a new conversation opens with: who we are, what the bot helps with, and
when the support team answers, in the customer's language, composed by the server."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine import EngineContext
from chatbot.engine.welcome import welcome
from tests.fixtures import ChatClient, MovingClock, ServerFactory, server_url

OSLO = ZoneInfo("Europe/Oslo")
#: A Tuesday morning and a Sunday noon in the company's zone (Sundays are closed).
TUESDAY_10 = datetime(2027, 3, 9, 10, 0, tzinfo=OSLO).timestamp()
SUNDAY_NOON = datetime(2027, 3, 7, 12, 0, tzinfo=OSLO).timestamp()

OPEN_UNTIL = {
    "en": "until 20:00 CET",
    "nb": "til kl. 20:00 CET",
    "hr": "do 20:00 CET",
    "fi": "klo 20.00 CET asti",
    "ru": "до 20:00 CET",
    "hu": "eddig érhető el: 20:00 CET",
}
#: Sunday's message is answered on Monday, four working hours after 08:00.
ANSWERED_BY = {
    "en": "08 Mar 2027, 12:00 CET",
    "nb": "08.03.2027 kl. 12:00 CET",
    "hr": "08.03.2027. u 12:00 CET",
    "fi": "08.03.2027 klo 12.00 CET",
    "ru": "08.03.2027 в 12:00 CET",
    "hu": "2027. 03. 08. 12:00 CET",
}
GREETING = {
    "en": "Hi!",
    "nb": "Hei!",
    "hr": "Bok!",
    "fi": "Hei!",
    "ru": "Здравствуйте!",
    "hu": "Üdvözlöm!",
}


@pytest.mark.parametrize("lang", sorted(OPEN_UNTIL))
def test_during_support_hours_the_welcome_says_until_when_people_answer(
    engine: EngineContext, lang: str
) -> None:
    shown = welcome(engine, lang, TUESDAY_10)
    assert set(shown) == {"title", "text", "hours"}
    assert "Aurora Hosting" in shown["title"] and "Aurora Hosting" in shown["text"]
    assert shown["text"].startswith(GREETING[lang])
    assert "SSL" in shown["text"]  # what the bot helps with
    assert OPEN_UNTIL[lang] in shown["hours"]
    assert "{" not in "".join(shown.values())


@pytest.mark.parametrize("lang", sorted(ANSWERED_BY))
def test_outside_support_hours_the_welcome_says_by_when_a_message_is_answered(
    engine: EngineContext, lang: str
) -> None:
    shown = welcome(engine, lang, SUNDAY_NOON)
    assert ANSWERED_BY[lang] in shown["hours"]
    assert OPEN_UNTIL[lang] not in shown["hours"]


async def test_a_new_conversation_gets_the_welcome_in_the_pages_language(
    make_server: ServerFactory,
) -> None:
    clock = MovingClock()
    clock.shift = SUNDAY_NOON - clock()
    server = await make_server(clock=clock)
    customer = ChatClient(server_url(server))
    session = await customer.connect(locale="fi")
    assert session["last_seq"] == 0
    shown = session["welcome"]
    assert shown["title"] == "Aurora Hosting – asiakaspalvelu"
    assert shown["text"].startswith("Hei! Olen Aurora Hosting -asiakaspalvelun")
    assert ANSWERED_BY["fi"] in shown["hours"]
