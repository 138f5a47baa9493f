"""Help-centre search: quality per language and method, the bot's first reply, latency.

    python benchmarks/kb_search.py              # everything
    python benchmarks/kb_search.py --calibrate  # refit data/kb_calibration.json first
    python benchmarks/kb_search.py --scope      # refit only the off-topic model (kb_scope.json)
    python benchmarks/kb_search.py --quick      # quality only

Two help centres, reported apart:

* **ours**: the demo help centre (``data/kb``) with the queries we wrote and tuned on
  (``benchmarks/data/kb_queries``) and our off-topic set (``benchmarks/data/offtopic``).
  Calibration is fitted on the even-numbered (development) half; the odd half is
  reported as held-out.
* **blind**: a second provider's help centre (title and body only) and its customer
  questions, written apart from the code (``benchmarks/data/blind/helpcentre``); never
  tuned on.

Methods: ``lexical`` (BM25 over Snowball stems), ``semantic`` (multilingual-e5-small
passages), ``fused`` (reciprocal-rank fusion, what the bot uses), and plain ``bm25``
(bm25s on whole articles, no stemming) as the baseline. Recall@1, Recall@3 and MRR
count queries that have an article; "wrong" is an answer above the confidence threshold
with the wrong article, "none" no answer where there is one. ``bot`` is the engine's
first reply to the query as a new conversation (intent, off-topic and all).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.content import build_engine_context  # noqa: E402
from chatbot.engine import ConversationState, EngineContext, Inbound, turn  # noqa: E402
from chatbot.kb_search import KBIndex, KnowledgeBase, load_kb  # noqa: E402
from chatbot.kb_search.calibration import FEATURES, Calibration, Weights  # noqa: E402
from chatbot.kb_search.scope import ScopeModel  # noqa: E402
from chatbot.kb_search.semantic import Embedder, load_embedder  # noqa: E402
from chatbot.settings import CONTENT_DIR, LANGUAGES, Settings  # noqa: E402

_NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
SMALL_TALK = ("greeting", "thanks", "goodbye", "how_are_you", "about_bot")
OURS = ROOT / "benchmarks" / "data" / "kb_queries"
OFFTOPIC = ROOT / "benchmarks" / "data" / "offtopic" / "messages.jsonl"
BLIND = ROOT / "benchmarks" / "data" / "blind" / "helpcentre"
#: A second unseen help centre (Kaleva Hosting, 22 topics), written after the first had
#: been looked at: the honest check of what was changed while looking at the first.
BLIND2 = ROOT / "benchmarks" / "data" / "blind" / "helpcentre2"
#: Messages to general assistants (banking, travel, cooking, small talk, near misses),
#: English and five more languages: must get no article.
ASSISTANT = ROOT / "benchmarks" / "data" / "blind" / "offtopic"


@dataclass(frozen=True)
class Query:
    lang: str
    text: str
    article: str | None
    dev: bool
    #: From the off-topic set (banking, recipes, small talk), not a hosting question.
    offtopic: bool = False


def our_queries() -> list[Query]:
    queries: list[Query] = []
    for lang in LANGUAGES:
        path = OURS / f"{lang}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, item in enumerate(data["queries"]):
            queries.append(Query(lang, str(item["q"]), item.get("article"), dev=i % 2 == 0))
    lines = OFFTOPIC.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        item = json.loads(line)
        queries.append(Query(item["lang"], item["text"], None, dev=i % 2 == 0, offtopic=True))
    return queries


def blind_queries(folder: Path = BLIND) -> list[Query]:
    lines = [
        line
        for path in sorted(folder.glob("queries*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [
        Query(item["lang"], item["text"], item["expect"], dev=False)
        for item in map(json.loads, lines)
    ]


def assistant_queries() -> list[Query]:
    """The blind off-topic sets: every message should get no article."""
    return [
        Query(item.get("lang", "en"), item["text"], None, dev=False, offtopic=True)
        for path in sorted(ASSISTANT.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for item in [json.loads(line)]
    ]


Ranker = Callable[[str], list[str]]


def lexical_ranker(index: KBIndex) -> Ranker:
    def rank(text: str) -> list[str]:
        scores = index._per_article(index.lexical.scores(index.lexical.parse(text)))
        order = np.argsort(-scores, kind="stable")
        return [index._article_ids[i] for i in order if scores[i] > 0]

    return rank


def semantic_ranker(index: KBIndex) -> Ranker:
    def rank(text: str) -> list[str]:
        vector = index.query_vector(text)
        if vector is None or index._vectors is None:
            return []
        scores = index._per_article(index._vectors @ vector)
        return [index._article_ids[i] for i in np.argsort(-scores, kind="stable")]

    return rank


def fused_ranker(index: KBIndex) -> Ranker:
    return lambda text: [h.article_id for h in index.search(text, limit=10).hits]


def bm25_ranker(kb: KnowledgeBase) -> Ranker:
    import bm25s

    docs = list(kb)
    corpus = [f"{a.title}\n{a.body}" for a in docs]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False
    )

    def rank(text: str) -> list[str]:
        tokens = bm25s.tokenize([text], stopwords=None, show_progress=False)
        k = min(30, len(docs))
        results, scores = retriever.retrieve(tokens, k=k, show_progress=False)
        ranked: list[str] = []
        for doc_index, score in zip(results[0], scores[0], strict=True):
            article_id = docs[int(doc_index)].id
            if score > 0 and article_id not in ranked:
                ranked.append(article_id)
        return ranked[:10]

    return rank


def rankers(index: KBIndex, kb: KnowledgeBase) -> dict[str, Ranker]:
    """The methods compared: the index's two rankings, their fusion, plain BM25."""
    return {
        "lexical": lexical_ranker(index),
        "semantic": semantic_ranker(index),
        "fused": fused_ranker(index),
        "bm25": bm25_ranker(kb),
    }


