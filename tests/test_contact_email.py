"""An anonymous visitor is asked once, optionally, where to reach them before a ticket.

The engine alone (no server): the question, the answers customers give to it in six
languages, typos, and who is never asked.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine import EngineContext
from chatbot.engine.conversation import Conversation
from chatbot.identity import Identity

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))
#: A request for a person, in each language: the ticket comes next.
PERSON = {
    "en": "I want to talk to a person about kafebar.no",
    "nb": "Jeg vil snakke med et menneske om kafebar.no",
    "hr": "Želim razgovarati s osobom o kafebar.no",
    "fi": "Haluan puhua ihmisen kanssa kafebar.no:sta",
    "ru": "Хочу поговорить с оператором про kafebar.no",
    "hu": "Emberrel szeretnék beszélni a kafebar.no ügyében",
}


def contact_asks(chat: Conversation) -> list[str]:
    return [
        r.text
        for t in chat.turns
        for r in t.replies
        if r.ask is not None and r.ask.field == "contact_email"
    ]


def at_contact_question(engine: EngineContext, lang: str = "en") -> Conversation:
    chat = Conversation(engine, NOW, locale=lang)
    chat.say(PERSON[lang])
    assert chat.last_ask is not None and chat.last_ask.field == "contact_email", chat.transcript
    assert not chat.tickets
    return chat


@pytest.mark.parametrize("lang", list(PERSON))
def test_an_anonymous_visitor_is_asked_once_why_and_the_address_goes_into_the_ticket(
    engine: EngineContext, lang: str
) -> None:
    chat = at_contact_question(engine, lang)
    [question] = contact_asks(chat)
    # It says what the address is for, in the visitor's language, and that it is optional.
    field = engine.forms.fields["contact_email"]
    assert question == " ".join(field.question[lang].split())
    assert chat.last_ask is not None and chat.last_ask.kind == "text"
    assert [o.value for o in chat.last_ask.options] == ["skip"]
    chat.say("ana.k@firma.hr")
    [ticket] = chat.tickets
    assert ticket.draft.fields["contact_email"] == "ana.k@firma.hr"
    assert ticket.draft.language == lang
    assert len(contact_asks(chat)) == 1


@pytest.mark.parametrize(
    ("lang", "answer", "address"),
    [
        ("en", "sure, it's ana.k@firma.hr thanks", "ana.k@firma.hr"),
        ("hr", "može, ivan.horvat@gmail.com", "ivan.horvat@gmail.com"),
        ("fi", "Joo, se on matti.virtanen@yritys.fi, kiitos!", "matti.virtanen@yritys.fi"),
        ("hu", "persze: Kovacs.Anna@Ceg.HU.", "kovacs.anna@ceg.hu"),
        ("en", "ana (at) firma.hr", "ana@firma.hr"),
    ],
)
def test_an_address_written_inside_a_sentence_is_found(
    engine: EngineContext, lang: str, answer: str, address: str
) -> None:
    chat = at_contact_question(engine, lang)
    chat.say(answer)
    [ticket] = chat.tickets
    assert ticket.draft.fields["contact_email"] == address
    assert address in chat.transcript[-2][1] or address in chat.transcript[-3][1]


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("en", "no"),
        ("en", "I'd rather not"),
        ("en", "I don't know"),
        ("en", "no email, just call me"),
        ("nb", "nei takk"),
        ("nb", "vil helst ikke"),
        ("nb", "vet ikke"),
        ("hr", "ne bih"),
        ("hr", "ne znam"),
        ("hr", "radije ne"),
        ("fi", "en halua antaa"),
        ("fi", "ei kiitos"),
        ("fi", "en tiedä"),
        ("ru", "не хочу"),
        ("ru", "нет, спасибо"),
        ("ru", "не знаю"),
        ("hu", "inkább nem"),
        ("hu", "nem tudom"),
        ("hu", "nem adom meg"),
    ],
)
def test_a_visitor_who_gives_no_address_gets_the_ticket_without_a_second_ask(
    engine: EngineContext, lang: str, answer: str
) -> None:
    chat = at_contact_question(engine, lang)
    chat.say(answer)
    [ticket] = chat.tickets
    assert "contact_email" not in ticket.draft.fields
    assert len(contact_asks(chat)) == 1
    # They are told where the answer will be, in their own language.
    said = " ".join(text for who, text in chat.transcript[-3:] if who == "bot")
    assert engine.phrases.say(lang, "contact_email_none") in said
    assert chat.state.language == lang


@pytest.mark.parametrize("lang", list(PERSON))
def test_the_skip_button_skips(engine: EngineContext, lang: str) -> None:
    chat = at_contact_question(engine, lang)
    ask = chat.last_ask
    assert ask is not None
    chat.say(engine.phrases.label(lang, "skip"), value="skip", ask_id=ask.id)
    [ticket] = chat.tickets
    assert "contact_email" not in ticket.draft.fields


@pytest.mark.parametrize(
    ("typo", "key"),
    [
        ("ana@firma", "contact_email_no_tld"),
        ("it's ana@@firma.hr", "contact_email_two_at"),
        ("ana@firma.hr@gmail.com", "contact_email_two_at"),
        ("@firma.hr", "contact_email_no_name"),
    ],
)
def test_a_mistyped_address_is_asked_once_more_saying_what_is_wrong(
    engine: EngineContext, typo: str, key: str
) -> None:
    chat = at_contact_question(engine)
    chat.say(typo)
    assert not chat.tickets
    again = contact_asks(chat)[-1]
    written = typo.removeprefix("it's ")
    assert engine.phrases.say("en", key, written=written) in again
    chat.say("ana@firma.hr")
    [ticket] = chat.tickets
    assert ticket.draft.fields["contact_email"] == "ana@firma.hr"
    assert len(contact_asks(chat)) == 2


def test_a_second_typo_ends_the_question_and_the_ticket_is_made(engine: EngineContext) -> None:
    chat = at_contact_question(engine, "hr")
    chat.say("ivan@gmail")
    chat.say("ivan@gmail")
    [ticket] = chat.tickets
    assert "contact_email" not in ticket.draft.fields
    assert len(contact_asks(chat)) == 2  # never a third time


def test_a_person_asked_for_instead_of_an_address_gets_the_ticket(engine: EngineContext) -> None:
    chat = at_contact_question(engine)
    chat.say("just get me a human please")
    [ticket] = chat.tickets
    assert "contact_email" not in ticket.draft.fields


def test_a_verified_customer_is_never_asked(engine: EngineContext) -> None:
    ana = Identity(user_id="u-1", name="Ana Horvat", email="ana@cvjecarna.hr")
    chat = Conversation(engine, NOW, locale="en", identity=ana)
    chat.say(PERSON["en"])
    [ticket] = chat.tickets
    assert not contact_asks(chat)
    assert "contact_email" not in ticket.draft.fields  # their address is their identity's


@pytest.mark.parametrize(
    ("lang", "opening", "address"),
    [
        ("en", "my address is x@y.fi and I want to talk to a person about kafebar.no", "x@y.fi"),
        ("fi", "Haluan puhua ihmisen kanssa kafebar.no:sta, osoitteeni on liisa@posti.fi", None),
        ("hr", "Želim razgovarati s osobom o kafebar.no, javite mi se na ana@firma.hr", None),
    ],
)
def test_an_address_given_earlier_is_not_asked_for(
    engine: EngineContext, lang: str, opening: str, address: str | None
) -> None:
    chat = Conversation(engine, NOW, locale=lang)
    chat.say(opening)
    [ticket] = chat.tickets
    assert not contact_asks(chat)
    expected = address or opening.rsplit(" ", 1)[1]
    assert ticket.draft.fields["contact_email"] == expected


def test_the_mailbox_that_fails_is_not_taken_for_the_visitors_address(
    engine: EngineContext,
) -> None:
    chat = Conversation(engine, NOW, locale="en")
    chat.say("mail to partner@gmail.com bounces, I want to talk to a person")
    assert chat.last_ask is not None
    if chat.last_ask.field != "contact_email":
        # The e-mail form first; its questions answered "I don't know".
        for _ in range(12):
            ask = chat.last_ask
            assert ask is not None
            if ask.field == "contact_email":
                break
            if ask.field == "confirm":
                chat.say("yes", value="yes", ask_id=ask.id)
            else:
                chat.say("I don't know")
    assert contact_asks(chat)
    chat.say("me@kafebar.no")
    [ticket] = chat.tickets
    assert ticket.draft.fields["contact_email"] == "me@kafebar.no"


def test_an_address_given_once_serves_the_next_ticket_and_is_no_fact_of_it(
    engine: EngineContext,
) -> None:
    chat = at_contact_question(engine)
    chat.say("ana@firma.hr")
    chat.say("I want to talk to a person about my invoice for benbakery.example too")
    _first, second = chat.tickets
    assert len(contact_asks(chat)) == 1
    assert second.draft.fields["contact_email"] == "ana@firma.hr"
    # Where to reach her is not the mailbox or the domain of a problem.
    assert "ana@firma.hr" not in chat.state.facts.get("email", [])
    assert "firma.hr" not in chat.state.facts.get("domain", [])


def test_a_visitor_who_declined_is_not_asked_again_for_the_next_ticket(
    engine: EngineContext,
) -> None:
    chat = at_contact_question(engine)
    chat.say("no thanks")
    chat.say("I want to talk to a person about my invoice for benbakery.example too")
    assert len(chat.tickets) == 2
    assert len(contact_asks(chat)) == 1
