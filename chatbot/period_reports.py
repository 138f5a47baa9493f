"""The support lead's report as ``chatbot reports`` prints it: the figures of the console's
Reports pane and ``GET /api/reports`` (defined in docs/api.md), as plain-text tables."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from chatbot.handoff.reports import period_report
from chatbot.settings import Settings
from chatbot.store.backends import opened_store

__all__ = ["load_report", "report_text"]


async def load_report(settings: Settings, days: int) -> dict[str, Any]:
    async with opened_store(settings) as store:
        return await period_report(store, time.time(), days)


def _cell(value: Any, percent: bool = False) -> str:
    if value is None:
        return "-"
    if percent:
        return f"{value * 100:.1f}%"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def _kb_rows(report: dict[str, Any]) -> list[list[str]]:
    sections = [("total", report["total"]), *report["per_language"].items()]
    return [
        [
            name,
            _cell(s["conversations"]),
            _cell(s["articles_shown"]),
            _cell(s["kb_confirmed"]),
            _cell(s["kb_left_without_more"]),
            _cell(s["kb_not_helpful"]),
            _cell(s["answered_by_kb"], percent=True),
            _cell(s["handed_off"], percent=True),
            _cell(s["tickets"]),
        ]
        for name, s in sections
    ]


def report_text(report: dict[str, Any]) -> str:
    """Three tables: the knowledge base by language, times per priority, CSAT per agent."""
    lines = [f"Conversations started in the last {report['days']} days", ""]
    lines += ["Answered by the knowledge base (confirmed + left without asking more)"]
    lines += _table(
        [
            "language",
            "conversations",
            "article shown",
            "confirmed",
            "left without more",
            "not helpful",
            "answered by KB",
            "handed off",
            "tickets",
        ],
        _kb_rows(report),
    )
    lines += ["", "Minutes from ticket to first agent reply and to close (median, p90)"]
    lines += _table(
        [
            "priority",
            "tickets",
            "1st reply median",
            "1st reply p90",
            "no reply yet",
            "close median",
            "close p90",
            "not closed",
        ],
        [
            [
                row["priority"],
                _cell(row["tickets"]),
                _cell(row["first_response_median_minutes"]),
                _cell(row["first_response_p90_minutes"]),
                _cell(row["awaiting_first_response"]),
                _cell(row["resolution_median_minutes"]),
                _cell(row["resolution_p90_minutes"]),
                _cell(row["unresolved"]),
            ]
            for row in report["per_priority"]
        ],
    )
    lines += ["", "Customers' ratings after the chat was closed (good: 4 or 5 of 5)"]
    if report["per_agent"]:
        lines += _table(
            ["agent", "ratings", "average", "good"],
            [
                [
                    row["agent_name"] or "(no agent)",
                    _cell(row["ratings"]),
                    _cell(row["average"]),
                    _cell(row["good_share"], percent=True),
                ]
                for row in report["per_agent"]
            ],
        )
    else:
        lines.append("no ratings")
    return "\n".join(lines) + "\n"