def quality(rank: Ranker, queries: Sequence[Query]) -> dict[str, tuple[int, float, float, float]]:
    """Per language and overall: (n, R@1, R@3, MRR) over queries that have an article."""
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for q in queries:
        if q.article is None:
            continue
        ranked = rank(q.text)
        position = ranked.index(q.article) + 1 if q.article in ranked else None
        ranks[q.lang].append(position)
        ranks["all"].append(position)
    out = {}
    for lang, found in ranks.items():
        n = len(found)
        out[lang] = (
            n,
            sum(1 for r in found if r == 1) / n,
            sum(1 for r in found if r is not None and r <= 3) / n,
            sum(1 / r for r in found if r is not None) / n,
        )
    return out


def decisions(index: KBIndex, queries: Sequence[Query], threshold: float) -> dict[str, list[str]]:
    """Per language: what the search alone decides (right, wrong, none, offtopic_answered)."""
    out: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        result = index.search(q.text)
        answered = result.top.article_id if result.top and result.confidence >= threshold else None
        out[q.lang].append(_outcome(q, answered))
    out["all"] = [o for lang in LANGUAGES for o in out.get(lang, [])]
    return out


def bot_decisions(ctx: EngineContext, queries: Sequence[Query]) -> dict[str, list[str]]:
    """Per language: the engine's first reply to each query as a new conversation."""
    out: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        answered = turn(
            ConversationState(), Inbound(text=q.text, locale=q.lang, at=_NOW), ctx
        ).answered_article
        out[q.lang].append(_outcome(q, answered))
    out["all"] = [o for lang in LANGUAGES for o in out.get(lang, [])]
    return out


def _outcome(q: Query, answered: str | None) -> str:
    if q.article is None:
        return "false_answer" if answered else "silent"
    if answered is None:
        return "none"
    return "right" if answered == q.article else "wrong"


