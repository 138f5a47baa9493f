"""Knowledge-base search: quality per language against BM25, latency at scale.

    python benchmarks/kb_search.py              # quality table + latency at 1k/10k/100k
    python benchmarks/kb_search.py --calibrate  # refit data/kb_calibration.json first
    python benchmarks/kb_search.py --sizes 1000,10000 --quick

Quality uses the labelled queries in ``benchmarks/data/kb_queries/<lang>.yml``.
Calibration is fitted on the even-numbered queries of each language (the development
half) and the held-out (odd) half is reported separately, so the numbers are not the
calibration's own training data.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
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
from chatbot.kb_search import Article, Calibration, KBIndex, KnowledgeBase, load_kb  # noqa: E402
from chatbot.settings import CONTENT_DIR, LANGUAGES, Settings  # noqa: E402
from chatbot.text_normalise import words  # noqa: E402

_NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)

QUERIES = ROOT / "benchmarks" / "data" / "kb_queries"


@dataclass(frozen=True)
class Query:
    lang: str
    text: str
    article: str | None
    dev: bool


def load_queries() -> list[Query]:
    queries: list[Query] = []
    for lang in LANGUAGES:
        path = QUERIES / f"{lang}.yml"
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, item in enumerate(data["queries"]):
            queries.append(Query(lang, str(item["q"]), item.get("article"), dev=i % 2 == 0))
    return queries


def rank_of(ranked: list[str], target: str) -> int | None:
    return ranked.index(target) + 1 if target in ranked else None


def quality(ranked: dict[str, list[str]], queries: list[Query]) -> dict[str, tuple[float, ...]]:
    """lang -> (n, recall@1, recall@3, MRR) over queries that have an article."""
    table: dict[str, tuple[float, ...]] = {}
    for lang in [*LANGUAGES, "all"]:
        subset = [q for q in queries if q.article and (lang == "all" or q.lang == lang)]
        if not subset:
            continue
        ranks = [rank_of(ranked[q.text + q.lang], q.article) for q in subset if q.article]
        n = len(ranks)
        r1 = sum(1 for r in ranks if r == 1) / n
        r3 = sum(1 for r in ranks if r is not None and r <= 3) / n
        mrr = sum(1 / r for r in ranks if r is not None) / n
        table[lang] = (n, r1, r3, mrr)
    return table


def bm25_rankings(kb: KnowledgeBase, queries: list[Query]) -> dict[str, list[str]]:
    import bm25s

    docs = list(kb)
    corpus = [
        " ".join(words(" ".join([d.title, " ".join(d.tags), d.summary, d.body]))) for d in docs
    ]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False
    )
    out: dict[str, list[str]] = {}
    for q in queries:
        tokens = bm25s.tokenize(
            [" ".join(words(q.text)) or "x"], stopwords=None, show_progress=False
        )
        results, scores = retriever.retrieve(tokens, k=min(40, len(docs)), show_progress=False)
        ranked: list[str] = []
        for doc_index, score in zip(results[0], scores[0], strict=True):
            article_id = docs[int(doc_index)].id
            if score > 0 and article_id not in ranked:
                ranked.append(article_id)
        out[q.text + q.lang] = ranked[:10]
    return out


def fit_calibration(index: KBIndex, queries: list[Query]) -> Calibration:
    from sklearn.linear_model import LogisticRegression

    features, labels = [], []
    for q in queries:
        if not q.dev:
            continue
        result = index.search(q.text, limit=2)
        top = result.hits[0].score if result.hits else 0.0
        margin = top - (result.hits[1].score if len(result.hits) > 1 else 0.0)
        features.append([top, margin])
        labels.append(
            int(bool(q.article) and bool(result.hits) and result.hits[0].article_id == q.article)
        )
    model = LogisticRegression(C=10.0).fit(np.array(features), np.array(labels))
    return Calibration(
        intercept=float(model.intercept_[0]),
        top=float(model.coef_[0][0]),
        margin=float(model.coef_[0][1]),
    )


def answer_table(ctx: EngineContext, queries: list[Query], show: bool) -> list[str]:
    """What the bot does with each query as a conversation's first message."""
    lines = []
    halves = (
        ("dev", [q for q in queries if q.dev]),
        ("held-out", [q for q in queries if not q.dev]),
    )
    for name, subset in halves:
        pos = [q for q in subset if q.article]
        neg = [q for q in subset if not q.article]
        right = wrong = false_answers = 0
        for q in subset:
            answered = turn(
                ConversationState(), Inbound(text=q.text, locale=q.lang, at=_NOW), ctx
            ).answered_article
            if answered is None:
                continue
            if q.article is None:
                false_answers += 1
            elif answered == q.article:
                right += 1
            else:
                wrong += 1
            if show and answered != q.article:
                lines.append(f"    {q.lang} {q.text!r}: expected {q.article}, answered {answered}")
        lines.append(
            f"  {name:9s} answered right {right}/{len(pos)} ({right / max(1, len(pos)):.2f}), "
            f"answered wrong {wrong} ({wrong / max(1, len(pos)):.2f}), "
            f"no-article queries answered {false_answers}/{len(neg)}"
        )
    return lines


