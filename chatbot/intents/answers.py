"""What an answer to the bot's question means: yes, no, don't know, stop, a person, one of
the offered choices. Pure, and one layer below the engine: every dialogue state asks the
same :class:`AnswerReader` the same way, never a word list of its own.

Two parts, each measured in ``benchmarks/answers.py``:

* an *act* model, a logistic regression over word and character n-grams trained on
  natural answers in six languages (``data/answers/<lang>.yml``: ``acts``). It reads
  whole sentences ("no, same on my phone with mobile data", "ei toimi sielläkään") as one
  of ``yes``, ``no``, ``works``, ``broken``, ``dont_know``, ``cancel``, ``human`` or
  ``other``. What ``works`` and ``broken`` mean depends on the question (its *sense*):
  "it works in webmail" answers "does it work in webmail?" with yes, but "shall I open a
  ticket?" with no.
* a *choice* reader: the options the answer names, clause by clause, with the scope of
  "only", "fine" and negation ("only sending, receiving is fine" -> outgoing, "neither
  works" -> both), backed by a per-field model trained on example answers (``choices``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from chatbot.intents.classifier import TextFeatures
from chatbot.intents.linear import Heads
from chatbot.text_normalise import contains_phrase, fold, words
from chatbot.tickets.forms import Field

__all__ = ["ACTS", "Act", "AnswerReader", "Reading", "Sense"]

log = logging.getLogger(__name__)

ACTS = ("yes", "no", "works", "broken", "dont_know", "cancel", "human", "other")
#: How a yes/no question reads "it works" and "it is still broken".
Sense = Literal["works", "agree", "offer"]
Act = Literal["answer", "dont_know", "cancel", "human", "unclear"]

_SENSES: Mapping[str, Mapping[str, str]] = {
    # "Does it work in webmail?" "Did this solve your problem?"
    "works": {"yes": "yes", "works": "yes", "no": "no", "broken": "no"},
    # "May we change settings?" "Is everything correct?"
    "agree": {"yes": "yes", "no": "no"},
    # "Shall I open a ticket?": still broken means yes, it works now means no.
    "offer": {"yes": "yes", "no": "no", "broken": "yes", "works": "no"},
}
#: Below this probability the act model's best guess is no answer at all.
_ACT_MIN = 0.42
#: How sure the rest of a "don't know... ok, just tried: it works" answer must be.
_TRIED_NOW_MIN = 0.75
#: An escape ("stop", "a person please", "no idea") inside a free-text answer must be
#: this sure, and the answer short: "Outlook stopped working" is an answer.
_ESCAPE_MIN = 0.55
_ESCAPE_MAX_WORDS = 12
_CHOICE_MIN = 0.5
_CLAUSE_SPLIT = re.compile(r"[,.;:!?()\n]+|\s[-–—]\s")


@dataclass(frozen=True, slots=True)
class Reading:
    """One answer, read: what the customer did, the value if they answered."""

    act: Act
    value: str | None = None
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class _Cues:
    """Words that scope a choice: "only", "works fine", negation, clause joints."""

    only: tuple[tuple[str, ...], ...] = ()
    fine: tuple[tuple[str, ...], ...] = ()
    negation: tuple[tuple[str, ...], ...] = ()
    joints: tuple[tuple[str, ...], ...] = ()
    neither: tuple[tuple[str, ...], ...] = ()


@dataclass(slots=True)
class _Training:
    acts: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    choices: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    cues: dict[str, _Cues] = field(default_factory=dict)


def _phrases(items: Sequence[object] | None) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(str(item))) for item in items or () if words(str(item)))


def _load(folder: Path) -> tuple[_Training, str]:
    training = _Training()
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        data = yaml.safe_load(raw.decode("utf-8")) or {}
        lang = str(data.get("lang", path.stem))
        for label, examples in (data.get("acts") or {}).items():
            if str(label) not in ACTS:
                log.warning("%s: unknown answer act %r ignored", path, label)
                continue
            for example in examples or []:
                training.acts[0].append(str(example))
                training.acts[1].append(str(label))
        for field_name, options in (data.get("choices") or {}).items():
            texts, labels = training.choices.setdefault(str(field_name), ([], []))
            for option, examples in (options or {}).items():
                for example in examples or []:
                    texts.append(str(example))
                    labels.append(str(option))
        cues = data.get("cues") or {}
        earlier = training.cues.get(lang, _Cues())
        # Several files of one language add up; none replaces another's words.
        training.cues[lang] = _Cues(
            only=earlier.only + _phrases(cues.get("only")),
            fine=earlier.fine + _phrases(cues.get("fine")),
            negation=earlier.negation + _phrases(cues.get("negation")),
            joints=earlier.joints + _phrases(cues.get("joints")),
            neither=earlier.neither + _phrases(cues.get("neither")),
        )
    return training, digest.hexdigest()[:16]


def _plain(text: str) -> str:
    # Punctuation carries little here and misleads the character n-grams: "I think so?"
    # is the same answer as "I think so".
    return " ".join(words(text))


class _Model:
    """One logistic regression over word and character n-grams of the folded words."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str], c: float = 10.0) -> None:
        self.features = TextFeatures()
        matrix = self.features.fit_transform([_plain(t) for t in texts])
        self.model = LogisticRegression(C=c, max_iter=3000)
        self.model.fit(matrix, list(labels))
        self.labels: tuple[str, ...] = tuple(str(c) for c in self.model.classes_)
        # The fitted numbers read once: no sklearn machinery per message.
        self._rows = self.features.lean()
        self._heads = Heads([self.model], self.features.width)

    def _probs(self, text: str) -> np.ndarray:
        return self._heads.probabilities(self._rows(_plain(text)))[0]

    def best(self, text: str) -> tuple[str, float]:
        probs = self._probs(text)
        top = int(np.argmax(probs))
        return self.labels[top], float(probs[top])

    def probabilities(self, text: str) -> dict[str, float]:
        probs = self._probs(text)
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}