def print_quality(title: str, methods: dict[str, Ranker], queries: Sequence[Query]) -> None:
    print(f"\n{title}: Recall@1 / Recall@3 / MRR")
    results = {name: quality(rank, queries) for name, rank in methods.items()}
    header = f"{'lang':5} {'n':>4} | " + " | ".join(f"{n:^17}" for n in methods)
    print(header)
    for lang in [*LANGUAGES, "all"]:
        if lang not in results["fused"]:
            continue
        n = results["fused"][lang][0]
        cells = []
        for name in methods:
            _, r1, r3, mrr = results[name].get(lang, (0, 0.0, 0.0, 0.0))
            cells.append(f"{r1:.3f} {r3:.3f} {mrr:.3f}")
        print(f"{lang:5} {n:>4} | " + " | ".join(cells))


def print_decisions(title: str, table: dict[str, list[str]]) -> None:
    print(f"\n{title}")
    print(f"{'lang':5} {'right':>6} {'wrong':>6} {'none':>6} | {'off-topic answered':>18}")
    for lang in [*LANGUAGES, "all"]:
        outcomes = table.get(lang, [])
        pos = [o for o in outcomes if o in ("right", "wrong", "none")]
        neg = [o for o in outcomes if o in ("false_answer", "silent")]
        if not outcomes:
            continue
        rate = {k: sum(1 for o in pos if o == k) / max(1, len(pos)) for k in ("right", "wrong")}
        none = sum(1 for o in pos if o == "none") / max(1, len(pos))
        false = sum(1 for o in neg if o == "false_answer")
        print(
            f"{lang:5} {rate['right']:>6.3f} {rate['wrong']:>6.3f} {none:>6.3f} | "
            f"{false:>4}/{len(neg):<4} {false / max(1, len(neg)):.3f}"
        )


def fit(index: KBIndex, queries: Sequence[Query], cost: float) -> Weights:
    """Logistic regression: is the top article right (a query without one: never)?

    Then the operating point: the probability above which answering pays on the
    development half (a right answer counts 1, a wrong one ``cost``) is moved to 0.5, the
    engine's answer threshold.
    """
    from sklearn.linear_model import LogisticRegression

    features, labels, has_article = [], [], []
    for q in queries:
        if not q.dev:
            continue
        result = index.search(q.text, limit=2)
        if result.top is None:
            continue
        features.append(list(result.features))
        labels.append(int(q.article is not None and result.top.article_id == q.article))
        has_article.append(q.article is not None)
    model = LogisticRegression(C=10.0, max_iter=2000).fit(np.array(features), np.array(labels))
    probabilities = model.predict_proba(np.array(features))[:, 1]

    def value(threshold: float) -> float:
        answered = probabilities >= threshold
        right = sum(1 for a, y in zip(answered, labels, strict=True) if a and y)
        costly = sum(1 for a, y in zip(answered, labels, strict=True) if a and not y)
        return right - cost * costly

    best = max(np.arange(0.05, 0.96, 0.01), key=value)
    intercept = float(model.intercept_[0]) - float(np.log(best / (1 - best)))
    print(f"  operating point: p >= {best:.2f} on the development half, moved to 0.5")
    return Weights(intercept, tuple(float(c) for c in model.coef_[0]))


