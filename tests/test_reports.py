"""The report's arithmetic, from store records: what counts as answered by the knowledge
base, percentiles, times per priority and CSAT per agent. The real server's report is in
tests/test_reports_server.py."""

from __future__ import annotations

from dataclasses import replace

from chatbot.handoff.reports import build_report, kb_outcome, percentile
from chatbot.store import ConversationStat, Ticket


def stat(id: str, language: str = "en", **facts: object) -> ConversationStat:
    base = ConversationStat(id=id, language=language, created_at=1000.0, had_article=False)
    return replace(base, **facts)  # type: ignore[arg-type]


def ticket(number: str, conversation_id: str, **fields: object) -> Ticket:
    base = Ticket(
        number=number,
        conversation_id=conversation_id,
        visitor_id="v",
        status="open",
        service="email",
        title="t",
        language="en",
        priority="normal",
        fields={},
        missing=(),
        expected_response=None,
        created_at=2000.0,
        updated_at=2000.0,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_nearest_rank_percentile() -> None:
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(n) for n in range(10, 0, -1)], 0.9) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 0.9) == 10.0
    assert percentile([1.0, 2.0], 0.5) == 1.0


def test_an_article_counts_as_answered_only_when_confirmed_or_left_at() -> None:
    shown = stat("c", had_article=True, article_at=1500.0)
    assert kb_outcome(stat("none"), []) is None
    assert kb_outcome(replace(shown, confirmed=True, wrote_after_article=True), []) == "confirmed"
    assert kb_outcome(shown, []) == "left_without_more"
    assert kb_outcome(replace(shown, wrote_after_article=True), []) == "not_helpful"
    # A ticket made after the article (the customer asked for a person, say).
    assert kb_outcome(shown, [ticket("HS-1", "c", created_at=1600.0)]) == "not_helpful"
    # A ticket made before it, or another conversation's, says nothing of the article.
    assert kb_outcome(shown, [ticket("HS-1", "c", created_at=1400.0)]) == "left_without_more"
    assert kb_outcome(shown, [ticket("HS-2", "x", created_at=1600.0)]) == "left_without_more"


def test_the_kb_figures_add_up_per_language() -> None:
    conversations = [
        stat("fi-yes", "fi", had_article=True, article_at=1.0, confirmed=True),
        stat("fi-left", "fi", had_article=True, article_at=1.0),
        stat("fi-no", "fi", had_article=True, article_at=1.0, wrote_after_article=True),
        stat("en-person", "en", had_article=True, article_at=1.0),
        stat("en-plain", "en"),
    ]
    tickets = [ticket("HS-1", "en-person", created_at=5.0)]
    report = build_report(conversations, tickets, ["en", "fi"])
    fi, en, total = report["per_language"]["fi"], report["per_language"]["en"], report["total"]
    assert (fi["kb_confirmed"], fi["kb_left_without_more"], fi["kb_not_helpful"]) == (1, 1, 1)
    assert fi["answered_by_kb"] == round(2 / 3, 3) and fi["articles_shown"] == 3
    assert (en["kb_confirmed"], en["kb_left_without_more"], en["kb_not_helpful"]) == (0, 0, 1)
    assert en["answered_by_kb"] == 0.0 and en["articles_shown"] == 1
    assert (
        total["articles_shown"]
        == 4
        == sum(total[k] for k in ("kb_confirmed", "kb_left_without_more", "kb_not_helpful"))
    )
    assert total["answered_by_kb"] == 0.4


def test_times_per_priority_have_median_and_p90_and_count_what_waits() -> None:
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30]
    tickets = [
        ticket(f"HS-{n}", f"c{n}", priority="high", created_at=0.0, first_response_at=m * 60.0)
        for n, m in enumerate(minutes)
    ]
    tickets += [
        ticket("HS-u1", "u1", priority="urgent", created_at=0.0, closed_at=600.0),
        ticket("HS-u2", "u2", priority="urgent", created_at=0.0, closed_at=1500.0),
        ticket("HS-u3", "u3", priority="urgent", created_at=0.0),
    ]
    rows = {row["priority"]: row for row in build_report([], tickets, ["en"])["per_priority"]}
    assert list(rows) == ["urgent", "vip", "high", "normal", "low"]
    high, urgent, low = rows["high"], rows["urgent"], rows["low"]
    assert high["first_response_median_minutes"] == 5.5
    assert high["first_response_p90_minutes"] == 9.0
    assert high["first_responses"] == 10 and high["awaiting_first_response"] == 0
    assert high["resolved"] == 0 and high["resolution_median_minutes"] is None
    assert urgent["resolution_median_minutes"] == 17.5
    assert urgent["resolution_p90_minutes"] == 25.0
    assert (urgent["resolved"], urgent["unresolved"], urgent["awaiting_first_response"]) == (
        2,
        1,
        3,
    )
    assert low["tickets"] == 0 and low["first_response_p90_minutes"] is None


def test_csat_per_agent_counts_ratings_average_and_good_share() -> None:
    tickets = [
        ticket("HS-1", "a", assignee="ag_ana", rating=5),
        ticket("HS-2", "b", assignee="ag_ana", rating=4),
        ticket("HS-3", "c", assignee="ag_ana", rating=2),
        ticket("HS-4", "d", assignee="ag_ben", rating=3),
        ticket("HS-5", "e", assignee="ag_ben"),
        ticket("HS-6", "f", rating=5),
    ]
    names = {"ag_ana": "Ana", "ag_ben": "Ben"}
    rows = build_report([], tickets, ["en"], names)["per_agent"]
    assert rows == [
        {
            "agent_id": "ag_ana",
            "agent_name": "Ana",
            "ratings": 3,
            "average": 3.67,
            "good": 2,
            "good_share": 0.667,
        },
        {
            "agent_id": "ag_ben",
            "agent_name": "Ben",
            "ratings": 1,
            "average": 3.0,
            "good": 0,
            "good_share": 0.0,
        },
        {
            "agent_id": None,
            "agent_name": None,
            "ratings": 1,
            "average": 5.0,
            "good": 1,
            "good_share": 1.0,
        },
    ]