def synthetic_kb(base: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """``size`` articles made from the demo ones: shuffled sentences, new words mixed in."""
    rng = random.Random(seed)
    vocabulary = sorted({w for a in base for w in words(a.body) if len(w) > 3})
    originals = list(base)
    articles: list[Article] = []
    while len(articles) < size:
        source = originals[len(articles) % len(originals)]
        body_words = source.body.split()
        for i in range(len(body_words)):
            roll = rng.random()
            if roll < 0.15:
                body_words[i] = rng.choice(vocabulary)
            elif roll < 0.18:
                body_words[i] = rng.choice(vocabulary) + rng.choice("aeiklmnorstu") * 2
        rng.shuffle(body_words)
        title = source.title + " " + " ".join(rng.sample(vocabulary, 2))
        articles.append(
            replace(
                source, id=f"{source.id}-{len(articles)}", title=title, body=" ".join(body_words)
            )
        )
    return KnowledgeBase(articles)


def latency(base: KnowledgeBase, sizes: list[int], queries: list[Query]) -> list[str]:
    texts = [q.text for q in queries]
    process = psutil.Process()
    lines = [
        f"{'articles':>9} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    ]
    for size in sizes:
        kb = synthetic_kb(base, size)
        gc.collect()
        before = process.memory_info().rss
        started = time.perf_counter()
        index = KBIndex(kb)
        build = time.perf_counter() - started
        memory = (process.memory_info().rss - before) / 2**20
        for text in texts[:20]:
            index.search(text)
        timings = []
        for text in texts * max(1, 1000 // len(texts)):
            t0 = time.perf_counter()
            index.search(text)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p99 = timings[int(len(timings) * 0.99) - 1]
        lines.append(
            f"{size:>9} {build:>8.2f} {memory:>9.1f} {p50:>7.2f} {p99:>7.2f} {timings[-1]:>7.2f}"
        )
        del index, kb
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calibrate", action="store_true", help="refit data/kb_calibration.json")
    parser.add_argument("--sizes", default="1000,10000,100000", help="latency at these KB sizes")
    parser.add_argument("--show-errors", action="store_true", help="list wrong answers")
    parser.add_argument("--quick", action="store_true", help="skip the latency part")
    args = parser.parse_args()

    queries = load_queries()
    kb = load_kb(CONTENT_DIR / "kb")
    started = time.perf_counter()
    ctx = build_engine_context(Settings())
    index = ctx.index
    print(
        f"knowledge base: {len(kb)} articles, {len(kb.ids)} topics; engine built in "
        f"{time.perf_counter() - started:.2f}s; {len(queries)} queries "
        f"({sum(1 for q in queries if q.article)} with an article)"
    )
    if args.calibrate:
        calibration = fit_calibration(index, queries)
        calibration.save(CONTENT_DIR / "kb_calibration.json")
        index = KBIndex(kb, calibration)
        ctx = replace(ctx, index=index)
        print(f"calibration refitted on the dev half: {calibration}")

    ours = {
        q.text + q.lang: [h.article_id for h in index.search(q.text, limit=10).hits]
        for q in queries
    }
    bm25 = bm25_rankings(kb, queries)
    a, b = quality(ours, queries), quality(bm25, queries)
    print("\nRetrieval (all queries with an article)")
    print(
        f"{'lang':5} {'n':>4} | {'R@1':>5} {'R@3':>5} {'MRR':>5} |"
        f" {'BM25 R@1':>8} {'R@3':>5} {'MRR':>5}"
    )
    for lang, row in a.items():
        base = b[lang]
        print(
            f"{lang:5} {int(row[0]):>4} | {row[1]:>5.3f} {row[2]:>5.3f} {row[3]:>5.3f} | "
            f"{base[1]:>8.3f} {base[2]:>5.3f} {base[3]:>5.3f}"
        )

    print(f"\nThe bot's first reply (answers when confidence >= {ctx.answer_threshold})")
    for line in answer_table(ctx, queries, args.show_errors):
        print(line)

    langs = ctx.languages.detect_many([q.text for q in queries])
    correct = sum(1 for q, lang in zip(queries, langs, strict=True) if q.lang == lang)
    short = [(q, lang) for q, lang in zip(queries, langs, strict=True) if len(words(q.text)) <= 4]
    short_ok = sum(1 for q, lang in short if q.lang == lang)
    print(
        f"\nLanguage of single messages: {correct}/{len(queries)} = {correct / len(queries):.3f}; "
        f"1-4 words: {short_ok}/{len(short)} = {short_ok / max(1, len(short)):.3f}"
    )

    if not args.quick:
        print("\nSearch latency on synthetic knowledge bases (one query at a time)")
        for line in latency(kb, [int(s) for s in args.sizes.split(",")], queries):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