def fit_scope(embedder: Embedder, kb: KnowledgeBase, queries: Sequence[Query]) -> ScopeModel:
    """In scope: the intent data's questions and problems, the help centre's titles and
    ``data/offtopic``'s everyday ``inscope`` messages; out: the intents' off-topic and
    small-talk examples, ``data/offtopic`` (assistant queries and near misses: "renew my
    passport", "bank app login") and our off-topic set's development half."""
    inside: list[str] = [a.title for a in kb]
    outside = [q.text for q in queries if q.dev and q.offtopic]
    for path in sorted((CONTENT_DIR / "intents").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for intent, examples in (data.get("intents") or {}).items():
            target = inside if intent in ("question", "problem") else outside
            if intent in ("question", "problem", "out_of_scope", *SMALL_TALK):
                target.extend(str(e) for e in examples)
    for path in sorted((CONTENT_DIR / "offtopic").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        outside.extend(str(e) for e in data.get("offtopic") or [])
        inside.extend(str(e) for e in data.get("inscope") or [])
    vectors_in = np.stack([embedder.query(t) for t in inside])
    vectors_out = np.stack([embedder.query(t) for t in outside])
    model = ScopeModel.fit(vectors_in, vectors_out, embedder.version)
    print(
        f"scope model fitted on {len(inside)} in-scope and {len(outside)} off-topic texts; "
        f"training accuracy in {model.share_in_scope(list(vectors_in)):.3f}, "
        f"out {1 - model.share_in_scope(list(vectors_out)):.3f}"
    )
    return model


class _RandomPassages:
    """The real query embedder; passages as random unit vectors (search costs the same,
    and embedding 10,000 synthetic passages would take an hour)."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.version = "random"
        self.dim = real.dim
        self._rng = np.random.default_rng(7)

    def query(self, text: str) -> np.ndarray:
        return self.real.query(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        matrix = self._rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return np.asarray(matrix / np.linalg.norm(matrix, axis=1, keepdims=True))


def synthetic_kb(base: KnowledgeBase, passages: int) -> KnowledgeBase:
    """Copies of the demo articles under new ids until the index has ``passages``."""
    from chatbot.kb_search.passages import passages_of

    per_copy = sum(len(passages_of(a)) for a in base)
    copies = max(1, round(passages / per_copy))
    return KnowledgeBase(replace(a, id=f"{a.id}-{n}") for n in range(copies) for a in base.articles)


def latency(base: KnowledgeBase, sizes: list[int], texts: list[str], embedder: Embedder) -> None:
    print("\nSearch latency, one query at a time, query embedding included (no query cache)")
    print(f"{'passages':>9} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p99 ms':>7}")
    process = psutil.Process()
    for size in sizes:
        kb = synthetic_kb(base, size)
        gc.collect()
        before = process.memory_info().rss
        started = time.perf_counter()
        index = KBIndex(kb, embedder=_RandomPassages(embedder))
        build = time.perf_counter() - started
        memory = (process.memory_info().rss - before) / 2**20
        timings = []
        for i, text in enumerate(texts[:300]):
            unique = f"{text} {i}"  # defeat the query cache: every query is embedded
            t0 = time.perf_counter()
            index.search(unique)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(
            f"{len(index):>9} {build:>8.2f} {memory:>9.1f} "
            f"{statistics.median(timings):>7.2f} {p99:>7.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calibrate", action="store_true", help="refit data/kb_calibration.json")
    parser.add_argument(
        "--scope", action="store_true", help="refit only the off-topic model, data/kb_scope.json"
    )
    parser.add_argument("--quick", action="store_true", help="quality only")
    parser.add_argument("--sizes", default="1000,10000", help="latency at these passage counts")
    args = parser.parse_args()

    embedder = load_embedder()
    if embedder is None:
        print("the embedder does not load here: nothing to compare")
        return 1
    settings = Settings()
    ours = our_queries()
    our_kb = load_kb(CONTENT_DIR / "kb")
    process = psutil.Process()

    started = time.perf_counter()
    index = KBIndex(
        our_kb,
        Calibration.load(CONTENT_DIR / "kb_calibration.json"),
        embedder,
        settings.cache_dir,
        scope=ScopeModel.load(CONTENT_DIR / "kb_scope.json", embedder.version),
    )
    cached = time.perf_counter() - started
    lexical_only = KBIndex(our_kb, index.calibration)
    if args.calibrate or args.scope:
        index.scope = fit_scope(embedder, our_kb, ours)
        index.scope.save(CONTENT_DIR / "kb_scope.json")
    if args.calibrate:
        # The scope model keeps off-topic messages away; the calibration learns to tell a
        # right article from a wrong one, or from none, for hosting questions. (Fitted on
        # the queries that have an article only, it answered 85% right and 5% wrong on
        # the held-out half against 72% and 0% this way, and answered "it doesn't work"
        # with an article instead of asking which service.)
        hosting = [q for q in ours if not q.offtopic]
        calibration = Calibration(
            hybrid=fit(index, hosting, cost=1.5), lexical=fit(lexical_only, hosting, cost=2)
        )
        calibration.save(CONTENT_DIR / "kb_calibration.json")
        print(f"calibration refitted on our development half ({', '.join(FEATURES)}):")
        print(f"  {calibration}")
        index = replace_calibration(index, calibration)
        lexical_only = replace_calibration(lexical_only, calibration)
    ctx = build_engine_context(settings)
    threshold = ctx.answer_threshold
    print(
        f"ours: {len(our_kb)} articles, {len(index)} passages; "
        f"{sum(1 for q in ours if q.article)} queries with an article, "
        f"{sum(1 for q in ours if not q.article)} off-topic and small talk; "
        f"index built in {cached:.2f}s from the vector cache; "
        f"RSS {process.memory_info().rss / 2**20:.0f} MB"
    )
    print_quality("OURS, all queries", rankers(index, our_kb), ours)
    held_out = [q for q in ours if not q.dev]
    print_decisions(
        f"OURS held-out half, search alone at confidence >= {threshold}: fused",
        decisions(index, held_out, threshold),
    )
    print_decisions(
        "OURS held-out half, lexical only (the fallback)",
        decisions(lexical_only, held_out, threshold),
    )
    ctx = replace(ctx, index=index)
    print_decisions("OURS held-out half, the bot's first reply", bot_decisions(ctx, held_out))

    for name, folder in (("BLIND", BLIND), ("BLIND 2", BLIND2)):
        if folder.is_dir():
            report_blind(name, folder, index, settings, threshold, cold=not args.quick)
    assistant = assistant_queries()
    if assistant:
        print_decisions(
            "BLIND off-topic (messages to general assistants), our help centre: the bot's "
            "first reply",
            bot_decisions(ctx, assistant),
        )
    print(f"\nRSS after all help centres and engines: {process.memory_info().rss / 2**20:.0f} MB")

    if not args.quick:
        texts = [q.text for q in ours]
        latency(our_kb, [int(s) for s in args.sizes.split(",")], texts, embedder)
    return 0


def report_blind(
    name: str, folder: Path, ours: KBIndex, settings: Settings, threshold: float, cold: bool
) -> None:
    """One unseen help centre: the methods' rankings, the search's and the bot's answers."""
    kb = load_kb(folder / "kb")
    queries = blind_queries(folder)
    embedder = ours.embedder
    with tempfile.TemporaryDirectory() as empty:
        # Cold: an empty vector cache; --quick: the shared one (warm after a first run).
        cache = Path(empty) if cold else settings.cache_dir
        started = time.perf_counter()
        index = KBIndex(kb, ours.calibration, embedder, cache, scope=ours.scope)
        built = time.perf_counter() - started
        started = time.perf_counter()
        KBIndex(kb, ours.calibration, embedder, cache)
        warm = time.perf_counter() - started
    print(
        f"\n{name.lower()}: {len(kb)} articles, {len(index)} passages; index built "
        f"{'cold' if cold else 'from the shared cache'} in {built:.1f}s, "
        f"again from the vector cache in {warm:.2f}s"
    )
    print_quality(f"{name} help centre (never tuned on)", rankers(index, kb), queries)
    print_decisions(
        f"{name}, search alone at confidence >= {threshold}: fused",
        decisions(index, queries, threshold),
    )
    ctx = build_engine_context(replace(settings, kb_dir=folder / "kb"))
    print_decisions(f"{name}, the bot's first reply", bot_decisions(ctx, queries))


def replace_calibration(index: KBIndex, calibration: Calibration) -> KBIndex:
    index.calibration = calibration
    return index


if __name__ == "__main__":
    raise SystemExit(main())
