"""Single answers to the bot's questions, read by the engine: how often it gets them right.

    python benchmarks/answers.py [ANSWERS.jsonl ...] [--show]

Each line asks one field and gives the customer's answer and what it means
(``{"lang", "field", "now", "text", "expect"}``, see ``benchmarks/data/blind/``). The
answer goes through the whole engine (a form waiting for that field), and the outcome is
read off the new state: the value stored, the field skipped as unknown, the form
cancelled, a person asked for, an article for a side question, or the question asked
again. Printed per set, language and kind of expectation, next to the baseline the
engine had before (whole-message word lists, an unmatched answer asked again).

Without arguments: the blind sets (never tuned on), and the act model's accuracy on a
held-out fifth of ``data/answers/`` (the examples it learns from).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.content import build_engine_context  # noqa: E402
from chatbot.engine import ConversationState, EngineContext, Inbound, turn  # noqa: E402
from chatbot.engine.actions import CreateTicket  # noqa: E402
from chatbot.intents.answers import AnswerReader, _load  # noqa: E402
from chatbot.settings import LANGUAGES, Settings  # noqa: E402

ZONE = ZoneInfo("Europe/Oslo")
BLIND = sorted((ROOT / "benchmarks/data/blind").glob("form_answers_*.jsonl"))


def _service_for(ctx: EngineContext, field: str) -> str:
    for service, steps in ctx.forms.forms.items():
        if any(step.field == field for step in steps):
            return service
    return "general"


def outcome(ctx: EngineContext, item: dict[str, Any]) -> dict[str, Any]:
    """What the engine did with one answer."""
    field = item["field"]
    now = datetime.fromisoformat(item["now"]).replace(tzinfo=ZONE)
    form = {
        "service": _service_for(ctx, field),
        "values": {},
        "times": {},
        "skipped": [],
        "asked": {field: 1},
        "asking": field,
        "phase": "asking",
    }
    state = ConversationState(
        language=item["lang"], language_source="locale", form=form, pending_ask=f"{field}.1"
    )
    result = turn(state, Inbound(text=item["text"], at=now, seq=1), ctx)
    after = result.state.form
    if any(isinstance(a, CreateTicket) for a in result.actions):
        return {"act": "human"}
    if after is None:
        return {"act": "cancel"}
    if field in after.get("skipped", []):
        return {"act": "dont_know"}
    if field in after.get("values", {}):
        return {
            "act": "value",
            "value": after["values"][field],
            "time": after.get("times", {}).get(field),
            "values": after["values"],
        }
    if result.answered_article is not None:
        return {"act": "side_question", "values": after.get("values", {})}
    return {"act": "asked_again", "values": after.get("values", {})}


def judge(item: dict[str, Any], got: dict[str, Any]) -> bool:
    want = item["expect"]
    act = got["act"]
    if "answer" in want:
        answer = want["answer"]
        if answer in ("dont_know", "cancel", "human", "side_question"):
            return bool(act == answer)
        if answer == "invalid":
            return act in ("asked_again", "dont_know")
        return bool(act == "value" and str(got["value"]) == answer)
    if "time_from" in want:
        moment = got.get("time")
        if act != "value" or not moment:
            return False
        lo, hi = want["time_from"], want["time_to"]
        return (
            bool(lo[: len(moment)] <= moment <= hi)
            if "T" in moment
            else lo[:10] <= moment <= hi[:10]
        )
    if "other_field" in want:
        other = str(got.get("values", {}).get(want["other_field"], "")).lower()
        wrong = act == "value" and want["value"].lower() in str(got.get("value", "")).lower()
        return want["value"].lower() in other and not (
            wrong and item["field"] != want["other_field"]
        )
    if "value" in want:
        return act == "value" and want["value"].lower() in str(got["value"]).lower()
    return False


def kind(item: dict[str, Any], ctx: EngineContext) -> str:
    want = item["expect"]
    if "answer" in want and want["answer"] in (
        "dont_know",
        "cancel",
        "human",
        "side_question",
        "invalid",
    ):
        return str(want["answer"])
    if "time_from" in want:
        return "time"
    if "other_field" in want:
        return "other_field"
    field = ctx.forms.fields.get(item["field"])
    return field.kind if field else "text"


def run_set(ctx: EngineContext, title: str, items: list[dict[str, Any]], show: bool) -> None:
    per_lang: dict[str, list[bool]] = defaultdict(list)
    per_kind: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        got = outcome(ctx, item)
        ok = judge(item, got)
        per_lang[item["lang"]].append(ok)
        per_kind[kind(item, ctx)].append(ok)
        if show and not ok:
            want = item["expect"]
            print(f"  MISS {item['lang']} {item['field']}: {item['text']!r} want {want} got {got}")
    print(f"\n{title}: {len(items)} answers")
    for lang in [*LANGUAGES]:
        rows = per_lang.get(lang)
        if rows:
            print(f"  {lang:14} {sum(rows) / len(rows):.3f}  ({sum(rows)}/{len(rows)})")
    everything = [v for rows in per_lang.values() for v in rows]
    print(f"  {'all':14} {sum(everything) / len(everything):.3f}")
    for name, rows in sorted(per_kind.items()):
        print(f"  {name:14} {sum(rows) / len(rows):.3f}  ({sum(rows)}/{len(rows)})")


def held_out_acts(folder: Path) -> None:
    """The act model trained on four fifths of the examples, scored on the fifth left."""
    training, _ = _load(folder)
    texts, labels = training.acts
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    cut = len(order) // 5
    test, train = order[:cut], order[cut:]
    training.acts = ([texts[i] for i in train], [labels[i] for i in train])
    reader = AnswerReader(training)
    right = sum(reader.act(texts[i])[0] == labels[i] for i in test)
    share = right / len(test) if test else 0.0
    print(f"\nact model, held-out fifth of data/answers: {share:.3f} ({right}/{len(test)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args()
    ctx = dataclasses.replace(build_engine_context(Settings()), diagnostics=False)
    paths = args.sets or BLIND
    items = [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    run_set(ctx, "given sets" if args.sets else "blind", items, args.show)
    if not args.sets:
        held_out_acts(ROOT / "data/answers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
