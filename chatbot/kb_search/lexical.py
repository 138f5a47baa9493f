"""BM25 over Snowball stems, per language, with typo repair.

Terms are Snowball stems (PyStemmer; its ``serbian`` stemmer serves Croatian in Latin
script), folded to lower case without diacritics because customers type "lozinka" and
"salasanaa" both with and without them. A passage is stemmed in its own language; a query
in all of them at once (its language is a guess, and a stem of the wrong language simply
matches nothing), so one index serves a six-language help centre.

IDF comes from the passage's own language: over six languages "the" is in a sixth of the
passages and would look informative. Typo repair replaces a query word missing from the
vocabulary by its closest known spelling ("pasword").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import Stemmer
from rapidfuzz import fuzz, process
from scipy import sparse

from chatbot.text_normalise import fold, words

__all__ = ["STEMMERS", "LexicalIndex", "query_terms", "raw_words", "terms"]

#: Snowball stemmers by language code; a language not here is only folded.
STEMMERS = {
    "en": "english",
    "nb": "norwegian",
    "hr": "serbian",
    "fi": "finnish",
    "ru": "russian",
    "hu": "hungarian",
}
_K1 = 1.2
_B = 0.75
_TYPO_CUTOFF = 88.0
_TYPO_MIN_LENGTH = 5


@lru_cache(maxsize=16)
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    name = STEMMERS.get(lang)
    return Stemmer.Stemmer(name, 20_000) if name else None


_RAW_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def raw_words(text: str) -> list[str]:
    """Lower-case words with their diacritics (the stemmers need them)."""
    return _RAW_WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def terms(text: str, lang: str) -> list[str]:
    """The index terms of a passage in ``lang``: folded stems, one per word."""
    stemmer = _stemmer(lang)
    raw = raw_words(text)
    stems = stemmer.stemWords(raw) if stemmer is not None else raw
    return [fold(s) for s in stems]


def query_terms(tokens: Sequence[str], raw: Sequence[str], langs: Iterable[str]) -> set[str]:
    """A query's terms: each word stemmed as every language would stem it, with and
    without its diacritics (``tokens`` folded, ``raw`` as typed)."""
    found: set[str] = set(tokens)
    for lang in langs:
        stemmer = _stemmer(lang)
        if stemmer is None:
            continue
        found.update(fold(s) for s in stemmer.stemWords(list(raw)))
        found.update(stemmer.stemWords(list(tokens)))
    return found


class LexicalIndex:
    """Okapi BM25 over passages, IDF and length normalised per language."""

    def __init__(self, texts: Sequence[str], langs: Sequence[str]) -> None:
        self.langs = tuple(sorted(set(langs)))
        docs = [terms(text, lang) for text, lang in zip(texts, langs, strict=True)]
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[float] = []
        for row, doc in enumerate(docs):
            for term, count in Counter(doc).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(float(count))
        self.vocabulary = vocabulary
        tf = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), (rows, cols)),
            shape=(len(docs), len(vocabulary)),
            dtype=np.float32,
        )
        lengths = np.asarray([len(d) for d in docs], dtype=np.float32)
        by_lang: dict[str, list[int]] = defaultdict(list)
        for row, lang in enumerate(langs):
            by_lang[lang].append(row)
        blocks: list[sparse.csr_matrix] = []
        order: list[int] = []
        self._present = sparse.csr_matrix(tf > 0)
        self._idf: dict[str, np.ndarray] = {}
        self._passage_lang = list(langs)
        for lang, lang_rows in by_lang.items():
            block = tf[lang_rows]
            n = len(lang_rows)
            df = np.asarray((block > 0).sum(axis=0)).ravel()
            idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
            idf[df == 0] = 0.0
            self._idf[lang] = idf
            length = lengths[lang_rows]
            norm = _K1 * (1.0 - _B + _B * length / max(float(length.mean()), 1.0))
            coo = block.tocoo()
            value = coo.data * (_K1 + 1.0) / (coo.data + norm[coo.row])
            value *= idf[coo.col]
            blocks.append(
                sparse.csr_matrix((value, (coo.row, coo.col)), shape=block.shape, dtype=np.float32)
            )
            order.extend(lang_rows)
        stacked = sparse.vstack(blocks, format="csr") if blocks else tf
        # Back to passage order, then transposed: a query reads only its terms' rows.
        inverse = np.empty(len(order), dtype=np.intp)
        inverse[np.asarray(order, dtype=np.intp)] = np.arange(len(order))
        self._postings = sparse.csr_matrix(stacked[inverse].T) if order else tf.T.tocsr()
        self._size = len(docs)
        # The folded words as written, for typo repair: candidates of length n +- 1.
        surface: set[str] = set()
        for text in texts:
            surface.update(words(text))
        self._surface = surface
        by_initial: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in surface:
            if len(word) >= _TYPO_MIN_LENGTH - 1 and not word.isdigit():
                for size in (len(word) - 1, len(word), len(word) + 1):
                    by_initial[(word[0], size)].append(word)
        self._by_initial = dict(by_initial)

    def __len__(self) -> int:
        return self._size

    def repair(self, tokens: Sequence[str]) -> list[str]:
        """Words missing from the help centre replaced by their closest known spelling."""
        repaired: list[str] = []
        for token in tokens:
            if token in self._surface or len(token) < _TYPO_MIN_LENGTH or token.isdigit():
                repaired.append(token)
                continue
            candidates = self._by_initial.get((token[0], len(token)), [])
            best = process.extractOne(
                token, candidates, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
            )
            repaired.append(best[0] if best is not None else token)
        return repaired

    def parse(self, query: str) -> list[list[int]]:
        """Per query word, the vocabulary ids of its stems in every language: what
        :meth:`scores` and :meth:`coverage` read, computed once per query."""
        tokens = words(query)
        raw = raw_words(query)
        fixed = self.repair(tokens)
        originals = raw if fixed == tokens and len(raw) == len(tokens) else fixed
        out: list[list[int]] = []
        for token, original in zip(fixed, originals, strict=True):
            found = query_terms([token], [original], self.langs)
            out.append(sorted({self.vocabulary[t] for t in found if t in self.vocabulary}))
        return out

    def scores(self, parsed: list[list[int]]) -> np.ndarray:
        """BM25 score of every passage for a parsed query (each term counted once)."""
        ids = sorted({i for word in parsed for i in word})
        if not ids:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._postings[ids].sum(axis=0), dtype=np.float32).ravel()

    def coverage(self, parsed: list[list[int]], passage: int) -> float:
        """The share of the query's words, weighed by their IDF in the passage's language,
        that occur in ``passage``: 1.0 when every informative word is there. Unlike a
        BM25 score it means the same in a help centre of 3 articles or of 3,000."""
        idf = self._idf.get(self._passage_lang[passage])
        if idf is None:
            return 0.0
        present = set(self._present[passage].indices.tolist())
        unseen = float(idf.max()) if len(idf) else 1.0
        total = matched = 0.0
        for ids in parsed:
            known = [float(idf[i]) for i in ids if idf[i] > 0]
            weight = max(known) if known else unseen
            total += weight
            if any(i in present for i in ids):
                matched += weight
        return matched / total if total else 0.0
