"""Understanding in a real conversation: clarifying questions, two requests, intents."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from tests.fixtures import ChatClient, server_url


async def customer(server: TestServer, **auth: str) -> ChatClient:
    client = ChatClient(server_url(server))
    await client.connect(**auth)
    return client


async def test_a_vague_complaint_gets_a_choice_of_services_not_a_guess(
    chat_server: TestServer,
) -> None:
    client = await customer(chat_server, locale="hr")
    [question] = await client.say("NE RADI!!!")
    assert question["lang"] == "hr"
    assert not question.get("articles")
    assert question["ask"]["field"] == "service"
    assert question["ask"]["kind"] == "choice"
    options = question["ask"]["options"]
    assert 2 <= len(options) <= 3
    assert all(o["label"] and o["value"] for o in options)
    replies = await client.say("Web stranica", value="website")
    cards = [m for m in replies if m.get("articles")]
    assert cards and cards[0]["articles"][0]["id"].startswith("website")
    assert cards[0]["articles"][0]["lang"] == "hr"


async def test_the_service_can_be_named_in_words_instead_of_a_button(
    chat_server: TestServer,
) -> None:
    client = await customer(chat_server, locale="fi")
    [question] = await client.say("ei toimi")
    assert question["ask"]["field"] == "service"
    replies = await client.say("sähköposti")
    assert any(m.get("articles") for m in replies) or replies[-1]["ask"]["field"] == "open_ticket"
    assert all(m["lang"] == "fi" for m in replies)


async def test_two_requests_in_one_message_are_answered_one_after_the_other(
    chat_server: TestServer,
) -> None:
    client = await customer(chat_server)
    first = await client.say(
        "my SSL certificate expired yesterday. Also, where do I find my invoices?"
    )
    assert [m["articles"][0]["id"] for m in first if m.get("articles")] == ["ssl-errors"]
    second = await client.say("yes, thanks", value="yes")
    texts = " ".join(m["text"] for m in second)
    assert "where do I find my invoices" in texts
    assert [m["articles"][0]["id"] for m in second if m.get("articles")] == ["billing-invoices"]


async def test_asking_for_a_human_is_not_answered_with_an_article(chat_server: TestServer) -> None:
    client = await customer(chat_server, locale="ru")
    replies = await client.say("соедините меня с живым оператором, пожалуйста")
    assert replies and not any(m.get("articles") for m in replies)
    assert replies[0]["lang"] == "ru"


async def test_out_of_scope_gets_a_polite_refusal_in_the_customers_language(
    chat_server: TestServer,
) -> None:
    client = await customer(chat_server)
    replies = await client.say("ki nyerte tegnap a fradi meccset?")
    refusal, pick = replies
    assert not refusal.get("articles") and not pick.get("articles")
    assert refusal["lang"] == pick["lang"] == "hu"
    assert "Aurora Hosting" in refusal["text"]
    # Never a dead end: the services, in case it was about one of them after all.
    assert pick["ask"]["field"] == "service"
    assert {o["value"] for o in pick["ask"]["options"]} >= {"email", "billing"}
