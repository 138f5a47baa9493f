"""Questions per ticket: the bot's conversational form against a static pre-chat form.

    python benchmarks/forms.py

For each scripted first message (``benchmarks/data/form_conversations.yml``) the bot is
driven until a ticket exists, answering every question it asks (buttons: the first
option; text: a plausible answer). Printed per language: questions asked, the size of the
service's static form (what a pre-chat form asks every time), and fields asked although
the customer had already given them (target 0).
"""

from __future__ import annotations

import dataclasses
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.content import build_engine_context  # noqa: E402
from chatbot.engine import ConversationState, Inbound, turn  # noqa: E402
from chatbot.engine.form_flow import CreateTicket  # noqa: E402
from chatbot.handoff.forms import prefill  # noqa: E402
from chatbot.settings import LANGUAGES, Settings  # noqa: E402

TEXT_ANSWERS = {
    "domain": "example.com",
    "email_account": "info@example.com",
    "email_client": "Outlook",
    "os": "Windows",
    "error_message": "it says failed",
    "started": "yesterday",
    "url": "https://example.com",
    "server_name": "web-01",
    "ip_address": "185.20.1.7",
    "description": "it stopped working",
    "account": "100234",
}
NOT_FIELDS = {"solved", "open_ticket", "confirm", "service", "still_open", "use_open_ticket"}


def main() -> int:
    # The form alone: the domain check before it needs a server (and the network).
    ctx = dataclasses.replace(build_engine_context(Settings()), diagnostics=False)
    data = yaml.safe_load((ROOT / "benchmarks/data/form_conversations.yml").read_text("utf-8"))
    at = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    per_lang: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for item in data["conversations"]:
        lang, text = item["lang"], item["text"]
        state = ConversationState(language=lang, language_source="locale")
        result = turn(state, Inbound(text=text, at=at), ctx)
        state = result.state
        asked: list[str] = []
        reasked = 0
        ticket = None
        for _ in range(30):
            ask = result.replies[-1].ask if result.replies else None
            if ticket is not None or ask is None:
                break
            field = ask.field
            if field not in NOT_FIELDS:
                known = prefill(state.facts, ctx.forms.fields)
                if field in known or field in asked:
                    reasked += 1
                asked.append(field)
            if field == "solved":
                value: str | None = "no"
            elif ask.kind in ("yes_no", "choice"):
                value = ask.options[0].value if field != "reachable_elsewhere" else "no"
            else:
                value = None
            answer = value or TEXT_ANSWERS.get(field, "I am not sure")
            result = turn(state, Inbound(text=answer, value=value, at=at), ctx)
            state = result.state
            ticket = next((a for a in result.actions if isinstance(a, CreateTicket)), None)
        if ticket is None:
            print(f"  no ticket for {lang}: {text!r} (asked {asked})")
            continue
        static = len(ctx.forms.form(ticket.draft.service))
        given = len(ticket.draft.fields) - len(asked)
        per_lang[lang].append((len(asked), static, reasked, given))

    print(
        f"{'lang':5} {'tickets':>7} {'asked/ticket':>12} {'static form':>11} "
        f"{'saved':>6} {'re-asked':>8}"
    )
    everything: list[tuple[int, int, int, int]] = []
    for lang in [*LANGUAGES, "all"]:
        rows = everything if lang == "all" else per_lang.get(lang, [])
        if lang != "all":
            everything.extend(rows)
        if not rows:
            continue
        n = len(rows)
        asked_avg = sum(r[0] for r in rows) / n
        static_avg = sum(r[1] for r in rows) / n
        print(
            f"{lang:5} {n:>7} {asked_avg:>12.2f} {static_avg:>11.2f} "
            f"{1 - asked_avg / static_avg:>6.0%} {sum(r[2] for r in rows):>8}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
