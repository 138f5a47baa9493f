"""Understanding: intent and service accuracy, language of short messages, entities, speed.

    python benchmarks/intents.py

Intent and service models are trained on 80% of ``data/intents/<lang>.yml`` (stratified,
fixed seed) and scored on the held-out 20%, per language; the shipped model (trained on
all of it) is then scored on the fresh, clear-cut messages of the understanding tests.
Entity precision and recall use the labelled messages in ``benchmarks/data/entities.yml``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import yaml
from sklearn.metrics import accuracy_score, f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.content import (  # noqa: E402
    build_engine_context,
    language_samples,
    service_examples,
    small_talk_examples,
)
from chatbot.engine import EngineContext  # noqa: E402
from chatbot.intents.classifier import IntentClassifier, TrainingSet, load_training  # noqa: E402
from chatbot.intents.language import LanguageIdentifier  # noqa: E402
from chatbot.kb_search import load_kb  # noqa: E402
from chatbot.phrases import Phrasebook  # noqa: E402
from chatbot.settings import CONTENT_DIR, LANGUAGES, Settings  # noqa: E402
from chatbot.text_normalise import words  # noqa: E402

HOLD_OUT = 0.2


def split(data: TrainingSet, seed: int = 13) -> tuple[TrainingSet, TrainingSet]:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, key in enumerate(zip(data.langs, data.labels, strict=True)):
        groups[key].append(i)
    rng = random.Random(seed)
    test_ids: set[int] = set()
    for ids in groups.values():
        rng.shuffle(ids)
        test_ids.update(ids[: max(1, round(len(ids) * HOLD_OUT))])

    def take(chosen: bool) -> TrainingSet:
        ids = [i for i in range(len(data.texts)) if (i in test_ids) == chosen]
        return TrainingSet(
            [data.texts[i] for i in ids],
            [data.labels[i] for i in ids],
            [data.langs[i] for i in ids],
        )

    return take(False), take(True)


def score_table(name: str, test: TrainingSet, predicted: list[str]) -> None:
    print(f"\n{name}: held-out {len(test.texts)} messages")
    print(f"{'lang':5} {'n':>4} {'accuracy':>9} {'macro-F1':>9}")
    for lang in [*LANGUAGES, "all"]:
        ids = [i for i, lg in enumerate(test.langs) if lang in ("all", lg)]
        truth = [test.labels[i] for i in ids]
        guess = [predicted[i] for i in ids]
        accuracy = accuracy_score(truth, guess)
        macro = f1_score(truth, guess, average="macro", zero_division=0)
        print(f"{lang:5} {len(ids):>4} {accuracy:>9.3f} {macro:>9.3f}")
    confusions = Counter(
        (t, p) for t, p in zip(test.labels, predicted, strict=True) if t != p
    ).most_common(6)
    print("most frequent confusions: " + ", ".join(f"{t}->{p} ({n})" for (t, p), n in confusions))


def entity_scores(ctx_understander: object) -> None:
    from chatbot.intents.understanding import Understander

    assert isinstance(ctx_understander, Understander)
    data = yaml.safe_load((ROOT / "benchmarks/data/entities.yml").read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"])
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for item in data["messages"]:
        found = ctx_understander.entities(item["text"], item["lang"], now)
        expect = item.get("expect") or {}
        for kind in set(found) | set(expect):
            got = [v[:10] if kind == "time" else v for v in found.get(kind, [])]
            want = [str(v) for v in expect.get(kind, [])]
            tp = len(set(got) & set(want))
            counts[kind][0] += tp
            counts[kind][1] += len(set(got)) - tp
            counts[kind][2] += len(set(want)) - tp
    print(f"\nEntities on {len(data['messages'])} labelled messages (6 languages)")
    print(f"{'kind':12} {'precision':>9} {'recall':>7} {'found':>6} {'labelled':>8}")
    totals = [0, 0, 0]
    for kind, (tp, fp, fn) in sorted(counts.items()):
        if tp + fp + fn == 0:
            continue
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        print(
            f"{kind:12} {tp / max(1, tp + fp):>9.3f} {tp / max(1, tp + fn):>7.3f} "
            f"{tp + fp:>6} {tp + fn:>8}"
        )
    tp, fp, fn = totals
    print(
        f"{'all':12} {tp / max(1, tp + fp):>9.3f} {tp / max(1, tp + fn):>7.3f}"
        f" {tp + fp:>6} {tp + fn:>8}"
    )


def fresh_cases(ctx: EngineContext) -> None:
    """The shipped model on clear-cut messages written apart from the training data."""
    path = ROOT / "tests" / "data" / "understanding_cases.yml"
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    predictions = ctx.understander.classifier.predict_many([c["text"] for c in cases])
    languages = ctx.languages.detect_many([c["text"] for c in cases])
    print(f"\nFresh clear-cut messages ({path.relative_to(ROOT)}), the shipped model")
    print(f"{'lang':5} {'n':>4} {'intent':>7} {'service':>8} {'language':>9}")
    for lang in [*LANGUAGES, "all"]:
        ids = [i for i, c in enumerate(cases) if lang in ("all", c["lang"])]
        n = len(ids)
        intent = sum(predictions[i].intent == cases[i]["intent"] for i in ids) / n
        service = sum((predictions[i].service or "none") == cases[i]["service"] for i in ids) / n
        language = sum(languages[i] == cases[i]["lang"] for i in ids) / n
        print(f"{lang:5} {n:>4} {intent:>7.3f} {service:>8.3f} {language:>9.3f}")


def main() -> int:
    intents, services = load_training(CONTENT_DIR / "intents")
    intent_train, intent_test = split(intents)
    service_train, service_test = split(services)
    started = time.perf_counter()
    phrases = Phrasebook.load(CONTENT_DIR / "phrases")
    model = IntentClassifier(
        intent_train.extend(small_talk_examples(phrases)),
        service_train.extend(service_examples(load_kb(CONTENT_DIR / "kb"))),
    )
    print(
        f"training: {len(intent_train.texts)} intent and {len(service_train.texts)} service "
        f"examples in {len(set(intents.langs))} languages, {time.perf_counter() - started:.1f}s"
    )
    score_table("Intent", intent_test, [p.intent for p in model.predict_many(intent_test.texts)])
    score_table(
        "Service",
        service_test,
        [p.service or "none" for p in model.predict_many(service_test.texts)],
    )

    ctx = build_engine_context(Settings())
    # Language identification learns from chat examples too: score it on the held-out
    # ones, with a model that never saw them.
    languages = LanguageIdentifier(
        language_samples(
            load_kb(CONTENT_DIR / "kb"), ctx.phrases, intent_train.extend(service_train)
        )
    )
    held_out = intent_test.extend(service_test)
    every = languages.detect_many(held_out.texts)
    all_right = sum(1 for lang, g in zip(held_out.langs, every, strict=True) if lang == g)
    print(
        f"\nLanguage of held-out messages, one message alone: any length "
        f"{all_right}/{len(every)} = {all_right / len(every):.3f}"
    )
    short = [
        (text, lang)
        for text, lang in zip(held_out.texts, held_out.langs, strict=True)
        if 1 <= len(words(text)) <= 4
    ]
    guesses = languages.detect_many([text for text, _ in short])
    right = sum(1 for (_, lang), guess in zip(short, guesses, strict=True) if lang == guess)
    print(f"  1-4 words {right}/{len(short)} = {right / len(short):.3f}")
    wrong = Counter((lang, g) for (_, lang), g in zip(short, guesses, strict=True) if lang != g)
    print("most frequent: " + ", ".join(f"{a}->{b} ({n})" for (a, b), n in wrong.most_common(5)))

    fresh_cases(ctx)
    entity_scores(ctx.understander)

    texts = intent_test.texts
    for text in texts[:50]:
        ctx.understander.predict(text)
    single = []
    for text in texts:
        t0 = time.perf_counter()
        ctx.understander.predict(text)
        single.append((time.perf_counter() - t0) * 1000)
    full = []
    now = datetime(2026, 11, 22, 21, 30)
    for text in texts:
        t0 = time.perf_counter()
        ctx.understander.predict(text)
        ctx.understander.entities(text, "en", now)
        ctx.understander.requests(text)
        full.append((time.perf_counter() - t0) * 1000)
    single.sort()
    full.sort()
    t0 = time.perf_counter()
    batch = 0
    while time.perf_counter() - t0 < 2.0:
        ctx.understander.classifier.predict_many(texts[:100])
        batch += 100
    rate = batch / (time.perf_counter() - t0)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))]

    print(f"\nLatency over {len(texts)} messages, one at a time")
    print(
        f"  intent + service:            p50 {statistics.median(single):.2f} ms,"
        f" p99 {pct(single, 0.99):.2f} ms"
    )
    print(
        f"  + entities + request split:  p50 {statistics.median(full):.2f} ms,"
        f" p99 {pct(full, 0.99):.2f} ms"
    )
    print(f"  batches of 100: {rate:,.0f} messages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
