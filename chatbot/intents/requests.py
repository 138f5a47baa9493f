"""Finding more than one request in one message.

"mail does not send, and how do I pay my invoice?" is two requests: the message is cut
at sentence ends and at the joining words of ``data/entities/<lang>.yml``
(``request_joiners``), each piece is classified, and two neighbouring pieces that ask or
report about different services become separate requests. Everything else stays one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import yaml

from chatbot.intents.classifier import IntentClassifier, Prediction
from chatbot.intents.entities import extract_entities
from chatbot.text_normalise import fold, words

__all__ = ["Request", "RequestSplitter"]

_ACTIONABLE = {"question", "problem"}
_MIN_WORDS = 3
_MIN_SERVICE_CONFIDENCE = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Request:
    text: str
    intent: str
    service: str | None


def _names_the_domain(piece: str, service: str) -> bool:
    """ "Mail is down. The domain is kafebar.no, customers get bounces": a sentence that
    names the domain tells a fact about the first request, not a domain request."""
    return service == "domain" and "?" not in piece and bool(extract_entities(piece)["domain"])


class RequestSplitter:
    def __init__(self, joiners: list[str]) -> None:
        phrases = sorted(
            {fold(j).strip() for j in joiners if fold(j).strip()}, key=len, reverse=True
        )
        alternatives = "|".join(re.escape(p) for p in phrases) or r"(?!x)x"
        # On folded text; a joiner must start a word and be followed by more words.
        self._joiner = re.compile(rf"(?:(?<=[\s,;:])|^)(?:{alternatives})(?=\s+\S)")

    @classmethod
    def load(cls, folder: Path) -> RequestSplitter:
        joiners: list[str] = []
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            joiners.extend(str(j) for j in data.get("request_joiners") or [])
        return cls(joiners)

    def pieces(self, text: str) -> list[str]:
        """``text`` cut at sentence ends and joiners (cuts only, no classification)."""
        folded = fold(text)
        if len(folded) != len(text):  # a letter that folds to two: cut the folded text
            text = folded
        cuts = {0, len(text)}
        cuts.update(m.end() for m in _SENTENCE_END.finditer(text))
        cuts.update(m.start() for m in self._joiner.finditer(folded) if m.start() > 0)
        bounds = sorted(cuts)
        parts = (text[a:b].strip(" ,;:-") for a, b in pairwise(bounds))
        return [p for p in parts if p]

    def split(
        self, text: str, classifier: IntentClassifier, whole: Prediction | None = None
    ) -> list[Request]:
        """One request per distinct ask; a single-request message gives one element.

        ``whole``: the prediction for all of ``text``, when the caller has it already.
        """

        def single() -> list[Request]:
            prediction = whole or classifier.predict(text)
            return [Request(text, prediction.intent, prediction.service)]

        pieces = [p for p in self.pieces(text) if len(words(p)) >= _MIN_WORDS]
        if len(pieces) < 2:
            return single()
        predictions = classifier.predict_many(pieces)
        requests: list[Request] = []
        for piece, prediction in zip(pieces, predictions, strict=True):
            service = (
                prediction.service
                if prediction.service_confidence >= _MIN_SERVICE_CONFIDENCE
                else None
            )
            previous = requests[-1] if requests else None
            separate = (
                previous is not None
                and prediction.intent in _ACTIONABLE
                and previous.intent in _ACTIONABLE
                and service is not None
                and previous.service is not None
                and service != previous.service
                and not _names_the_domain(piece, service)
            )
            if previous is None or separate:
                requests.append(Request(piece, prediction.intent, service))
            else:
                merged = f"{previous.text} {piece}"
                intent = previous.intent if previous.intent in _ACTIONABLE else prediction.intent
                requests[-1] = Request(merged, intent, previous.service or service)
        if len(requests) == 1:
            return single()
        return requests
