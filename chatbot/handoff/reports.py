"""The support lead's numbers: volume, self-service, handoffs, response times, CSAT.

"Answered by the knowledge base" is honest: a conversation in which the bot showed an
article counts as answered only when the customer confirmed it (said yes to "Did this
solve your problem?") or left without asking for more after the last article (no further
message from them, no ticket made since). Every other conversation with an article counts
as "shown, not helpful", so ``articles_shown = kb_confirmed + kb_left_without_more +
kb_not_helpful``. docs/api.md gives every figure's definition.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from chatbot.settings import LANGUAGES
from chatbot.store import PRIORITIES, Agents, ConversationStat, Reports, Ticket

__all__ = [
    "GOOD_RATING",
    "KBOutcome",
    "ReportSource",
    "build_report",
    "kb_outcome",
    "percentile",
    "period_report",
]

KBOutcome = Literal["confirmed", "left_without_more", "not_helpful"]
#: A rating this high (of 5) is a good one.
GOOD_RATING = 4


class ReportSource(Reports, Agents, Protocol):
    """What the report reads: the counts, and the agents' names."""


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the
    values at or below it (p90 of 10 values is the 9th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _median_minutes(values: Sequence[float]) -> float | None:
    return _minutes(statistics.median(values)) if values else None


def _p90_minutes(values: Sequence[float]) -> float | None:
    return _minutes(percentile(values, 0.9)) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def kb_outcome(conversation: ConversationStat, tickets: Iterable[Ticket]) -> KBOutcome | None:
    """What came of the articles the bot showed in a conversation (``None``: none shown).
    ``tickets``: the conversation's tickets (others are ignored)."""
    if not conversation.had_article:
        return None
    if conversation.confirmed:
        return "confirmed"
    shown_at = conversation.article_at
    asked_for_ticket = any(
        t.conversation_id == conversation.id and (shown_at is None or t.created_at >= shown_at)
        for t in tickets
    )
    if conversation.wrote_after_article or asked_for_ticket:
        return "not_helpful"
    return "left_without_more"


def _section(
    conversations: Sequence[ConversationStat],
    tickets: Sequence[Ticket],
    outcomes: Mapping[str, KBOutcome | None],
) -> dict[str, Any]:
    ticketed = {t.conversation_id for t in tickets}
    counted = Counter(outcomes[c.id] for c in conversations)
    answered = counted["confirmed"] + counted["left_without_more"]
    first_responses = [
        t.first_response_at - t.created_at for t in tickets if t.first_response_at is not None
    ]
    closing = [t.closed_at - t.created_at for t in tickets if t.closed_at is not None]
    ratings = [t.rating for t in tickets if t.rating is not None]
    return {
        "conversations": len(conversations),
        "articles_shown": len(conversations) - counted[None],
        "kb_confirmed": counted["confirmed"],
        "kb_left_without_more": counted["left_without_more"],
        "kb_not_helpful": counted["not_helpful"],
        "answered_by_kb": _share(answered, len(conversations)),
        "handed_off": _share(len(ticketed & {c.id for c in conversations}), len(conversations)),
        "tickets": len(tickets),
        "median_first_response_minutes": _median_minutes(first_responses),
        "median_time_to_close_minutes": _median_minutes(closing),
        "csat": round(statistics.fmean(ratings), 2) if ratings else None,
        "ratings": len(ratings),
    }


def _per_priority(tickets: Sequence[Ticket]) -> list[dict[str, Any]]:
    """First response (created -> first agent message) and resolution (created -> closed)
    per priority, most urgent first; every priority is listed, with or without tickets."""
    by_priority: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_priority[t.priority].append(t)
    rows = []
    for priority in [*PRIORITIES, *sorted(set(by_priority) - set(PRIORITIES))]:
        group = by_priority[priority]
        first = [
            t.first_response_at - t.created_at for t in group if t.first_response_at is not None
        ]
        closed = [t.closed_at - t.created_at for t in group if t.closed_at is not None]
        rows.append(
            {
                "priority": priority,
                "tickets": len(group),
                "first_responses": len(first),
                "first_response_median_minutes": _median_minutes(first),
                "first_response_p90_minutes": _p90_minutes(first),
                "awaiting_first_response": len(group) - len(first),
                "resolved": len(closed),
                "resolution_median_minutes": _median_minutes(closed),
                "resolution_p90_minutes": _p90_minutes(closed),
                "unresolved": len(group) - len(closed),
            }
        )
    return rows


def _per_agent(tickets: Sequence[Ticket], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The customers' ratings of closed chats, by the agent who held the ticket; a ticket
    closed without one (with an incident) is under ``agent_id`` ``None``."""
    by_agent: dict[str | None, list[int]] = defaultdict(list)
    for t in tickets:
        if t.rating is not None:
            by_agent[t.assignee].append(t.rating)
    rows: list[dict[str, Any]] = []
    for agent_id, ratings in by_agent.items():
        good = sum(1 for r in ratings if r >= GOOD_RATING)
        rows.append(
            {
                "agent_id": agent_id,
                "agent_name": names.get(agent_id) if agent_id else None,
                "ratings": len(ratings),
                "average": round(statistics.fmean(ratings), 2),
                "good": good,
                "good_share": _share(good, len(ratings)),
            }
        )
    rows.sort(key=lambda r: (r["agent_id"] is None, str(r["agent_name"] or "").casefold()))
    return rows


def build_report(
    conversations: Sequence[ConversationStat],
    tickets: Sequence[Ticket],
    languages: Sequence[str],
    agent_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Totals, per language, per priority, per agent, and conversations per day (UTC).
    ``tickets``: every ticket made since the first conversation (a ticket made after an
    article tells that the article did not settle it)."""
    by_conversation: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_conversation[t.conversation_id].append(t)
    outcomes = {c.id: kb_outcome(c, by_conversation[c.id]) for c in conversations}
    per_day = Counter(
        datetime.fromtimestamp(c.created_at, UTC).date().isoformat() for c in conversations
    )
    by_lang_conv: dict[str, list[ConversationStat]] = defaultdict(list)
    for c in conversations:
        by_lang_conv[c.language].append(c)
    by_lang_tickets: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_lang_tickets[t.language].append(t)
    ordered = [*languages, *sorted((set(by_lang_conv) | set(by_lang_tickets)) - set(languages))]
    return {
        "total": _section(conversations, tickets, outcomes),
        "per_language": {
            lang: _section(by_lang_conv[lang], by_lang_tickets[lang], outcomes)
            for lang in ordered
            if by_lang_conv[lang] or by_lang_tickets[lang]
        },
        "per_priority": _per_priority(tickets),
        "per_agent": _per_agent(tickets, agent_names or {}),
        "per_day": [{"day": day, "conversations": n} for day, n in sorted(per_day.items())],
    }


async def period_report(store: ReportSource, now: float, days: int) -> dict[str, Any]:
    """The support lead's report over the last ``days`` days: the conversations started
    and the tickets made in them."""
    until = now + 1
    since = until - days * 86400
    names = {agent.id: agent.name for agent in await store.list_agents()}
    report = build_report(
        await store.conversation_stats(since, until),
        await store.tickets_between(since, until),
        LANGUAGES,
        names,
    )
    return {"days": days, **report}
