"""The lean inference of the text models gives what scikit-learn gives."""

from __future__ import annotations

import numpy as np
import sklearn

from chatbot.engine import EngineContext
from chatbot.intents.answers import _plain

TEXTS = [
    "my mail doesn't send since yesterday, error 550 5.7.1 relaying denied",
    "hei, nettsiden vår viser 503 etter oppdateringen",
    "ne radi mi e-pošta na mobitelu",
    "sähköposti ei lähde outlookista",
    "не могу зайти в панель управления",
    "nem jön a levél a gmailről",
    "thanks!",
    "",
    "zzzz qqqq ####",
    "how do I transfer money to my savings account?",
]


def test_the_intent_models_agree_with_sklearn(engine: EngineContext) -> None:
    classifier = engine.understander.classifier
    features = classifier._features.transform(TEXTS)
    with sklearn.config_context(assume_finite=True):
        intents = classifier._intent_model.predict_proba(features)
        services = classifier._service_model.predict_proba(features)
        assert classifier._scope_model is not None
        inside = list(classifier._scope_model.classes_).index("in")
        scopes = classifier._scope_model.predict_proba(features)[:, inside]
    for i, prediction in enumerate(classifier.predict_many(TEXTS)):
        best = int(np.argmax(intents[i]))
        assert prediction.intent == classifier.intents[best], TEXTS[i]
        assert abs(prediction.intent_confidence - intents[i][best]) < 1e-9
        assert abs(prediction.service_confidence - services[i].max()) < 1e-9
        assert abs(prediction.in_scope - scopes[i]) < 1e-9
        ranking = dict(prediction.service_ranking)
        for j, name in enumerate(classifier.services):
            if name != "none":
                assert abs(ranking[name] - services[i][j]) < 1e-9


def test_the_language_model_agrees_with_sklearn(engine: EngineContext) -> None:
    languages = engine.languages
    latin = [t for t in TEXTS if not any("\u0400" <= ch <= "\u04ff" for ch in t)]
    expected = languages._model.predict_proba(languages._vectorizer.transform(latin))
    for text, row in zip(latin, expected, strict=True):
        got = languages.probabilities(text)
        for lang, p in zip(languages.languages, row, strict=True):
            assert abs(got[lang] - p) < 1e-9, (text, lang)


def test_the_answer_models_agree_with_sklearn(engine: EngineContext) -> None:
    reader = engine.understander.answers
    answers = ["yes please", "no, same on my phone", "only sending, receiving is fine", "ne znam"]
    for model in [reader._acts, *reader._choices.values()]:
        plain = [_plain(answer) for answer in answers]
        expected = model.model.predict_proba(model.features.transform(plain))
        for answer, row in zip(answers, expected, strict=True):
            got = model.probabilities(answer)
            for label, p in zip(model.labels, row, strict=True):
                assert abs(got[label] - p) < 1e-6, (answer, label)
