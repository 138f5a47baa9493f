"""Collecting a ticket over a real socket, then reading it with ``chatbot tickets``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer

from chatbot.intents.field_values import parse_answer
from chatbot.tickets.forms import Field
from chatbot.web import keys
from tests.fixtures import ChatClient, ServerFactory, server_url

FIRST_MESSAGES = {
    "en": "Sending from ana@cvjecarna.hr fails since yesterday afternoon with error 550, only outgoing mail",
    "nb": "Siden i går ettermiddag får jeg feil 550 når jeg sender fra post@kafebar.no, bare utgående e-post",
    "hr": "od jučer popodne ne mogu slati mailove s ana@cvjecarna.hr, greška 550, samo odlazna",
    "fi": "Eilen illasta asti posti ei lähde osoitteesta matti@virtanen.fi, virhe 550, vain lähtevät",
    "ru": "со вчерашнего дня не уходят письма с info@pekarnya.ru, ошибка 550, только исходящая почта",
    "hu": "tegnap délután óta nem megy ki a levél a pista@kisbolt.hu címről, 550-es hiba, csak a kimenő",
}
GIVEN = {"domain", "email_account", "email_direction", "started", "error_message"}
TEXT_ANSWERS = {"email_client": "Thunderbird", "os": "Linux", "description": "it just fails"}


async def fill_form(client: ChatClient, replies: list[dict[str, Any]]) -> list[str]:
    """Answer every question the bot asks (as a customer with buttons would)."""
    asked: list[str] = []
    for _ in range(20):
        ask = replies[-1].get("ask") if replies else None
        if ask is None:
            return asked
        field = ask["field"]
        if field not in ("solved", "open_ticket", "confirm"):
            asked.append(field)
        if field == "solved":
            replies = await client.say("no", value="no")
        elif ask["kind"] in ("yes_no", "choice"):
            option = ask["options"][0]
            replies = await client.say(option["label"], value=option["value"])
        else:
            replies = await client.say(TEXT_ANSWERS.get(field, "example.com"))
    raise AssertionError(f"the form never ended: {asked}")


async def open_website_ticket(client: ChatClient) -> list[dict[str, Any]]:
    """Report a dead website, say the article did not help, ask for a ticket."""
    replies = await client.say("my website is down and shows nothing")
    if replies[-1]["ask"]["field"] == "solved":
        replies = await client.say("no", value="no")
    assert replies[-1]["ask"]["field"] == "open_ticket"
    return await client.say("yes", value="yes")


def tickets_cli(data_dir: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "chatbot", "tickets", *args, "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("lang", list(FIRST_MESSAGES))
async def test_a_customer_who_gave_every_fact_is_not_asked_for_it_again(
    make_server: ServerFactory, tmp_path: Path, lang: str
) -> None:
    data_dir = tmp_path / "data"
    server = await make_server(data_dir=data_dir)
    client = ChatClient(server_url(server))
    await client.connect(locale=lang)
    first = await client.say(FIRST_MESSAGES[lang])
    asked = await fill_form(client, first)
    assert not GIVEN & set(asked), asked
    assert {"webmail_works", "permission"} <= set(asked)

    [event] = client.tickets
    assert re.fullmatch(r"HS-\d{6}", event["number"])
    assert event["status"] == "open"
    # The bot's confirmation with the number, then what happens next (nobody is online).
    last, after = client.received[-2:]
    assert after["from"] == "system" and after["event"] == "queue_offline"
    assert event["number"] in last["text"] and last["lang"] == lang
    await client.disconnect()

    ticket = tickets_cli(data_dir, "show", event["number"])
    fields = ticket["fields"]
    assert fields["email_direction"] == "outgoing"
    assert "550" in fields["error_message"]
    assert fields["email_account"] in FIRST_MESSAGES[lang]
    assert fields["domain"] == fields["email_account"].split("@")[1]
    yesterday = (datetime.now(ZoneInfo("Europe/Oslo")) - timedelta(days=1)).date()
    # The agent reads the customer's words and the moment in our time zone, never ISO.
    assert fields["started_at"].startswith(yesterday.isoformat())
    assert not re.search(r"\d{4}-\d{2}-\d{2}", fields["started"]), fields["started"]
    assert fields["email_client"] == "Thunderbird"
    assert ticket["language"] == lang and ticket["service"] == "email"
    assert ticket["transcript"][0]["text"] == FIRST_MESSAGES[lang]
    assert [t["number"] for t in tickets_cli(data_dir, "list")] == [event["number"]]


async def test_a_wrong_answer_is_asked_again_with_a_hint_and_can_be_corrected(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    replies = await open_website_ticket(client)
    assert replies[-1]["ask"]["field"] == "reachable_elsewhere"  # asked first
    replies = await client.say("No", value="no")
    assert replies[-1]["ask"]["field"] == "domain"
    again = await client.say("my site")
    assert again[-1]["ask"]["field"] == "domain"
    assert "example.com" in again[0]["text"]  # the hint
    replies = await client.say("it is cvjecarna.hr")
    assert replies[-1]["ask"]["field"] != "domain"
    replies = await client.say("actually the domain is kafebar.no")
    store = chat_server.app[keys.STORE]
    assert client.session is not None
    conversation = await store.get_conversation(client.session["conversation_id"])
    assert (
        conversation is not None and conversation.state["form"]["values"]["domain"] == "kafebar.no"
    )


async def test_a_site_that_works_from_another_network_is_explained_not_ticketed(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    replies = await open_website_ticket(client)
    replies = await client.say("yes", value="yes")  # it works on mobile data
    assert replies[-1]["ask"]["field"] == "still_open"
    replies = await client.say("no", value="no")
    assert client.tickets == []
    assert not replies[-1].get("ask")


async def test_asking_for_a_human_opens_a_ticket_after_one_optional_question(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    replies = await client.say("I want to talk to a real person about kafebar.no")
    # An anonymous visitor is asked only where to reach them, and may skip it.
    assert [r["ask"]["field"] for r in replies if r.get("ask")] == ["contact_email"]
    assert not client.tickets
    await client.say("Skip", value="skip", ask_id=replies[-1]["ask"]["id"])
    [event] = client.tickets
    assert re.fullmatch(r"HS-\d+", event["number"])


async def test_a_password_is_never_stored_and_the_customer_is_warned(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect(locale="hr")
    replies = await client.say("ne mogu se prijaviti u webmail, moja lozinka je Tajna2024!")
    assert "lozink" in replies[0]["text"].lower()
    history = (await client.call("history", {"after": 0}))["messages"]
    stored = history[0]
    assert "Tajna2024" not in stored["text"] and "[redacted]" in stored["text"]
    assert stored["redacted"] is True
    store = chat_server.app[keys.STORE]
    assert client.session is not None
    raw = await store.messages_after(client.session["conversation_id"], 0, 10)
    assert all("Tajna2024" not in m.text for m in raw)


async def test_status_of_my_ticket_and_never_of_someone_elses(chat_server: TestServer) -> None:
    owner = ChatClient(server_url(chat_server))
    await owner.connect()
    await owner.ask_for_person("I want to talk to a human about my invoice")
    [event] = owner.tickets
    number = event["number"]
    replies = await owner.say(f"what is the status of {number}?")
    assert number in replies[0]["text"] and event["title"] in replies[0]["text"]
    stranger = ChatClient(server_url(chat_server))
    await stranger.connect()
    replies = await stranger.say(f"what is the status of {number}?")
    assert event["title"] not in replies[0]["text"]
    assert number in replies[0]["text"]  # "I can't find HS-... among your tickets"
    added = await owner.say(f"about {number}: I also get error 554 now")
    assert number in added[0]["text"]
    assert len(owner.tickets) == 1  # added to the ticket, not a new one


async def test_two_problems_in_one_message_become_two_tickets(chat_server: TestServer) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    first = await client.say(
        "ana@cvjecarna.hr cannot send mail since yesterday, error 550. "
        "Also our cloud server web-01 at 185.20.1.7 is not responding"
    )
    await fill_form(client, first)
    assert len(client.tickets) == 2, client.tickets
    titles = sorted(t["title"] for t in client.tickets)
    assert titles[0].startswith("Cloud server") and "185.20.1.7" in titles[0]
    assert titles[1].startswith("Outgoing mail fails for ana@cvjecarna.hr")
    assert len({t["number"] for t in client.tickets}) == 2


async def test_a_second_ticket_for_the_same_problem_is_offered_the_open_one(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    await fill_form(client, await client.say("ana@cvjecarna.hr cannot send mail, error 550"))
    [first] = client.tickets
    await client.say("thanks")
    replies = await client.say("mail from ana@cvjecarna.hr still fails with 550")
    if replies[-1]["ask"]["field"] == "solved":
        replies = await client.say("no", value="no")
    replies = await client.say("yes", value="yes")
    assert replies[-1]["ask"]["field"] == "use_open_ticket"
    assert first["number"] in replies[-1]["text"]
    replies = await client.say("yes", value="yes")
    assert first["number"] in replies[-1]["text"]
    assert len(client.tickets) == 1


@pytest.mark.parametrize(
    ("lang", "text", "article"),
    [
        ("en", "I want to cancel my hosting at the end of the month", "billing-cancel"),
        ("hr", "želim otkazati hosting", "billing-cancel"),
        ("fi", "haluan irtisanoa palvelun", "billing-cancel"),
        ("ru", "хочу отказаться от хостинга", "billing-cancel"),
        ("hu", "le szeretném mondani a tárhelyet", "billing-cancel"),
        ("nb", "jeg vil si opp webhotellet", "billing-cancel"),
        ("en", "please reset my 2FA, I lost my phone", "control-panel-login"),
    ],
)
async def test_an_anonymous_visitor_gets_general_information_on_owner_only_requests(
    chat_server: TestServer, lang: str, text: str, article: str
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect(locale=lang)
    replies = await client.say(text)
    assert replies[0]["lang"] == lang and not replies[0].get("articles")
    assert [m["articles"][0]["id"] for m in replies if m.get("articles")] == [article]
    assert not any(m.get("ask") for m in replies)
    assert client.tickets == []


async def test_a_button_under_an_earlier_question_answers_nothing(
    chat_server: TestServer,
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect(locale="en")
    replies = await open_website_ticket(client)
    first = replies[-1]["ask"]
    assert first["id"] and first["kind"] == "yes_no"
    option = first["options"][0]
    replies = await client.say(option["label"], value=option["value"], ask_id=first["id"])
    current = replies[-1]["ask"]
    assert current["id"] != first["id"]
    # The same button pressed again (a second tab, a slow click): refused, nothing stored.
    again = await client.say(option["label"], value=option["value"], ask_id=first["id"])
    assert [m["text"] for m in again] == [
        chat_server.app[keys.ENGINE].phrases.say("en", "stale_button")
    ]
    history = (await client.call("history", {"after": 0}))["messages"]
    pressed = [m for m in history if m["from"] == "customer" and m.get("value")]
    assert pressed[-1]["value"] == option["value"]
    await client.disconnect()


async def test_a_customer_who_answers_in_sentences_gets_a_ticket(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    # Wednesday 10:30 in Oslo, whenever the test runs: "this morning around 8" is 08:00.
    morning = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Europe/Oslo")).timestamp()
    server = await make_server(data_dir, clock=lambda: morning)
    client = ChatClient(server_url(server))
    await client.connect(locale="en")
    answers = {
        "reachable_elsewhere": "no, same on my phone with mobile data",
        "domain": "it's greenleaf-catering.com",
        "url": "every page, the shop is at https://greenleaf-catering.com/order",
        "error_message": "503 Service Unavailable",
        "started": "since this morning around 8",
        "permission": "sure, go ahead",
    }
    replies = await client.say("our website is down, customers can't order anything")
    for _ in range(16):
        if client.tickets:
            break
        ask = replies[-1]["ask"]
        if ask["field"] in ("solved",):
            replies = await client.say("no, that didn't help")
        elif ask["field"] in ("open_ticket", "confirm"):
            replies = await client.say("yes please")
        else:
            replies = await client.say(answers.get(ask["field"], "I don't know"))
    [event] = client.tickets
    ticket = tickets_cli(data_dir, "show", event["number"])
    fields = ticket["fields"]
    assert fields["reachable_elsewhere"] == "no"
    assert fields["domain"] == "greenleaf-catering.com"
    assert fields["permission"] == "yes"
    assert fields["started_at"] == "2026-12-02T08:00"
    await client.disconnect()


def test_a_corrected_ip_and_a_page_with_its_path_are_read_as_meant() -> None:
    ip = Field("ip_address", "text", "ip", {}, {}, {})
    said = "az IP 91.120.23.145, jaj bocs, 91.120.23.154, felcseréltem a végét"
    assert parse_answer(ip, said, {}) == "91.120.23.154"
    url = Field("url", "text", "url", {}, {}, {})
    said = "nagy-asztalosmuhely.hu/ajanlatkeres, a főoldal működik"
    assert parse_answer(url, said, {}) == "nagy-asztalosmuhely.hu/ajanlatkeres"
    assert parse_answer(url, "https://x.no/a?b=1", {}) == "https://x.no/a?b=1"
