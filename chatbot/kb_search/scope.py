"""Is a message something a hosting help centre could answer at all?

A linear model over the query's sentence embedding (the vector search computes anyway),
trained on what customers of a hosting company ask (questions and problems in
``data/intents``, help-centre titles) against what they do not (banking, travel,
recipes, small talk: ``data/offtopic`` and the intents' off-topic and small talk). The
embedding carries meaning across the six languages, so "my bank account password" and
"my control panel password" land on different sides though the words overlap. Fitted
by ``benchmarks/kb_search.py --calibrate`` and shipped as ``data/kb_scope.json``;
without it, or without the embedder, everything is in scope and the confidence
calibration alone decides.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["ScopeModel"]


@dataclass(frozen=True, slots=True)
class ScopeModel:
    version: str
    intercept: float
    weights: np.ndarray

    def in_scope(self, vector: np.ndarray) -> float:
        """Probability that the message is about the hosting company's services."""
        if len(vector) != len(self.weights):
            return 1.0
        z = self.intercept + float(self.weights @ vector)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def load(cls, path: Path, version: str) -> ScopeModel | None:
        """The shipped model, if it was fitted on this embedder's vectors."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != version:
            return None
        return cls(version, float(data["intercept"]), np.asarray(data["weights"], np.float32))

    @classmethod
    def fit(
        cls, inside: np.ndarray, outside: np.ndarray, version: str, c: float = 10.0
    ) -> ScopeModel:
        from sklearn.linear_model import LogisticRegression

        matrix = np.vstack([inside, outside])
        labels = np.concatenate([np.ones(len(inside)), np.zeros(len(outside))])
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
        model.fit(matrix, labels)
        return cls(version, float(model.intercept_[0]), model.coef_[0].astype(np.float32))

    def save(self, path: Path) -> None:
        data = {
            "version": self.version,
            "intercept": self.intercept,
            "weights": [round(float(w), 6) for w in self.weights],
        }
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")

    def share_in_scope(self, vectors: Sequence[np.ndarray]) -> float:
        return sum(self.in_scope(v) >= 0.5 for v in vectors) / max(1, len(vectors))
