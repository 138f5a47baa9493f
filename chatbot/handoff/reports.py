"""The support lead's numbers: volume, self-service, handoffs, response times, CSAT."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chatbot.settings import LANGUAGES
from chatbot.store import ConversationStat, Reports, Ticket

__all__ = ["build_report", "period_report"]


def _median_minutes(values: list[float]) -> float | None:
    return round(statistics.median(values) / 60, 1) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _section(
    conversations: Sequence[ConversationStat], tickets: Sequence[Ticket]
) -> dict[str, Any]:
    ticketed = {t.conversation_id for t in tickets}
    self_served = sum(1 for c in conversations if c.had_article and c.id not in ticketed)
    first_responses = [
        t.first_response_at - t.created_at for t in tickets if t.first_response_at is not None
    ]
    closing = [t.closed_at - t.created_at for t in tickets if t.closed_at is not None]
    ratings = [t.rating for t in tickets if t.rating is not None]
    return {
        "conversations": len(conversations),
        "answered_by_kb": _share(self_served, len(conversations)),
        "handed_off": _share(len(ticketed & {c.id for c in conversations}), len(conversations)),
        "tickets": len(tickets),
        "median_first_response_minutes": _median_minutes(first_responses),
        "median_time_to_close_minutes": _median_minutes(closing),
        "csat": round(statistics.fmean(ratings), 2) if ratings else None,
        "ratings": len(ratings),
    }


def build_report(
    conversations: Sequence[ConversationStat],
    tickets: Sequence[Ticket],
    languages: Sequence[str],
) -> dict[str, Any]:
    """Totals, per language, and conversations per day (UTC)."""
    per_day = Counter(
        datetime.fromtimestamp(c.created_at, UTC).date().isoformat() for c in conversations
    )
    by_lang_conv: dict[str, list[ConversationStat]] = defaultdict(list)
    for c in conversations:
        by_lang_conv[c.language].append(c)
    by_lang_tickets: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_lang_tickets[t.language].append(t)
    ordered = [*languages, *sorted(set(by_lang_conv) - set(languages))]
    return {
        "total": _section(conversations, tickets),
        "per_language": {
            lang: _section(by_lang_conv[lang], by_lang_tickets[lang])
            for lang in ordered
            if by_lang_conv[lang] or by_lang_tickets[lang]
        },
        "per_day": [{"day": day, "conversations": n} for day, n in sorted(per_day.items())],
    }


async def period_report(store: Reports, now: float, days: int) -> dict[str, Any]:
    """The support lead's report over the last ``days`` days."""
    until = now + 1
    since = until - days * 86400
    report = build_report(
        await store.conversation_stats(since, until),
        await store.tickets_between(since, until),
        LANGUAGES,
    )
    return {"days": days, **report}