class AnswerReader:
    """Reads answers to yes/no, choice and free-text questions in six languages."""

    def __init__(self, training: _Training, version: str = "") -> None:
        texts, labels = training.acts
        if len(set(labels)) < 2:
            raise ValueError("data/answers needs examples of at least two answer acts")
        self.version = version
        self._acts = _Model(texts, labels)
        # An answer written exactly like an example means what the example means.
        seen: dict[str, set[str]] = {}
        for text, label in zip(texts, labels, strict=True):
            seen.setdefault(" ".join(words(text)), set()).add(label)
        self._known = {key: next(iter(v)) for key, v in seen.items() if key and len(v) == 1}
        self._choices = {
            name: _Model(texts_, labels_)
            for name, (texts_, labels_) in training.choices.items()
            if len(set(labels_)) > 1
        }
        self._cues = training.cues

    @classmethod
    def load(cls, folder: Path) -> AnswerReader:
        training, version = _load(folder)
        return cls(training, version)

    # -- acts -----------------------------------------------------------------------

    def act(self, text: str) -> tuple[str, float]:
        """The act model's reading of a whole answer: (act, probability)."""
        return max(self.probabilities(text).items(), key=lambda item: item[1])

    def escape(self, text: str, free_text: bool = False) -> Reading | None:
        """ "Stop", "a person please", "no idea": an answer that leaves the question,
        whatever was asked; ``None`` for an ordinary answer. With ``free_text`` (a
        question that wants words, not yes or no), "never mind, it works again" ends the
        form like "cancel"."""
        if len(words(text)) > _ESCAPE_MAX_WORDS:
            return None
        best: Reading | None = None
        for part in self._leading(text):
            label, prob = self.act(part)
            if free_text and label == "works" and prob >= _ESCAPE_MIN:
                label = "cancel"
            leaves = label in ("cancel", "human", "dont_know") and prob >= _ESCAPE_MIN
            if leaves and (best is None or prob > best.confidence):
                best = Reading(label, confidence=prob)  # type: ignore[arg-type]
        return best

    def yes_no(self, text: str, value: str | None, sense: Sense) -> Reading:
        """Yes, no, don't know, stop or a person, read out of a whole sentence.

        Customers answer first and explain after ("I think so? I was in there this
        morning"), so the first clause is read on its own too, and the surer of the two
        readings counts. Each reading weighs all acts that mean the same here: "no" and
        "it is still broken" both say no to "does it work in webmail?".
        """
        if value in ("yes", "no"):
            return Reading("answer", value, 1.0)
        readings = [self._yes_no_of(part, sense) for part in self._leading(text)]
        best = max(readings, key=lambda r: (r.act != "unclear", r.confidence))
        if best.act in ("dont_know", "unclear"):
            # "haven't tried... ok just did, webmail logs in fine": tried while writing,
            # the last sentence answers.
            # Only a report of how it behaves counts, not a bare "no" ("no other network").
            rest = self._after_first(text)
            if rest and not text.rstrip().endswith("?"):
                said = self.probabilities(rest)
                if max(said, key=said.__getitem__) in ("works", "broken"):
                    later = self._yes_no_of(rest, sense)
                    if later.act == "answer" and later.confidence >= _TRIED_NOW_MIN:
                        return later
        return (
            best if best.confidence >= _ACT_MIN else Reading("unclear", confidence=best.confidence)
        )

    def _yes_no_of(self, text: str, sense: Sense) -> Reading:
        probabilities = self.probabilities(text)
        meanings: dict[str, float] = {}
        for label, probability in probabilities.items():
            meaning = _SENSES[sense].get(label, label)
            meanings[meaning] = meanings.get(meaning, 0.0) + probability
        meanings.pop("other", None)
        for unused in ("works", "broken"):
            meanings.pop(unused, None)  # "works" means nothing to a question of agreement
        if not meanings:
            return Reading("unclear")
        meaning, probability = max(meanings.items(), key=lambda item: item[1])
        if meaning in ("yes", "no"):
            return Reading("answer", meaning, probability)
        return Reading(meaning, confidence=probability)  # type: ignore[arg-type]

    def probabilities(self, text: str) -> dict[str, float]:
        """The act model's distribution over :data:`ACTS` (an exact example: certain)."""
        tokens = words(text)
        if not tokens:
            return {"other": 1.0}
        known = self._known.get(" ".join(tokens))
        if known is not None:
            return {known: 1.0}
        return self._acts.probabilities(text)

    @staticmethod
    def _after_first(text: str) -> str:
        """What follows the first clause, or "" for a one-clause answer."""
        parts = _CLAUSE_SPLIT.split(text.strip(), maxsplit=1)
        return parts[1].strip() if len(parts) == 2 and words(parts[1]) else ""

    @staticmethod
    def _leading(text: str) -> list[str]:
        """The whole answer, and its first clause when there is more after it."""
        first = _CLAUSE_SPLIT.split(text.strip(), maxsplit=1)[0]
        parts = [text]
        if words(first) and len(words(first)) < len(words(text)):
            parts.append(first)
        return parts

    # -- choices --------------------------------------------------------------------

    def choice(self, spec: Field, text: str, value: str | None, lang: str) -> Reading:
        """The option a free answer chooses ("only sending, receiving is fine")."""
        values = [o.value for o in spec.options]
        if value in values:
            return Reading("answer", value, 1.0)
        folded = fold(text).strip(" .!?")
        for option in spec.options:
            if folded in {fold(v) for v in (option.value, *option.labels.values())}:
                return Reading("answer", option.value, 1.0)
        ruled = self._choice_by_rules(spec, text, lang)
        if ruled is not None:
            return Reading("answer", ruled, 0.9)
        escape = self.escape(text)
        if escape is not None:
            return escape
        model = self._choices.get(spec.name)
        if model is not None and words(text):
            chosen, prob = model.best(text)
            if prob >= _CHOICE_MIN and chosen in values:
                return Reading("answer", chosen, prob)
        return Reading("unclear")

    def _choice_by_rules(self, spec: Field, text: str, lang: str) -> str | None:
        cues = [self._cues[c] for c in dict.fromkeys((lang, "en")) if c in self._cues]
        named: list[str] = []
        only: list[str] = []
        fine: set[str] = set()
        neither = False
        for clause in self._clauses(text, cues):
            tokens = words(clause)
            here = [
                option.value
                for option in spec.options
                if any(
                    contains_phrase(tokens, phrase, whole_below=4)
                    for option_lang in dict.fromkeys((lang, "en"))
                    for phrase in option.words.get(option_lang, ())
                    if phrase
                )
            ]
            if any(contains_phrase(tokens, p) for c in cues for p in c.neither):
                neither = True
            if not here:
                continue
            says_fine = any(contains_phrase(tokens, p) for c in cues for p in c.fine)
            negated = any(
                contains_phrase(tokens, p, whole_below=3) for c in cues for p in c.negation
            )
            if says_fine and not negated:
                fine.update(here)
                continue
            named.extend(here)
            if any(contains_phrase(tokens, p) for c in cues for p in c.only):
                only.extend(here)
        values = {o.value for o in spec.options}
        together = "both" if "both" in values else ("all" if "all" in values else None)
        for pick in (only, named):
            # Named as broken in one clause and fine in another ("can't send from
            # Outlook... in webmail I can send"): the broken one is the answer.
            chosen = list(dict.fromkeys(pick))
            if len(chosen) == 1:
                return chosen[0]
            if len(chosen) > 1 and together is not None:
                return together if together in chosen or len(chosen) >= 2 else None
        if neither and together is not None:
            return together
        leftover = [v for v in values if v not in fine and v != together]
        if fine and len(leftover) == 1:
            return leftover[0]  # "receiving works fine" -> the other one
        return None

    @staticmethod
    def _clauses(text: str, cues: Sequence[_Cues]) -> list[str]:
        parts: list[str] = []
        for chunk in _CLAUSE_SPLIT.split(text):
            tokens = words(chunk)
            start = 0
            for i in range(1, len(tokens)):
                if any(tokens[i : i + len(j)] == list(j) for c in cues for j in c.joints):
                    parts.append(" ".join(tokens[start:i]))
                    start = i
            parts.append(" ".join(tokens[start:]))
        return [p for p in parts if p]
