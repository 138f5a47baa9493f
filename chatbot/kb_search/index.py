"""Retrieval over the knowledge base: TF-IDF on words and character n-grams, typo repair.

Word features (each word plus a 5-letter prefix, a cheap stemmer that suits Finnish,
Hungarian, Croatian and Russian endings) catch the vocabulary; character n-grams of
the title, tags and summary catch inflections and typos; rapidfuzz repairs query words
that are not in the vocabulary at all. All translations of an article share its id, so an
article scores as its best-matching translation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from chatbot.kb_search.articles import Article, KnowledgeBase
from chatbot.kb_search.calibration import Calibration
from chatbot.text_normalise import fold, words

__all__ = ["Hit", "KBIndex", "SearchResult"]

_PREFIX = 5
_WORD_WEIGHT = 0.6
_CHAR_WEIGHT = 0.4
_TYPO_CUTOFF = 88.0
_TYPO_MIN_LENGTH = 5


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    #: The language of the translation that matched best.
    lang: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    #: Calibrated probability that ``hits[0]`` answers the query.
    confidence: float

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def _word_features(tokens: list[str]) -> Iterator[str]:
    for token in tokens:
        yield token
        if len(token) > _PREFIX and not token.isdigit():
            yield token[:_PREFIX] + "*"


class _LanguageTfidf:
    """TF-IDF whose IDF comes from each term's own language.

    Over a six-language corpus, "the" is in a sixth of the documents and looks
    informative; within English it is in all of them and weighs (almost) nothing. A
    term's IDF is taken in the language where it is most common, so stop words of every
    language fade without a stop-word list.
    """

    _FLOOR = 0.05

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.vectorizer = vectorizer
        self.idf = np.zeros(0, dtype=np.float32)

    def fit_transform(self, texts: list[str], langs: list[str]) -> sparse.csr_matrix:
        tf = sparse.csr_matrix(self.vectorizer.fit_transform(texts))
        present = (tf > 0).astype(np.float32)
        best_ratio = np.zeros(tf.shape[1], dtype=np.float64)
        idf = np.zeros(tf.shape[1], dtype=np.float64)
        labels = np.asarray(langs)
        for lang in sorted(set(langs)):
            rows = np.flatnonzero(labels == lang)
            df = np.asarray(present[rows].sum(axis=0)).ravel()
            ratio = df / len(rows)
            better = ratio > best_ratio
            best_ratio[better] = ratio[better]
            idf[better] = np.log((1 + len(rows)) / (1 + df[better]))
        self.idf = (idf + self._FLOOR).astype(np.float32)
        return self._weigh(tf)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return self._weigh(sparse.csr_matrix(self.vectorizer.transform(texts)))

    def _weigh(self, tf: sparse.csr_matrix) -> sparse.csr_matrix:
        weighted = sparse.csr_matrix(tf.multiply(self.idf.reshape(1, -1)), dtype=np.float32)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted, dtype=np.float32)


def _document_words(article: Article) -> str:
    # Title and tags say what the article is about; repeat them to weigh them up.
    tags = " ".join(article.tags)
    return "\n".join([article.title] * 3 + [tags] * 2 + [article.summary, article.body])


def _document_short(article: Article) -> str:
    return " ".join([article.title, " ".join(article.tags), article.summary])


class KBIndex:
    """An immutable search index over one :class:`KnowledgeBase`."""

    def __init__(self, kb: KnowledgeBase, calibration: Calibration | None = None) -> None:
        self.kb = kb
        self.calibration = calibration or Calibration()
        # Translations of one article sit next to each other, so that a per-article
        # maximum is one reduceat over the document scores.
        docs = sorted(kb.articles, key=lambda a: (a.id, a.lang))
        self._docs = docs
        self._article_ids: list[str] = []
        starts: list[int] = []
        for i, doc in enumerate(docs):
            if not self._article_ids or self._article_ids[-1] != doc.id:
                self._article_ids.append(doc.id)
                starts.append(i)
        self._starts = np.asarray(starts, dtype=np.intp)
        self._services = np.asarray([docs[i].service or "" for i in starts], dtype=object)
        self._word = _LanguageTfidf(
            TfidfVectorizer(
                analyzer=lambda text: list(_word_features(words(text))),
                sublinear_tf=True,
                use_idf=False,
                norm=None,
                dtype=np.float32,
            )
        )
        self._char = _LanguageTfidf(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                preprocessor=fold,
                sublinear_tf=True,
                use_idf=False,
                norm=None,
                dtype=np.float32,
            )
        )
        if docs:
            langs = [d.lang for d in docs]
            word_matrix = self._word.fit_transform([_document_words(d) for d in docs], langs)
            char_matrix = self._char.fit_transform([_document_short(d) for d in docs], langs)
            # Transposed (feature x document) so that a query costs only the postings
            # of its own features, not a pass over every document.
            self._word_postings = sparse.csr_matrix(word_matrix.T)
            self._char_postings = sparse.csr_matrix(char_matrix.T)
            vocabulary = self._word.vectorizer.vocabulary_
        else:
            vocabulary = {}
        self._vocabulary: set[str] = {w for w in vocabulary if not w.endswith("*")}
        # Candidates for a typo of length n: known words of length n - 1 to n + 1.
        by_initial: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self._vocabulary:
            if len(word) >= _TYPO_MIN_LENGTH - 1 and not word.isdigit():
                for length in (len(word) - 1, len(word), len(word) + 1):
                    by_initial[(word[0], length)].append(word)
        self._by_initial = dict(by_initial)

    def __len__(self) -> int:
        return len(self._docs)

    def repair(self, tokens: list[str]) -> list[str]:
        """Replace words missing from the vocabulary by their closest known spelling."""
        repaired: list[str] = []
        for token in tokens:
            if token in self._vocabulary or len(token) < _TYPO_MIN_LENGTH or token.isdigit():
                repaired.append(token)
                continue
            # One or two slips of the finger, not another word: "pasword", "wordpres".
            candidates = self._by_initial.get((token[0], len(token)), [])
            best = process.extractOne(
                token, candidates, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
            )
            repaired.append(best[0] if best is not None else token)
        return repaired

    def _scores(self, query: str) -> np.ndarray:
        tokens = self.repair(words(query))
        word_vector = self._word.transform([" ".join(tokens)])
        char_vector = self._char.transform([query])
        doc_scores = np.zeros(len(self._docs), dtype=np.float32)
        if word_vector.nnz:
            doc_scores += _WORD_WEIGHT * (word_vector @ self._word_postings).toarray()[0]
        if char_vector.nnz:
            doc_scores += _CHAR_WEIGHT * (char_vector @ self._char_postings).toarray()[0]
        return doc_scores

    def search(self, query: str, limit: int = 5, service: str | None = None) -> SearchResult:
        """Articles ranked for ``query``, with the calibrated confidence of the first.

        With ``service``, only articles of that service (or of none) are candidates.
        """
        if not self._docs or not query.strip():
            return SearchResult(hits=[], confidence=0.0)
        doc_scores = self._scores(query)
        article_scores = np.maximum.reduceat(doc_scores, self._starts)
        if service is not None:
            article_scores = np.where(
                (self._services == service) | (self._services == ""), article_scores, 0.0
            )
        count = min(limit, len(article_scores))
        top = np.argpartition(-article_scores, count - 1)[:count]
        top = top[np.argsort(-article_scores[top], kind="stable")]
        hits: list[Hit] = []
        for index in top:
            score = float(article_scores[index])
            if score <= 0.0:
                break
            start = int(self._starts[index])
            end = int(self._starts[index + 1]) if index + 1 < len(self._starts) else len(self._docs)
            best_doc = start + int(np.argmax(doc_scores[start:end]))
            hits.append(Hit(self._article_ids[index], self._docs[best_doc].lang, score))
        if not hits:
            return SearchResult(hits=[], confidence=0.0)
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        confidence = self.calibration.confidence(hits[0].score, hits[0].score - runner_up)
        return SearchResult(hits=hits, confidence=confidence)
