"""Per-message language identification: character n-grams and naive Bayes.

Trained on the bundled help-centre articles and bot phrases (every language's text, and
the same text with diacritics folded away, since customers often type without them).
Only the per-message guess lives here; keeping one language per conversation is the
engine's job (``chatbot.engine.language``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

from chatbot.intents.linear import Heads, Tfidf
from chatbot.recent import Recent
from chatbot.text_normalise import fold

__all__ = ["LanguageIdentifier", "sentences"]

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:])\s+|\n+")
_MARKUP = re.compile(r"[#*_`>|\[\]()]+")


def sentences(text: str, min_chars: int = 12) -> Iterable[str]:
    """Markdown text -> plain sentences long enough to say something about language."""
    for part in _SENTENCE_SPLIT.split(_MARKUP.sub(" ", text)):
        part = " ".join(part.split())
        if len(part) >= min_chars and not part.startswith(("http", "www.")):
            yield part


class LanguageIdentifier:
    def __init__(self, samples: Sequence[tuple[str, str]]) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for text, lang in samples:
            texts.append(text)
            labels.append(lang)
            folded = fold(text)
            if folded != text.lower():
                texts.append(folded)
                labels.append(lang)
        if len(set(labels)) < 2:
            raise ValueError("language identification needs samples of two languages or more")
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), lowercase=True, sublinear_tf=True
        )
        features = self._vectorizer.fit_transform(texts)
        self._model = MultinomialNB(alpha=0.02)
        self._model.fit(features, labels)
        self.languages: tuple[str, ...] = tuple(str(c) for c in self._model.classes_)
        self._read_model()

    def _read_model(self) -> None:
        """The fitted numbers read once: a message's probabilities without sklearn's
        per-call checks (:mod:`chatbot.intents.linear`)."""
        self._tfidf = Tfidf(self._vectorizer)
        self._heads = Heads([self._model], self._tfidf.width)
        self._recent: Recent[dict[str, float]] = Recent()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for derived in ("_recent", "_tfidf", "_heads"):
            state.pop(derived, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._read_model()

    def probabilities(self, text: str) -> dict[str, float]:
        """A probability per language; Cyrillic text is Russian, the only such language."""
        return dict(self._recent.get(text, self._probabilities))

    def _probabilities(self, text: str) -> dict[str, float]:
        letters = _LETTER.findall(text)
        if letters and "ru" in self.languages:
            cyrillic = sum(1 for ch in letters if _CYRILLIC.match(ch))
            if cyrillic / len(letters) > 0.5:
                return {lang: (0.99 if lang == "ru" else 0.01 / 5) for lang in self.languages}
        probs = self._heads.probabilities(self._tfidf.row(text))[0]
        return {lang: float(p) for lang, p in zip(self.languages, probs, strict=True)}

    def detect_many(self, texts: Sequence[str]) -> list[str]:
        probs = self._model.predict_proba(self._vectorizer.transform(list(texts)))
        return [self.languages[int(i)] for i in np.argmax(probs, axis=1)]
