"""Inference of the fitted text models without scikit-learn's per-call machinery.

scikit-learn's ``transform`` and ``predict_proba`` check their input, convert sparse
formats and consult the array API on every call: about 3 ms of a message's 10 ms of
understanding went there, for one row of a few hundred non-zero features. The models are
trained with scikit-learn as before; these classes read the fitted numbers once and
compute the same vectors and probabilities with a few numpy operations per message
(``tests/test_linear.py`` checks that they agree with scikit-learn's: to 1e-9, the answer
models to 1e-6).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

__all__ = ["Heads", "SparseRow", "Tfidf", "softmax"]

#: One text's features: the column of each non-zero value and the values.
SparseRow = tuple[np.ndarray, np.ndarray]


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    result: np.ndarray = shifted / shifted.sum()
    return result


class Tfidf:
    """A fitted :class:`TfidfVectorizer`'s ``transform`` of one text (L2-normalised,
    sublinear or raw term frequencies as fitted), as the non-zero columns and values,
    shifted by ``offset`` columns (for vectorizers stacked side by side)."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int = 0) -> None:
        if vectorizer.norm != "l2" or not vectorizer.use_idf:
            raise ValueError("only l2-normalised TF-IDF is supported")
        self._analyse: Callable[[str], list[str]] = vectorizer.build_analyzer()
        fitted = vectorizer.vocabulary_.items()
        self._vocabulary: dict[str, int] = {str(k): int(v) for k, v in fitted}
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._offset = offset
        self.width = len(self._idf)

    def row(self, text: str) -> SparseRow:
        vocabulary = self._vocabulary
        counts = Counter(
            index for index in map(vocabulary.get, self._analyse(text)) if index is not None
        )
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self._sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self._idf[columns]
        values /= np.sqrt(values @ values)
        return columns + self._offset, values


class Heads:
    """Several linear models over the same features, scored with one gather: the
    decision values of every class of every model for one text at once."""

    def __init__(self, models: Sequence[LogisticRegression | MultinomialNB], width: int) -> None:
        weights: list[np.ndarray] = []
        biases: list[np.ndarray] = []
        self._spans: list[tuple[int, int, bool]] = []
        start = 0
        for model in models:
            if isinstance(model, MultinomialNB):
                weight = np.asarray(model.feature_log_prob_, dtype=np.float64)
                bias = np.asarray(model.class_log_prior_, dtype=np.float64)
            else:
                weight = np.asarray(model.coef_, dtype=np.float64)
                bias = np.asarray(model.intercept_, dtype=np.float64)
            if weight.shape[1] != width:
                raise ValueError(f"a model reads {weight.shape[1]} features, not {width}")
            weights.append(weight)
            biases.append(bias)
            binary = weight.shape[0] == 1 and len(model.classes_) == 2
            self._spans.append((start, start + weight.shape[0], binary))
            start += weight.shape[0]
        # Features by classes, so that a text's few features are a gather of rows.
        self._weights = np.ascontiguousarray(np.vstack(weights).T)
        self._bias = np.concatenate(biases)

    def probabilities(self, row: SparseRow) -> list[np.ndarray]:
        """Each model's class probabilities, as its ``predict_proba`` gives them."""
        columns, values = row
        scores = values @ self._weights[columns] + self._bias
        result = []
        for start, end, binary in self._spans:
            if binary:
                # Binary logistic regression: the one score is the second class's log-odds.
                second = 1.0 / (1.0 + np.exp(-scores[start]))
                result.append(np.array([1.0 - second, second]))
            else:
                result.append(softmax(scores[start:end]))
        return result
