"""Turning raw retrieval scores into a probability that the top article is right.

A logistic model over the top score and its margin over the runner-up, fitted by
``benchmarks/kb_search.py --calibrate`` on the development half of the labelled
queries and stored in ``data/kb_calibration.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Calibration"]


@dataclass(frozen=True, slots=True)
class Calibration:
    intercept: float = -6.0
    top: float = 22.0
    margin: float = 18.0

    def confidence(self, top_score: float, margin: float) -> float:
        z = self.intercept + self.top * top_score + self.margin * margin
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def load(cls, path: Path) -> Calibration:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            intercept=float(data["intercept"]),
            top=float(data["top"]),
            margin=float(data["margin"]),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
