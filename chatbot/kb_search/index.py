"""Hybrid search over a help centre's passages: BM25 on stems, sentence embeddings, fused.

Every article is cut into passages (:mod:`chatbot.kb_search.passages`); an article is as
good as its best passage. Two scores per article, one lexical
(:mod:`chatbot.kb_search.lexical`, BM25 as a share of the query's best) and one
semantic (:mod:`chatbot.kb_search.semantic`, the cosine in standard deviations above
the query's mean), are added; the calibration turns the evidence about the winner into
the probability that it answers the query. Without the embedder, the lexical score alone
decides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chatbot.kb_search.articles import KnowledgeBase
from chatbot.kb_search.calibration import Calibration
from chatbot.kb_search.lexical import LexicalIndex
from chatbot.kb_search.passages import Passage, passages_of
from chatbot.kb_search.scope import ScopeModel
from chatbot.kb_search.semantic import Embedder, VectorCache

__all__ = ["Hit", "KBIndex", "SearchResult"]

log = logging.getLogger(__name__)

#: The lexical score's weight (as a share of the query's best) next to the semantic
#: one (the article's cosine in standard deviations above the query's mean). Chosen on
#: our own queries over reciprocal-rank fusion: see benchmarks/kb_search.py.
LEXICAL_WEIGHT = 3.0
#: A passage this close to the query puts it in this help centre's scope. (On our
#: queries 78% of those with an article reach it, 5% of the off-topic ones.)
OWN_TOPIC_COSINE = 0.87
#: ...unless the words' scope model is this sure it is not about our services (the near
#: misses "renew my passport", "what time is it" score under 0.15; a help desk's VPN and
#: printer questions, words it was never taught as ours, 0.3-0.5).
WORDS_SURELY_OFF_TOPIC = 0.25
#: ...or unless the passage holds this share of the query's informative words.
OWN_TOPIC_COVERAGE = 0.6


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    #: The language of the translation that matched best.
    lang: str
    score: float
    #: The passage of that translation that matched best.
    passage: Passage | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    #: Calibrated probability that ``hits[0]`` answers the query.
    confidence: float
    #: The evidence behind ``confidence`` (see :data:`calibration.FEATURES`).
    features: tuple[float, ...] = ()
    #: Best passage per (article, language) of the hits, for snippets in any language.
    best: dict[tuple[str, str], Passage] = field(default_factory=dict)
    #: Probability that the query is about the hosting company's services at all.
    in_scope: float = 1.0
    #: Whether ``in_scope`` was judged (by the embedding, the words or both).
    scope_known: bool = False

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def snippet(self, article_id: str, lang: str) -> str | None:
        passage = self.best.get((article_id, lang))
        return passage.snippet() if passage is not None and not passage.extra else None


class KBIndex:
    """An immutable search index over one :class:`KnowledgeBase`."""

    def __init__(
        self,
        kb: KnowledgeBase,
        calibration: Calibration | None = None,
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        bundled_vectors: Path | None = None,
        scope: ScopeModel | None = None,
    ) -> None:
        self.kb = kb
        self.calibration = calibration or Calibration()
        self.embedder = embedder
        self.scope = scope
        passages = [p for article in kb for p in passages_of(article)]
        self.passages = passages
        ids = sorted({p.article_id for p in passages})
        self._article_ids = ids
        position = {a: i for i, a in enumerate(ids)}
        self._article_of = np.asarray([position[p.article_id] for p in passages], dtype=np.intp)
        services = {a.id: a.service or "" for a in kb}
        self._first_lang = {p.article_id: p.lang for p in reversed(passages)}
        self._services = np.asarray([services.get(a, "") for a in ids], dtype=object)
        texts = [p.indexed for p in passages]
        self.lexical = LexicalIndex(texts, [p.lang for p in passages])
        self._vectors: np.ndarray | None = None
        if embedder is not None and passages:
            cache = VectorCache(cache_dir, embedder.version, bundled_vectors)
            self._vectors = cache.vectors([self.embedded_text(p) for p in passages], embedder)

    def __len__(self) -> int:
        return len(self.passages)

    @staticmethod
    def embedded_text(passage: Passage) -> str:
        """What the embedder reads of a passage: its title and heading give it a subject."""
        return ". ".join(part for part in (passage.title, passage.heading, passage.text) if part)

    def export_vectors(self, path: Path) -> int:
        """Write this index's passage vectors as a bundled cache file; how many."""
        if self._vectors is None or self.embedder is None:
            raise RuntimeError("no passage vectors: the embedder did not load")
        cache = VectorCache(None, self.embedder.version)
        texts = [self.embedded_text(p) for p in self.passages]
        cache.write(path, {cache.key(t): v for t, v in zip(texts, self._vectors, strict=True)})
        return len(texts)

    @property
    def semantic(self) -> bool:
        return self._vectors is not None and self.embedder is not None

    def _per_article(self, scores: np.ndarray) -> np.ndarray:
        best = np.full(len(self._article_ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._article_of, scores)
        return best

    def query_vector(self, text: str) -> np.ndarray | None:
        return self.embedder.query(text) if self.semantic and self.embedder else None

    def search(
        self,
        query: str,
        limit: int = 5,
        service: str | None = None,
        lang: str | None = None,
        words_scope: float | None = None,
    ) -> SearchResult:
        """Articles ranked for ``query``, with the calibrated confidence of the first.

        With ``service``, only articles of that service (or of none) are candidates; with
        ``lang``, a hit is that translation where the article has one. ``words_scope``:
        the probability, from the message's words (the intent model's scope head), that
        it is about our services; it joins the sentence embedding's, or stands alone
        without the embedder.
        """
        if not self.passages or not query.strip():
            return SearchResult(hits=[], confidence=0.0)
        allowed = np.ones(len(self._article_ids), dtype=bool)
        if service is not None:
            allowed = (self._services == service) | (self._services == "")
        parsed = self.lexical.parse(query)
        lexical_passages = self.lexical.scores(parsed)
        lexical = self._per_article(lexical_passages)
        lexical_ok = allowed & (lexical > 0)
        top_lexical = float(lexical[lexical_ok].max()) if lexical_ok.any() else 0.0
        fused = np.where(lexical_ok, LEXICAL_WEIGHT * lexical / (top_lexical or 1.0), 0.0)
        passage_scores = lexical_passages
        cosine = np.zeros(len(self._article_ids), dtype=np.float32)
        vector = self.query_vector(query)
        if vector is not None and self._vectors is not None:
            similarity = self._vectors @ vector
            cosine = self._per_article(similarity)
            # How far each article stands out from the rest for this query: cosines of
            # e5 sit in a narrow band whose place moves from query to query.
            band = cosine[allowed]
            fused += np.where(allowed, (cosine - band.mean()) / (band.std() + 1e-6), 0.0)
            # A passage's own rank for the snippet: its cosine, lifted by its words.
            passage_scores = similarity + 0.1 * lexical_passages / (top_lexical or 1.0)
            allowed_fused = allowed
        else:
            allowed_fused = lexical_ok
        candidates = np.flatnonzero(allowed_fused)
        if not len(candidates):
            return SearchResult(hits=[], confidence=0.0)
        # Ties (one ranking only) go to the better cosine, then the better BM25.
        order = sorted(candidates, key=lambda i: (-fused[i], -cosine[i], -lexical[i]))
        chosen = order[:limit]
        best: dict[tuple[str, str], Passage] = {}
        best_score: dict[tuple[str, str], float] = {}
        best_at: dict[tuple[str, str], int] = {}
        for index in np.flatnonzero(np.isin(self._article_of, order[:3])):
            passage = self.passages[int(index)]
            key = (passage.article_id, passage.lang)
            score = float(passage_scores[index])
            if key not in best_score or score > best_score[key]:
                best[key], best_score[key], best_at[key] = passage, score, int(index)
        hits: list[Hit] = []
        for index in chosen:
            article_id = self._article_ids[int(index)]
            langs = [(s, k[1]) for k, s in best_score.items() if k[0] == article_id]
            shown = max(langs)[1] if langs else self._first_lang[article_id]
            if lang is not None and (article_id, lang) in best:
                shown = lang
            hits.append(Hit(article_id, shown, float(fused[index]), best.get((article_id, shown))))
        above_mean = 0.0
        if vector is not None and self._vectors is not None:
            above_mean = float(cosine[order[0]]) - float(similarity.mean())
        top_at = best_at.get((hits[0].article_id, hits[0].lang))
        coverage = self.lexical.coverage(parsed, top_at) if top_at is not None else 0.0
        features = self._features(
            int(chosen[0]), cosine, allowed, lexical, lexical_ok, above_mean, coverage
        )
        confidence = self.calibration.confidence(features, self.semantic)
        in_scope, scope_known = self._scope(vector, words_scope)
        own_words = words_scope is None or words_scope >= WORDS_SURELY_OFF_TOPIC
        if (
            vector is not None
            and (own_words or coverage >= OWN_TOPIC_COVERAGE)
            and float(cosine.max()) >= OWN_TOPIC_COSINE
        ):
            # This help centre itself speaks of it, whatever a hosting company's scope
            # says: a help desk's VPN article answers "how do I connect?", its printer
            # article "the printer jams again" (its words are in the passage). Not when
            # the words are surely someone else's and the passage lacks them: "how do I
            # renew my passport" is as close to a domain-renewal article.
            in_scope = max(in_scope, 0.5)
        if in_scope < 0.5:
            # Banking, recipes, small talk: no article, however well words match.
            confidence = min(confidence, in_scope)
        return SearchResult(hits, confidence, features, best, in_scope, scope_known)

    def _scope(self, vector: np.ndarray | None, words_scope: float | None) -> tuple[float, bool]:
        """(probability in scope, whether anything judged it): the sentence embedding's
        model and the words' model, averaged where both run."""
        if vector is not None and self.scope is not None:
            in_scope = self.scope.in_scope(vector)
            if words_scope is not None and words_scope < in_scope:
                # Meaning and words: "pay my visa bill" sits near our billing article in
                # the embedding, but its words are a bank customer's. The words only
                # ever lower the embedding's view: "NE RADI!!!" is a hosting customer's
                # words and still says nothing a help centre could answer.
                in_scope = (in_scope + words_scope) / 2
            return in_scope, True
        if words_scope is not None:
            return words_scope, True
        return 1.0, False

    def _features(
        self,
        top: int,
        cosine: np.ndarray,
        allowed: np.ndarray,
        lexical: np.ndarray,
        lexical_ok: np.ndarray,
        spread: float,
        coverage: float,
    ) -> tuple[float, ...]:
        others = np.delete(np.where(allowed, cosine, -1.0), top)
        next_cosine = float(others.max()) if len(others) else 0.0
        semantic_top = int(np.argmax(np.where(allowed, cosine, -np.inf)))
        lexical_top = int(np.argmax(np.where(lexical_ok, lexical, -np.inf)))
        agree = float(bool(lexical_ok.any()) and semantic_top == lexical_top == top)
        return (
            float(cosine[top]),
            float(cosine[top]) - next_cosine if self.semantic else 0.0,
            agree if self.semantic else 0.0,
            spread,
            coverage,
        )
