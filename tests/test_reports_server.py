"""The support lead's report from a real server, on SQLite and on Redis: customers over
real sockets confirm an article, leave after one, say it did not help or ask for a person;
agents answer and close on a clock the test moves (no sleeping); customers rate."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.web.openapi import OPENAPI
from tests.fixtures import (
    AgentClient,
    ChatClient,
    ServerFactory,
    add_agent,
    bearer,
    login,
    server_url,
)

FI_QUESTION = "miten vaihdan PHP-version?"
EN_QUESTION = "how do I change my php version"


class SteppedClock:
    """The server's time: still unless the test moves it on; each reading a microsecond
    after the last, so that what happens keeps its order."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        self.now += 1e-6
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["sqlite", "redis"])
async def served(
    request: pytest.FixtureRequest, make_server: ServerFactory
) -> tuple[TestServer, SteppedClock]:
    clock = SteppedClock()
    if request.param == "redis":
        redis = request.getfixturevalue("redis_server")
        return await make_server(clock=clock, redis_url=redis.url), clock
    return await make_server(clock=clock), clock


async def shown_article(server: TestServer, locale: str, question: str) -> tuple[ChatClient, Any]:
    """A customer asks; the bot answers with an article and asks whether it helped."""
    customer = ChatClient(server_url(server))
    await customer.connect(locale=locale)
    replies = await customer.say(question)
    assert any(r.get("articles") for r in replies), replies
    ask = replies[-1].get("ask") or {}
    assert ask.get("field") == "solved", replies
    return customer, ask


async def confirm(customer: ChatClient, ask: Any, label: str) -> None:
    replies = await customer.say(label, value="yes", ask_id=ask["id"])
    # What the customer sees carries no trace of what the reports count.
    assert replies and all("feedback" not in r for r in replies), replies


async def person(server: TestServer) -> tuple[ChatClient, str]:
    """A customer who asks for a person at once: a ticket."""
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a person about kafebar.no, error 503")
    return customer, customer.tickets[-1]["number"]


async def agent(server: TestServer, name: str, role: str = "agent") -> tuple[AgentClient, str]:
    token = await login(server, *await add_agent(server, f"{name.lower()}@x.example", name, role))
    client = AgentClient(server_url(server))
    await client.connect(token)
    return client, token


async def answer_and_close(
    clock: SteppedClock, who: AgentClient, number: str, reply_after: float, close_after: float
) -> None:
    """Claim at once, first reply ``reply_after`` seconds after the ticket was made, close
    ``close_after`` seconds after that reply."""
    assert (await who.call("claim", {"ticket": number}))["ok"]
    clock.advance(reply_after)
    sent = await who.call("message", {"ticket": number, "id": f"r-{number}", "text": "On it."})
    assert sent["ok"], sent
    clock.advance(close_after)
    closed = await who.call("close", {"ticket": number, "resolution": "Fixed."})
    assert closed["ok"], closed


async def test_the_report_counts_only_confirmed_or_left_answers_and_times_tickets(
    served: tuple[TestServer, SteppedClock],
) -> None:
    server, clock = served
    # Finnish: one confirms with the button, one leaves after the article.
    fi_yes, ask = await shown_article(server, "fi", FI_QUESTION)
    await confirm(fi_yes, ask, "Kyllä")
    await shown_article(server, "fi", FI_QUESTION)
    # English: one says so in words, one says it did not help, one asks for a person.
    en_yes, ask = await shown_article(server, "en", EN_QUESTION)
    assert (await en_yes.say("yes, that worked, thanks"))[0]["text"]
    en_no, _ = await shown_article(server, "en", EN_QUESTION)
    offer = await en_no.say("no, that did not help")
    assert offer[-1]["ask"]["field"] == "open_ticket", offer
    en_person, _ = await shown_article(server, "en", EN_QUESTION)
    await en_person.ask_for_person("I want to talk to a person please")
    urgent = en_person.tickets[-1]["number"]
    # A customer who asked for a person straight away: a ticket, no article.
    high_customer, high = await person(server)

    ana, _ = await agent(server, "Ana")
    ben, _ = await agent(server, "Ben")
    lead, lead_token = await agent(server, "Lead", "admin")
    for number, priority in ((urgent, "urgent"), (high, "high")):
        changed = await lead.call("update", {"ticket": number, "priority": priority})
        assert changed["ok"], changed
    await answer_and_close(clock, ana, urgent, reply_after=120, close_after=600)
    await answer_and_close(clock, ben, high, reply_after=300, close_after=1500)
    assert (await en_person.call("rate", {"ticket": urgent, "score": 5}))["ok"]
    assert (await high_customer.call("rate", {"ticket": high, "score": 2}))["ok"]

    report = await lead.call("reports", {"days": 1})
    assert report.pop("ok") is True
    async with aiohttp.ClientSession() as http:
        response = await http.get(
            server.make_url("/api/reports?days=1"), headers=bearer(lead_token)
        )
        assert response.status == 200
        assert await response.json() == report  # the console and the REST API agree

    # The OpenAPI document names exactly the figures the server gives.
    schemas = OPENAPI["components"]["schemas"]
    assert set(report) == set(schemas["Report"]["properties"])
    for name, part in (
        ("ReportSection", report["total"]),
        ("PriorityTimes", report["per_priority"][0]),
        ("AgentRatings", report["per_agent"][0]),
    ):
        assert set(part) == set(schemas[name]["properties"]), name

    fi, en = report["per_language"]["fi"], report["per_language"]["en"]
    kb = ("articles_shown", "kb_confirmed", "kb_left_without_more", "kb_not_helpful")
    assert [fi[k] for k in kb] == [2, 1, 1, 0]
    assert [en[k] for k in kb] == [3, 1, 0, 2]
    assert fi["answered_by_kb"] == 1.0
    assert en["conversations"] == 4 and en["answered_by_kb"] == 0.25
    total = report["total"]
    assert [total[k] for k in kb] == [5, 2, 1, 2] and total["answered_by_kb"] == 0.5

    rows = {row["priority"]: row for row in report["per_priority"]}
    assert [rows["urgent"][k] for k in ("tickets", "first_responses", "resolved")] == [1, 1, 1]
    assert rows["urgent"]["first_response_median_minutes"] == 2.0
    assert rows["urgent"]["first_response_p90_minutes"] == 2.0
    assert rows["urgent"]["resolution_median_minutes"] == 12.0
    # The high ticket waited while Ana handled hers (12 min), then Ben took 5 and 25.
    assert rows["high"]["first_response_median_minutes"] == 17.0
    assert rows["high"]["resolution_p90_minutes"] == 42.0
    assert rows["normal"]["tickets"] == 0

    by_name = {row["agent_name"]: row for row in report["per_agent"]}
    assert set(by_name) == {"Ana", "Ben"}
    assert [by_name["Ana"][k] for k in ("ratings", "average", "good", "good_share")] == [
        1,
        5.0,
        1,
        1.0,
    ]
    assert [by_name["Ben"][k] for k in ("ratings", "average", "good", "good_share")] == [
        1,
        2.0,
        0,
        0.0,
    ]
