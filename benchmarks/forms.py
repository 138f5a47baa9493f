"""Scripted customers through the conversational form, on the engine alone.

    python benchmarks/forms.py [SCENARIOS.jsonl ...] [-v]

Each scenario (the format of ``shared/tools/converse.py``: an opening message, what the
customer answers to each field, the ticket fields expected) is played against the
engine the way ``converse.py`` plays it against a server: questions the script does not
know are answered "I don't know" in the scenario's language, "did this help?" with no,
"shall I open a ticket?" and the summary with yes, "which service?" with the expected
service's button. Printed per set and language: scenarios that ended in a ticket,
questions asked per ticket next to the static form's size (what a pre-chat form asks
every time), fields asked that the opening had already given, scenarios where one
question was asked more than twice, and field accuracy (the expected substring is in the
stored field).

Without arguments it runs the sets the code was tuned on (``benchmarks/data/
form_scenarios/``) and, reported apart, the blind sets (``benchmarks/data/blind/
form_conversations_*.jsonl``, written by someone who never read the engine).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.content import build_engine_context  # noqa: E402
from chatbot.engine import EngineContext  # noqa: E402
from chatbot.engine.conversation import Conversation  # noqa: E402
from chatbot.identity import Identity  # noqa: E402
from chatbot.settings import LANGUAGES, Settings  # noqa: E402

DONT_KNOW = {
    "en": "I don't know",
    "nb": "vet ikke",
    "hr": "ne znam",
    "fi": "en tiedä",
    "ru": "не знаю",
    "hu": "nem tudom",
}
META = {"solved": "no", "open_ticket": "yes", "confirm": "yes"}
NOT_FORM = {"solved", "open_ticket", "confirm", "service"}
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))
OWN = sorted((ROOT / "benchmarks/data/form_scenarios").glob("*.jsonl"))
BLIND = sorted((ROOT / "benchmarks/data/blind").glob("form_conversations_*.jsonl"))


def _answer(
    ask_field: str, kind: str, options: list[str], sc: dict[str, Any]
) -> tuple[str, str | None]:
    if ask_field in sc["answers"]:
        return str(sc["answers"][ask_field]), None
    if ask_field == "service":
        service = str(sc["expect"]["service"])
        return service, service if service in options else None
    if ask_field in META:
        value = META[ask_field]
        return value, value if value in options or kind == "yes_no" else None
    return DONT_KNOW.get(sc["lang"], "I don't know"), None


def _identity(user: dict[str, Any] | None) -> Identity | None:
    if not user:
        return None
    domains = user.get("domains") or []
    return Identity(
        user_id=str(user["id"]),
        name=user.get("name"),
        email=user.get("email"),
        customer_number=user.get("customer_number"),
        domains=tuple(str(d) for d in domains),
    )


def play(ctx: EngineContext, sc: dict[str, Any], verbose: bool = False) -> dict[str, Any]:
    chat = Conversation(ctx, NOW, locale=sc["lang"], identity=_identity(sc.get("user")))
    asked: list[str] = []
    replies = chat.say(sc["opening"])
    for _ in range(20):
        if chat.tickets:
            break
        ask = next((r.ask for r in reversed(replies) if r.ask is not None), None)
        if ask is None:
            break
        asked.append(ask.field)
        text, value = _answer(ask.field, ask.kind, [o.value for o in ask.options], sc)
        replies = chat.say(text, value=value, ask_id=ask.id if value else None)
    if verbose:
        print(f"== {sc['name']}")
        for who, text in chat.transcript:
            print(f"  {'C' if who == 'customer' else 'B'}: {text[:200]!r}")
    form = [f for f in asked if f not in NOT_FORM]
    result: dict[str, Any] = {
        "name": sc["name"],
        "lang": sc["lang"],
        "asked": form,
        "reasked_given": [f for f in form if f in sc["expect"].get("already_given", [])],
        "max_asks": max((form.count(f) for f in set(form)), default=0),
        "ticket": bool(chat.tickets),
        "hits": {},
    }
    if chat.tickets:
        draft = chat.tickets[-1].draft
        fields = dict(draft.fields)
        result["title"] = draft.title
        result["service"] = draft.service
        result["static"] = len(ctx.forms.form(draft.service))
        result["hits"] = {
            name: bool(fields.get(name))
            and str(want).lower() in json.dumps(fields.get(name), ensure_ascii=False).lower()
            for name, want in sc["expect"].get("fields", {}).items()
        }
        if verbose:
            print(f"  TICKET {draft.service}: {draft.title}")
            for name, want in sc["expect"].get("fields", {}).items():
                mark = "ok " if result["hits"][name] else "BAD"
                print(f"    {mark} {name}: want {want!r} got {fields.get(name)!r}")
    return result


def report(title: str, results: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"{'lang':5} {'scen':>4} {'tickets':>7} {'asked/ticket':>12} {'static':>6} "
        f"{'re-asked given':>14} {'>2 asks':>7} {'field acc':>9}"
    )
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_lang[r["lang"]].append(r)
    for lang in [*LANGUAGES, "all"]:
        rows = results if lang == "all" else by_lang.get(lang, [])
        if not rows:
            continue
        done = [r for r in rows if r["ticket"]]
        hits = [v for r in rows for v in r["hits"].values()]
        asked = sum(len(r["asked"]) for r in done) / len(done) if done else 0.0
        static = sum(r["static"] for r in done) / len(done) if done else 0.0
        print(
            f"{lang:5} {len(rows):>4} {len(done) / len(rows):>7.0%} {asked:>12.2f} {static:>6.2f} "
            f"{sum(len(r['reasked_given']) for r in rows):>14} "
            f"{sum(1 for r in rows if r['max_asks'] > 2):>7} "
            f"{(sum(hits) / len(hits) if hits else 0.0):>9.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--failures", action="store_true", help="print the failed ones")
    args = parser.parse_args()
    # The form alone: the domain check before it needs a server (and the network).
    ctx = dataclasses.replace(build_engine_context(Settings()), diagnostics=False)
    groups = [("given", args.sets)] if args.sets else [("tuned on", OWN), ("blind", BLIND)]
    for title, paths in groups:
        scenarios = [
            json.loads(line)
            for path in paths
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        if not scenarios:
            continue
        results = []
        for sc in scenarios:
            result = play(ctx, sc, args.verbose)
            results.append(result)
            bad = (
                not result["ticket"]
                or result["max_asks"] > 2
                or result["reasked_given"]
                or not all(result["hits"].values())
            )
            if args.failures and bad:
                play(ctx, sc, verbose=True)
                if result["reasked_given"]:
                    print(f"    ASKED AGAIN, already given: {', '.join(result['reasked_given'])}")
        report(f"{title}: {', '.join(p.name for p in paths)}", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
