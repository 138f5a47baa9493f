"""Whole conversations with the engine alone, answered the way customers write.

Each test plays one customer through :class:`chatbot.engine.conversation.Conversation`
(no server) and reads what the bot asked, what it stored and what it said.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine import EngineContext
from chatbot.engine.conversation import Conversation
from chatbot.identity import Identity

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))
ISO = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?")


def asked_fields(chat: Conversation) -> list[str]:
    return [r.ask.field for t in chat.turns for r in t.replies if r.ask is not None]


def answer_until_ticket(chat: Conversation, answers: dict[str, str], limit: int = 20) -> None:
    """Answer each question from ``answers`` (else "I don't know"), until a ticket."""
    for _ in range(limit):
        if chat.tickets:
            return
        ask = chat.last_ask
        assert ask is not None, chat.transcript
        if ask.field in ("open_ticket", "confirm"):
            chat.say("yes", value="yes", ask_id=ask.id)
        elif ask.field == "solved":
            chat.say("no", value="no", ask_id=ask.id)
        else:
            chat.say(answers.get(ask.field, "I don't know"))
    assert chat.tickets, chat.transcript


def email_form(engine: EngineContext, lang: str = "en", **kw: object) -> Conversation:
    chat = Conversation(engine, NOW, locale=lang)
    chat.say(str(kw.get("opening", "My email stopped working for info@kafebar.no")))
    if chat.last_ask is not None and chat.last_ask.field == "solved":
        chat.say("no, that didn't help", value="no", ask_id=chat.last_ask.id)
    ask = chat.last_ask
    if ask is not None and ask.field == "open_ticket":
        chat.say("yes", value="yes", ask_id=ask.id)
    return chat


@pytest.mark.parametrize(
    ("answer", "meaning"),
    [
        ("No, it doesn't", "no"),
        ("yes it works fine in webmail", "yes"),
        ("webmail doesn't work either", "no"),
        ("works in webmail, just not in Outlook", "yes"),
        ("nope", "no"),
        ("I think so?", "yes"),
        ("hmm haven't tried... ok just did, webmail logs in fine", "yes"),
    ],
)
def test_a_yes_or_no_inside_a_sentence_is_understood(
    engine: EngineContext, answer: str, meaning: str
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "webmail_works")
    chat.say(answer)
    assert chat.state.form is not None
    assert chat.state.form["values"]["webmail_works"] == meaning
    assert chat.last_ask is not None and chat.last_ask.field != "webmail_works"


def answer_until_field(chat: Conversation, field: str) -> None:
    facts = {
        "domain": "kafebar.no",
        "email_account": "info@kafebar.no",
        "email_direction": "sending",
        "email_scope": "just this one",
        "email_client": "Thunderbird",
        "os": "Windows 11",
        "error_message": "535 authentication failed",
        "started": "since yesterday",
    }
    for _ in range(12):
        ask = chat.last_ask
        assert ask is not None, chat.transcript
        if ask.field == field:
            return
        chat.say(facts.get(ask.field, "I don't know"))
    raise AssertionError(f"{field} never asked: {chat.transcript}")


@pytest.mark.parametrize(
    ("answer", "direction"),
    [
        ("only sending, receiving is fine", "outgoing"),
        ("I can receive but nothing goes out", "outgoing"),
        ("neither works", "both"),
        ("receiving, sending is ok", "incoming"),
    ],
)
def test_a_choice_is_read_from_a_free_sentence(
    engine: EngineContext, answer: str, direction: str
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "email_direction")
    chat.say(answer)
    assert chat.state.form is not None
    assert chat.state.form["values"]["email_direction"] == direction


def test_i_dont_know_moves_on_and_no_question_is_asked_more_than_twice(
    engine: EngineContext,
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "webmail_works")
    chat.say("I don't know")
    assert chat.last_ask is not None and chat.last_ask.field != "webmail_works"
    # Whatever the customer writes, every question is asked at most twice.
    for _ in range(25):
        if chat.tickets:
            break
        ask = chat.last_ask
        assert ask is not None
        if ask.field == "confirm":
            chat.say("yes", value="yes", ask_id=ask.id)
        else:
            chat.say("hmm, purple banana")
    assert chat.tickets, chat.transcript
    counts = {f: asked_fields(chat).count(f) for f in set(asked_fields(chat))}
    assert max(counts.values()) <= 2, counts
    # A second ask says why it asks again: never a bare "Sorry".
    texts = [text for who, text in chat.transcript if who == "bot"]
    assert not any(text.strip().endswith("Sorry, I didn't quite get that.") for text in texts)


def test_a_second_unclear_yes_or_no_is_kept_in_the_customers_words(
    engine: EngineContext,
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "webmail_works")
    chat.say("purple banana")
    assert chat.last_ask is not None and chat.last_ask.field == "webmail_works"
    chat.say("banana purple")
    assert chat.state.form is not None
    assert chat.state.form["values"]["webmail_works"] == "unclear: banana purple"


def test_cancel_mid_form_ends_it_without_a_ticket_and_a_new_start_works(
    engine: EngineContext,
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "email_direction")
    chat.say("cancel")
    assert chat.state.form is None and not chat.tickets
    assert chat.transcript[-1][1] == engine.phrases.say("en", "form_cancelled")
    chat.say("my website shows a 500 error since this morning")
    assert chat.last_ask is not None


@pytest.mark.parametrize("text", ["never mind", "stop", "forget it"])
def test_other_ways_to_stop_the_form(engine: EngineContext, text: str) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "email_direction")
    chat.say(text)
    assert chat.state.form is None and not chat.tickets


def test_an_answer_that_fits_another_field_fills_that_one(engine: EngineContext) -> None:
    chat = email_form(engine, opening="my email is broken, nothing gets sent out")
    answer_until_field(chat, "domain")
    chat.say("it's info@cvjecarna.hr")
    form = chat.state.form
    assert form is not None
    assert form["values"]["domain"] == "cvjecarna.hr"
    assert form["values"]["email_account"] == "info@cvjecarna.hr"
    assert "email_account" not in asked_fields(chat)


def test_a_bare_ip_given_for_the_server_name_fills_only_the_ip(engine: EngineContext) -> None:
    chat = Conversation(engine, NOW, locale="en")
    chat.say("my cloud server stopped answering, ssh times out")
    answer_until_field(chat, "server_name")
    chat.say("95.216.14.201")
    form = chat.state.form
    assert form is not None
    assert form["values"].get("ip_address") == "95.216.14.201"
    assert "server_name" not in form["values"]
    assert chat.last_ask is not None and chat.last_ask.field == "server_name"


def test_a_side_question_gets_its_article_and_the_same_question_again(
    engine: EngineContext,
) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "email_client")
    replies = chat.say("btw how do I point my domain to another web host with dns records?")
    assert any(r.articles for r in replies), [r.text for r in replies]
    assert chat.last_ask is not None and chat.last_ask.field == "email_client"
    assert "email_client" not in (chat.state.form or {}).get("values", {})
    chat.say("Thunderbird")
    assert (chat.state.form or {})["values"]["email_client"] == "Thunderbird"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "oh wait, it just started working again. no need for the ticket"),
        ("nb", "glem det, nå fungerer det igjen"),
        ("fi", "antaa olla, nyt se toimii taas"),
    ],
)
def test_it_works_again_mid_form_ends_it_without_a_ticket(
    engine: EngineContext, lang: str, text: str
) -> None:
    chat = Conversation(engine, NOW, locale=lang)
    chat.say("my website shows error 500 on every page", value=None)
    answer_until_field(chat, "url")
    chat.say(text)
    assert chat.state.form is None and not chat.tickets, chat.transcript


def test_since_when_needs_a_time_and_is_shown_in_the_customers_format(
    engine: EngineContext,
) -> None:
    chat = email_form(engine, lang="hr", opening="ne mogu slati poštu s info@cvjecarna.hr")
    answer_until_ticket(
        chat,
        {
            "email_direction": "samo slanje",
            "webmail_works": "ne, ni webmail ne radi",
            "started": "nema greške",  # not a time: asked again
            "permission": "može",
        },
    )
    started = [f for f in asked_fields(chat) if f == "started"]
    assert len(started) == 2
    draft = chat.tickets[-1].draft
    assert "nema greške" not in draft.title
    assert draft.fields["webmail_works"] == "no"


def test_the_summary_and_ticket_time_are_never_iso(engine: EngineContext) -> None:
    chat = email_form(engine, lang="fi", opening="posti ei lähde osoitteesta matti@virtanen.fi")
    answer_until_ticket(
        chat,
        {
            "email_direction": "vain lähtevä posti",
            "webmail_works": "ei toimi sielläkään",
            "email_client": "Outlook Windows 10:llä",
            "started": "eilen illalla",
            "permission": "joo saa muuttaa",
        },
    )
    bot = [text for who, text in chat.transcript if who == "bot"]
    assert not any(ISO.search(text) for text in bot), bot
    draft = chat.tickets[-1].draft
    assert "01.12.2026" in draft.fields["started"] and "eilen illalla" in draft.fields["started"]
    assert draft.fields["started_at"] == "2026-12-01T19:00"
    # A technical answer with English product names keeps the conversation Finnish.
    assert chat.state.language == "fi" and draft.language == "fi"
    assert draft.fields["webmail_works"] == "no"


@pytest.mark.parametrize(
    ("lang", "opening", "field", "answer"),
    [
        (
            "fi",
            "sähköposti ei toimi osoitteessa matti@virtanen.fi",
            "email_client",
            "Outlook Windows 10:llä",
        ),
        (
            "hu",
            "nem tudok levelet küldeni az info@rozsa.hu címről",
            "error_message",
            "ssh: connect to host 91.120.23.154 port 22: Connection timed out",
        ),
    ],
)
def test_a_technical_answer_keeps_the_conversation_language(
    engine: EngineContext, lang: str, opening: str, field: str, answer: str
) -> None:
    """Product names and an error message pasted in English are not the customer's
    language."""
    chat = email_form(engine, lang=lang, opening=opening)
    answer_until_field(chat, field)
    replies = chat.say(answer)
    assert chat.state.language == lang
    assert all(r.lang == lang for r in replies)


def test_a_broken_direction_wins_over_the_same_direction_fine_elsewhere(
    engine: EngineContext,
) -> None:
    chat = email_form(
        engine,
        lang="nb",
        opening="Jeg får ikke sendt e-post fra ordre@fjellbakeri.no lenger, alt blir bare "
        "liggende i utboksen. Webmailen funker fint, der får jeg sendt.",
    )
    assert chat.state.form is not None
    assert chat.state.form["values"]["email_direction"] == "outgoing"


@pytest.mark.parametrize(
    ("lang", "opening"),
    [
        ("en", "none of us in the office are getting any emails for lund.no since yesterday"),
        ("fi", "kukaan meidän toimistolla ei ole saanut sähköposteja lund.fi:hin eilisestä"),
        ("ru", "у нас во всем офисе со вчерашнего дня не приходит почта на lund.ru"),
    ],
)
def test_a_whole_office_without_mail_is_all_mailboxes_receiving(
    engine: EngineContext, lang: str, opening: str
) -> None:
    chat = email_form(engine, lang=lang, opening=opening)
    answer_until_ticket(chat, {"email_account": "info@lund.no"})
    assert "email_scope" not in asked_fields(chat)
    fields = chat.tickets[-1].draft.fields
    assert fields["email_scope"] == "all" and fields["email_direction"] == "incoming"


def test_i_want_a_human_asks_once_what_it_is_about(engine: EngineContext) -> None:
    chat = Conversation(engine, NOW, locale="en")
    chat.say("I want a human")
    assert not chat.tickets
    assert chat.last_ask is not None and chat.last_ask.field == "human_topic"
    chat.say("my invoice was charged twice this month")
    assert chat.last_ask is not None and chat.last_ask.field == "contact_email"
    chat.say("no thanks")
    [ticket] = chat.tickets
    assert ticket.draft.title != "Support request"
    assert "twice" in ticket.draft.title or ticket.draft.service == "billing"


def test_a_human_after_a_question_hands_off_with_it(engine: EngineContext) -> None:
    chat = Conversation(engine, NOW, locale="en")
    chat.say("my website shows a 500 error since this morning")
    chat.say("can I talk to a real person please")
    assert chat.last_ask is not None and chat.last_ask.field == "contact_email"
    chat.say("I'd rather not")
    [ticket] = chat.tickets
    assert ticket.draft.service == "website"


@pytest.mark.parametrize(
    ("lang", "text", "key"),
    [
        ("en", "are you a bot?", "about_bot"),
        ("en", "how are you?", "how_are_you"),
        ("fi", "oletko botti?", "about_bot"),
        ("ru", "как дела?", "how_are_you"),
    ],
)
def test_small_talk_gets_an_honest_short_answer_and_no_ticket(
    engine: EngineContext, lang: str, text: str, key: str
) -> None:
    chat = Conversation(engine, NOW, locale=lang)
    replies = chat.say(text)
    assert not chat.tickets
    assert [r.text for r in replies] == [engine.phrases.say(lang, key, company=engine.company_name)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("hr", "koji je status mog upita?"),
        ("fi", "mikä on tukipyyntöni tilanne?"),
        ("ru", "какой статус моей заявки?"),
        ("en", "any news on my ticket?"),
        ("nb", "hva er status på saken min?"),
        ("hu", "mi a helyzet a hibajegyemmel?"),
    ],
)
def test_a_natural_status_question_is_answered_without_the_number(
    engine: EngineContext, lang: str, text: str
) -> None:
    identity = Identity(user_id="u-1", customer_number="100234")
    chat = Conversation(engine, NOW, locale=lang, identity=identity)
    chat.say("the website shows error 500 since this morning")
    chat.say("can I talk to a real person please")
    assert chat.tickets, chat.transcript
    ticket = chat.tickets[-1]
    replies = chat.say(text)
    assert any(ticket.number in r.text for r in replies), [r.text for r in replies]
    assert all(r.lang == lang for r in replies)
    # The title as the customer reads it: in their language, not the team's English.
    local = engine.titles.customer_title(ticket.draft.service, ticket.draft.fields, lang)
    assert any(local in r.text for r in replies)
    if lang != "en":
        assert ticket.draft.title not in " ".join(r.text for r in replies)


def test_a_status_question_with_no_ticket_says_so(engine: EngineContext) -> None:
    chat = Conversation(engine, NOW, locale="hr")
    replies = chat.say("koji je status mog upita?")
    assert [r.text for r in replies] == [
        engine.phrases.say("hr", "ticket_status_none", example="HS-104233")
    ]


def test_a_button_of_an_earlier_question_does_not_answer_the_current_one(
    engine: EngineContext,
) -> None:
    chat = email_form(engine, lang="fi", opening="posti ei lähde osoitteesta matti@virtanen.fi")
    answer_until_field(chat, "webmail_works")
    old = chat.last_ask
    assert old is not None
    chat.say("Kyllä", value="yes", ask_id=old.id)
    current = chat.last_ask
    assert current is not None and current.field != "webmail_works"
    chat.say("Kyllä", value="yes", ask_id=old.id)  # pressed again under the old question
    form = chat.state.form
    assert form is not None
    assert form["asking"] == current.field and current.field not in form["values"]
    assert chat.transcript[-1][1] == engine.phrases.say("fi", "stale_button")


def test_after_a_domain_check_i_dont_know_goes_on_to_the_ticket(engine: EngineContext) -> None:
    from dataclasses import replace

    from chatbot.engine.messages import DiagnosisNote

    ctx = replace(engine, diagnostics=True)
    note = DiagnosisNote(
        domain="kafebar.no",
        lines=(("diag_mx_elsewhere", {"domain": "kafebar.no", "mail_hosts": "mx.other.example"}),),
        explains=True,
    )
    chat = Conversation(ctx, NOW, locale="en", diagnose=lambda action: note)
    chat.say("mail to info@kafebar.no bounces since yesterday, error 550")
    ask = chat.last_ask
    if ask is not None and ask.field == "solved":
        chat.say("no", value="no", ask_id=ask.id)
    ask = chat.last_ask
    assert ask is not None and ask.field == "open_ticket"
    chat.say("yes", value="yes", ask_id=ask.id)
    assert chat.last_ask is not None and chat.last_ask.field == "diag_explained"
    chat.say("I don't know")
    assert chat.state.form is not None, chat.transcript


def test_a_greeting_offers_the_services_and_a_pick_asks_what_it_is_about(
    engine: EngineContext,
) -> None:
    chat = Conversation(engine, NOW, locale="nb")
    chat.say("hei, lurer på en ting")
    ask = chat.last_ask
    assert ask is not None and ask.field == "service" and ask.kind == "choice"
    assert {o.value for o in ask.options} >= {"email", "website", "general"}
    chat.say("Nettside", value="website", ask_id=ask.id)
    topic = chat.last_ask
    assert topic is not None and topic.field == "topic"
    replies = chat.say("nettsiden viser feil 500 på alle sider siden i morges")
    assert any(r.articles for r in replies), [r.text for r in replies]


def test_a_service_picked_without_a_question_goes_on_to_its_form(
    engine: EngineContext,
) -> None:
    chat = Conversation(engine, NOW, locale="en")
    chat.say("hello")
    ask = chat.last_ask
    assert ask is not None and ask.field == "service"
    chat.say("Something else", value="general", ask_id=ask.id)
    chat.say("I don't know")
    form = chat.state.form
    assert form is not None and form["service"] == "general"
    assert chat.last_ask is not None and chat.last_ask.field != "service"


def test_side_questions_do_not_make_a_question_come_back_forever(engine: EngineContext) -> None:
    chat = email_form(engine)
    answer_until_field(chat, "email_client")
    for _ in range(4):
        chat.say("btw how do I point my domain to another web host with dns records?")
    assert asked_fields(chat).count("email_client") <= 2
    assert chat.last_ask is not None and chat.last_ask.field != "email_client"


def test_a_sentence_naming_the_domain_is_part_of_the_request(engine: EngineContext) -> None:
    text = (
        "Kukaan meidan toimistolla ei ole saanut sahkoposteja eilen iltapaivasta lahtien. "
        "Domain on tilitoimisto-virtanen.fi, asiakkaat sanoo etta viestit palautuu"
    )
    [request] = engine.understander.requests(text)
    assert request.service == "email"
