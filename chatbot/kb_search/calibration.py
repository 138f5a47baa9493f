"""Turning a search's evidence into a probability that the top article is right.

A logistic model over a few features of the top article (its best passage's cosine to
the query, the cosine margin over the next article, whether the lexical and the semantic
rankings agree on it, how far its cosine stands above the mean passage's, the share of
the query's informative words its best passage holds). Each means the same in a help
centre of three articles or of three thousand: a score that grows with the number of
articles (a BM25 score, a z-score, a fused margin) would make a small help centre's
every guess look certain. Two sets
of weights: one for hybrid search, one for the lexical-only fallback. Fitted by
``benchmarks/kb_search.py --calibrate`` on our own query and off-topic sets (never on the
blind help centre) and stored in ``data/kb_calibration.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FEATURES", "Calibration", "Weights"]

#: The evidence about the top article, in the order the weights use.
FEATURES = ("cosine", "cosine_margin", "agree", "cosine_spread", "coverage")


@dataclass(frozen=True, slots=True)
class Weights:
    intercept: float
    coefficients: tuple[float, ...]

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.coefficients, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Weights:
        coefficients = raw.get("coefficients")
        if not isinstance(coefficients, list) or len(coefficients) != len(FEATURES):
            raise ValueError(f"calibration needs {len(FEATURES)} coefficients")
        intercept = raw.get("intercept", 0.0)
        if not isinstance(intercept, int | float):
            raise ValueError("calibration intercept must be a number")
        return cls(float(intercept), tuple(float(c) for c in coefficients))


# Sensible until fitted: trust a close cosine, agreement and a strong lexical match.
_HYBRID = Weights(-30.0, (30.0, 20.0, 1.5, 1.0, 1.0))
_LEXICAL = Weights(-4.0, (0.0, 0.0, 0.0, 1.0, 2.0))


@dataclass(frozen=True, slots=True)
class Calibration:
    hybrid: Weights = field(default=_HYBRID)
    lexical: Weights = field(default=_LEXICAL)

    def confidence(self, features: Sequence[float], semantic: bool) -> float:
        return (self.hybrid if semantic else self.lexical).probability(features)

    @classmethod
    def load(cls, path: Path) -> Calibration:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        if "hybrid" not in data:  # an older file: the defaults are better than its weights
            return cls()
        return cls(hybrid=Weights.parse(data["hybrid"]), lexical=Weights.parse(data["lexical"]))

    def save(self, path: Path) -> None:
        data = {
            "features": list(FEATURES),
            "hybrid": {
                "intercept": self.hybrid.intercept,
                "coefficients": self.hybrid.coefficients,
            },
            "lexical": {
                "intercept": self.lexical.intercept,
                "coefficients": self.lexical.coefficients,
            },
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
