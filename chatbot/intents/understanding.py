"""Everything read out of one message: intent, service, entities, separate requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chatbot.intents.answers import AnswerReader
from chatbot.intents.classifier import IntentClassifier, Prediction, TrainingSet
from chatbot.intents.entities import extract_entities
from chatbot.intents.requests import Request, RequestSplitter
from chatbot.intents.software import mail_clients, operating_systems
from chatbot.intents.time_expressions import TimeReader

__all__ = ["Understander"]


@dataclass(frozen=True, slots=True)
class Understander:
    classifier: IntentClassifier
    splitter: RequestSplitter
    times: TimeReader
    answers: AnswerReader
    ticket_prefix: str = "HS"

    @classmethod
    def load(
        cls,
        content_dir: Path,
        cache_dir: Path | None,
        ticket_prefix: str,
        extra_intents: TrainingSet | None = None,
        extra_services: TrainingSet | None = None,
        extra_scope: TrainingSet | None = None,
    ) -> Understander:
        """``extra_*``: more examples, e.g. help-centre articles labelled by service, and
        the help centre's titles and headings as what its customers may ask about."""
        classifier = IntentClassifier.load_or_train(
            content_dir / "intents",
            cache_dir,
            extra_intents,
            extra_services,
            scope_folder=content_dir / "offtopic",
            extra_scope=extra_scope,
        )
        return cls(
            classifier=classifier,
            splitter=RequestSplitter.load(content_dir / "entities"),
            times=TimeReader.load(content_dir / "entities"),
            answers=AnswerReader.load(content_dir / "answers"),
            ticket_prefix=ticket_prefix,
        )

    def predict(self, text: str) -> Prediction:
        return self.classifier.predict(text)

    def requests(self, text: str, whole: Prediction | None = None) -> list[Request]:
        """``text`` as separate requests; ``whole`` saves classifying all of it again."""
        return self.splitter.split(text, self.classifier, whole)

    def entities(self, text: str, lang: str, now: datetime) -> dict[str, list[str]]:
        """``now``: when the customer wrote, in the company's time zone ("this morning")."""
        found = extract_entities(text, self.ticket_prefix)
        moment, said = self.times.read_said(text, lang, now)
        found["time"] = [moment] if moment else []
        found["time_said"] = [said] if moment and said else []
        found["mail_client"] = mail_clients(text)
        found["os"] = operating_systems(text)
        return found
