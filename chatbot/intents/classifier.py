"""What the customer wants (intent) and what it is about (service).

Two logistic-regression models over word and character n-gram TF-IDF, trained on the
examples in ``data/intents/<lang>.yml`` of every language together. Training takes a few
seconds, so a trained model is cached on disk, keyed by a hash of the training data and
the library versions, and retrained only when those change: never per request.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from chatbot.intents.linear import Heads, SparseRow, Tfidf
from chatbot.recent import Recent
from chatbot.text_normalise import fold, words

__all__ = [
    "INTENTS",
    "SERVICES",
    "IntentClassifier",
    "Prediction",
    "TextFeatures",
    "TrainingSet",
    "load_training",
]

log = logging.getLogger(__name__)

INTENTS = (
    "greeting",
    "thanks",
    "goodbye",
    "human_agent",
    "ticket_status",
    "question",
    "problem",
    "out_of_scope",
    "about_bot",
    "how_are_you",
)
SERVICES = (
    "email",
    "website",
    "dns",
    "domain",
    "ssl",
    "database",
    "backup",
    "control_panel",
    "billing",
    "account",
    "cloud_server",
    "none",
)
_CACHE_VERSION = "5"
#: Trained models kept in the cache folder, the most recent first.
_CACHED_MODELS = 6
#: The intents whose examples are about the company's services, for the scope head; the
#: out-of-scope and small-talk ones are not.
_IN_SCOPE_INTENTS = frozenset({"question", "problem", "human_agent", "ticket_status"})
#: Intents that concern no service ("thanks" is about nothing we host), with the intent
#: confidence above which the service prediction is dropped.
_NO_SERVICE = {
    "greeting": 0.5,
    "thanks": 0.5,
    "goodbye": 0.5,
    "out_of_scope": 0.8,
    "about_bot": 0.5,
    "how_are_you": 0.5,
}
#: "Give me a human", "any news on HS-104233?" concern a service only when one is named,
#: which shows as a confident service prediction.
_SERVICE_IF_NAMED = {"human_agent": 0.6, "ticket_status": 0.6}


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    intent_confidence: float
    service: str | None
    service_confidence: float
    #: Services ranked by probability ("none" left out), for clarifying questions.
    service_ranking: tuple[tuple[str, float], ...]
    #: Probability, from the words alone, that the message is about the company's
    #: services at all (1.0 where no off-topic examples were given).
    in_scope: float = 1.0


@dataclass(frozen=True, slots=True)
class TrainingSet:
    texts: list[str]
    labels: list[str]
    langs: list[str]

    def extend(self, other: TrainingSet) -> TrainingSet:
        return TrainingSet(
            self.texts + other.texts, self.labels + other.labels, self.langs + other.langs
        )


def load_training(folder: Path) -> tuple[TrainingSet, TrainingSet]:
    """(intent examples, service examples) from every ``<lang>.yml`` in ``folder``."""
    intents = TrainingSet([], [], [])
    services = TrainingSet([], [], [])
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lang = str(data.get("lang", path.stem))
        for target, section, known in (
            (intents, "intents", INTENTS),
            (services, "services", SERVICES),
        ):
            for label, examples in (data.get(section) or {}).items():
                if label not in known:
                    log.warning("%s: unknown %s %r ignored", path, section, label)
                    continue
                for example in examples or []:
                    target.texts.append(str(example))
                    target.labels.append(str(label))
                    target.langs.append(lang)
    return intents, services


def load_scope(folder: Path) -> TrainingSet:
    """Off-topic (``offtopic``, label "out") and everyday in-scope (``inscope``, "in")
    messages from every ``<lang>.yml`` in ``folder`` (``data/offtopic``)."""
    scope = TrainingSet([], [], [])
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lang = str(data.get("lang", path.stem))
        for section, label in (("offtopic", "out"), ("inscope", "in")):
            for example in data.get(section) or []:
                scope.texts.append(str(example))
                scope.labels.append(label)
                scope.langs.append(lang)
    return scope


def scope_examples(intents: TrainingSet, services: TrainingSet, scope: TrainingSet) -> TrainingSet:
    """What the scope head learns from: the off-topic data, the intents' examples (a
    question or a problem is ours; small talk and out_of_scope are not) and the service
    examples (help-centre titles among them) as ours."""
    labels = ["in" if label in _IN_SCOPE_INTENTS else "out" for label in intents.labels]
    mapped = TrainingSet(intents.texts, labels, intents.langs)
    # "none" marks examples that name no service (greetings, thanks): not ours either.
    named = [i for i, label in enumerate(services.labels) if label != "none"]
    ours = TrainingSet(
        [services.texts[i] for i in named], ["in"] * len(named), [services.langs[i] for i in named]
    )
    return scope.extend(mapped).extend(ours)


def _evict_old_models(folder: Path) -> None:
    """Keep the few most recent trained models (one is about to be written): servers and
    tools with different help centres (their titles are scope examples) share the
    folder, and keeping only one made them evict each other and train again at every
    start."""
    dated: list[tuple[float, Path]] = []
    for path in folder.glob("intents-*.pickle"):
        with contextlib.suppress(OSError):  # another process removed it meanwhile
            dated.append((path.stat().st_mtime, path))
    dated.sort()
    for _, old in dated[: max(0, len(dated) - (_CACHED_MODELS - 1))]:
        old.unlink(missing_ok=True)


def _word_features(text: str) -> Iterator[str]:
    tokens = words(text)
    for i, token in enumerate(tokens):
        yield token
        if len(token) > 5 and not token.isdigit():
            yield token[:5] + "*"
        if i + 1 < len(tokens):
            yield token + " " + tokens[i + 1]


def _analyse_words(text: str) -> list[str]:
    return list(_word_features(text))


class TextFeatures:
    """Word (with 5-letter stems and bigrams) and character n-gram TF-IDF of folded text."""

    def __init__(self) -> None:
        self.word = TfidfVectorizer(analyzer=_analyse_words, sublinear_tf=True, min_df=1)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), preprocessor=fold, sublinear_tf=True, min_df=2
        )

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.word.fit_transform(texts), self.char.fit_transform(texts)], format="csr"
        )

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    @property
    def width(self) -> int:
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)

    def lean(self) -> Callable[[str], SparseRow]:
        """``transform`` of one text as its non-zero columns and values (the fitted
        vectorizers read once; see :mod:`chatbot.intents.linear`)."""
        word = Tfidf(self.word)
        char = Tfidf(self.char, offset=word.width)

        def row(text: str) -> SparseRow:
            (wc, wv), (cc, cv) = word.row(text), char.row(text)
            return np.concatenate([wc, cc]), np.concatenate([wv, cv])

        return row


class IntentClassifier:
    def __init__(
        self,
        intents: TrainingSet,
        services: TrainingSet,
        c: float = 20.0,
        scope: TrainingSet | None = None,
    ) -> None:
        """``scope``: off-topic and in-scope examples (:func:`load_scope`); with them a
        third model says how likely a message is about our services at all."""
        # One vocabulary for all models: a message is vectorised once per prediction.
        self._features = TextFeatures()
        extra = scope.texts if scope else []
        matrix = self._features.fit_transform([*intents.texts, *services.texts, *extra])
        split = len(intents.texts)
        end = split + len(services.texts)
        self._intent_model = LogisticRegression(C=c, max_iter=3000)
        self._intent_model.fit(matrix[:split], intents.labels)
        self._service_model = LogisticRegression(C=c, max_iter=3000)
        self._service_model.fit(matrix[split:end], services.labels)
        self._scope_model: LogisticRegression | None = None
        if scope and len(set(scope.labels)) == 2:
            examples = scope_examples(intents, services, scope)
            # The rows in the order of ``examples``: the scope data, the intents, the
            # services that name one.
            named = [split + i for i, label in enumerate(services.labels) if label != "none"]
            rows = [*range(end, matrix.shape[0]), *range(split), *named]
            ordered = matrix[rows]
            # Balanced: fewer off-topic examples than ours.
            self._scope_model = LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")
            self._scope_model.fit(ordered, examples.labels)
        self.intents: tuple[str, ...] = tuple(str(c) for c in self._intent_model.classes_)
        self.services: tuple[str, ...] = tuple(str(c) for c in self._service_model.classes_)
        self._read_models()

    def _read_models(self) -> None:
        """The fitted numbers read once, for a message's prediction without sklearn's
        per-call checks (the models stay for inspection and the benchmarks)."""
        self._rows = self._features.lean()
        models: list[LogisticRegression] = [self._intent_model, self._service_model]
        self._inside = -1
        if self._scope_model is not None:
            models.append(self._scope_model)
            self._inside = list(self._scope_model.classes_).index("in")
        self._heads = Heads(models, self._features.width)
        self._recent: Recent[Prediction] = Recent()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        # A cache of answers and what _read_models derives: not part of the model.
        for derived in ("_recent", "_rows", "_heads", "_inside"):
            state.pop(derived, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._read_models()

    @classmethod
    def load_or_train(
        cls,
        folder: Path,
        cache_dir: Path | None,
        extra_intents: TrainingSet | None = None,
        extra_services: TrainingSet | None = None,
        scope_folder: Path | None = None,
        extra_scope: TrainingSet | None = None,
    ) -> IntentClassifier:
        """The model for the data in ``folder`` (plus the extra examples, and the
        off-topic data in ``scope_folder`` with ``extra_scope``: the help centre's own
        titles and headings, labelled "in"), from ``cache_dir`` when one trained on
        exactly that data is there."""
        extra_intents = extra_intents or TrainingSet([], [], [])
        extra_services = extra_services or TrainingSet([], [], [])
        extra_scope = extra_scope or TrainingSet([], [], [])
        digest = hashlib.sha256(f"{_CACHE_VERSION}/{sklearn.__version__}".encode())
        scope_files = sorted(scope_folder.glob("*.yml")) if scope_folder else []
        for path in [*sorted(folder.glob("*.yml")), *scope_files]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        for extra in (extra_intents, extra_services, extra_scope):
            for text, label in zip(extra.texts, extra.labels, strict=True):
                digest.update(f"{label}\0{text}\0".encode())
        cache = cache_dir / f"intents-{digest.hexdigest()[:16]}.pickle" if cache_dir else None
        if cache is not None and cache.is_file():
            try:
                with cache.open("rb") as handle:
                    model = pickle.load(handle)
                if isinstance(model, cls):
                    return model
            except (OSError, pickle.UnpicklingError, AttributeError, EOFError) as exc:
                log.warning("intent model cache %s unreadable (%s); retraining", cache, exc)
        intents, services = load_training(folder)
        scope = load_scope(scope_folder).extend(extra_scope) if scope_folder else None
        model = cls(intents.extend(extra_intents), services.extend(extra_services), scope=scope)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            _evict_old_models(cache.parent)
            partial = cache.with_suffix(".tmp")
            with partial.open("wb") as handle:
                pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(cache)
        return model

    def predict(self, text: str) -> Prediction:
        return self._recent.get(text, lambda t: self.predict_many([t])[0])

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._predict(text) for text in texts]

    def _predict(self, text: str) -> Prediction:
        probabilities = self._heads.probabilities(self._rows(text))
        ip, sp = probabilities[0], probabilities[1]
        in_scope = float(probabilities[2][self._inside]) if self._inside >= 0 else 1.0
        return self._decide(ip, sp, in_scope)

    def _decide(self, ip: np.ndarray, sp: np.ndarray, in_scope: float) -> Prediction:
        best_intent = int(np.argmax(ip))
        order = np.argsort(-sp)
        ranking = tuple(
            (self.services[i], float(sp[i])) for i in order if self.services[i] != "none"
        )
        service = self.services[int(order[0])]
        intent = self.intents[best_intent]
        no_service = ip[best_intent] >= _NO_SERVICE.get(intent, 2.0)
        unnamed = sp[order[0]] < _SERVICE_IF_NAMED.get(intent, 0.0)
        if no_service or unnamed:
            service = "none"
        return Prediction(
            intent=self.intents[best_intent],
            intent_confidence=float(ip[best_intent]),
            service=None if service == "none" else service,
            service_confidence=float(sp[order[0]]),
            service_ranking=ranking,
            in_scope=float(in_scope),
        )
