"""Intent and service of fresh customer messages (never in the training data), per language.

The cases live in ``tests/data/understanding_cases.yml``: 27 per language, two per intent
and one per service. A language passes when at most two intents and at most three
services of its 27 are wrong: a model that only guesses, or a language whose training data
is missing, fails at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from chatbot.engine import EngineContext
from chatbot.intents.classifier import INTENTS, SERVICES
from chatbot.settings import LANGUAGES

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "understanding_cases.yml").read_text(encoding="utf-8")
)["cases"]


def test_every_language_has_cases_for_every_intent_and_service() -> None:
    for lang in LANGUAGES:
        mine = [c for c in CASES if c["lang"] == lang]
        assert {c["intent"] for c in mine} == set(INTENTS), lang
        assert {c["service"] for c in mine} == set(SERVICES), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_and_service_of_fresh_messages(engine: EngineContext, lang: str) -> None:
    cases = [c for c in CASES if c["lang"] == lang]
    predictions = engine.understander.classifier.predict_many([c["text"] for c in cases])
    wrong_intents = [
        (c["text"], c["intent"], p.intent)
        for c, p in zip(cases, predictions, strict=True)
        if p.intent != c["intent"]
    ]
    wrong_services = [
        (c["text"], c["service"], p.service or "none")
        for c, p in zip(cases, predictions, strict=True)
        if (p.service or "none") != c["service"]
    ]
    assert len(wrong_intents) <= 2, wrong_intents
    assert len(wrong_services) <= 3, wrong_services


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_of_fresh_messages(engine: EngineContext, lang: str) -> None:
    cases = [c for c in CASES if c["lang"] == lang and len(c["text"].split()) >= 3]
    guesses = engine.languages.detect_many([c["text"] for c in cases])
    wrong = [(c["text"], g) for c, g in zip(cases, guesses, strict=True) if g != lang]
    assert len(wrong) <= 1, wrong
