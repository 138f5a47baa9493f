"""What the bot says, per language, loaded from ``data/phrases/<lang>.yml``."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from chatbot.text_normalise import fold, words

__all__ = ["Phrasebook"]

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class _Language:
    name: str
    phrases: Mapping[str, str]
    labels: Mapping[str, str]
    #: kind ("yes", "greeting", ...) -> folded expressions
    words: Mapping[str, frozenset[str]]
    #: service code -> its name in this language
    services: Mapping[str, str]
    date_format: str
    day_format: str
    clock_format: str
    status_names: Mapping[str, str]


class Phrasebook:
    """Every user-visible sentence in every language; English fills any gap."""

    def __init__(self, languages: Mapping[str, _Language], fallback: str = "en") -> None:
        if fallback not in languages:
            raise ValueError(f"the phrasebook has no {fallback!r} file")
        self._languages = dict(languages)
        self.fallback = fallback

    @classmethod
    def load(cls, folder: Path) -> Phrasebook:
        languages: dict[str, _Language] = {}
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            raw_words = data.get("words") or {}
            languages[path.stem] = _Language(
                name=str(data.get("language_name", path.stem)),
                phrases={str(k): str(v) for k, v in (data.get("phrases") or {}).items()},
                labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
                words={
                    str(kind): frozenset(" ".join(words(str(w))) for w in items or [])
                    for kind, items in raw_words.items()
                },
                services={str(k): str(v) for k, v in (data.get("services") or {}).items()},
                date_format=str(data.get("date_format") or "%Y-%m-%d %H:%M"),
                day_format=str(data.get("day_format") or "%Y-%m-%d"),
                clock_format=str(data.get("clock_format") or "%H:%M"),
                status_names={
                    str(k): str(v) for k, v in (data.get("ticket_status_names") or {}).items()
                },
            )
        book = cls(languages)
        book._check()
        return book

    def _check(self) -> None:
        reference = self._languages[self.fallback]
        for lang, language in self._languages.items():
            missing = set(reference.phrases) - set(language.phrases)
            if missing:
                log.warning("phrases/%s.yml lacks %s; English is used", lang, sorted(missing))
            for key, text in language.phrases.items():
                expected = set(_PLACEHOLDER.findall(reference.phrases.get(key, "")))
                if set(_PLACEHOLDER.findall(text)) != expected:
                    log.warning("phrases/%s.yml: %r has other placeholders than English", lang, key)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._languages)

    def say(self, lang: str, key: str, **values: str) -> str:
        language = self._languages.get(lang, self._languages[self.fallback])
        template = language.phrases.get(key) or self._languages[self.fallback].phrases[key]
        return template.format_map(_Defaults(values))

    def label(self, lang: str, key: str) -> str:
        language = self._languages.get(lang, self._languages[self.fallback])
        return language.labels.get(key) or self._languages[self.fallback].labels.get(key, key)

    def date_format(self, lang: str) -> str:
        return self._languages.get(lang, self._languages[self.fallback]).date_format

    def day_format(self, lang: str) -> str:
        return self._languages.get(lang, self._languages[self.fallback]).day_format

    def format_time(self, lang: str, local: datetime, *, date_only: bool = False) -> str:
        """``local`` in the language's own date format, with its time zone named
        ("01.12.2026 klo 19.00 CET"); ``date_only`` leaves the clock out."""
        language = self._languages.get(lang, self._languages[self.fallback])
        if date_only:
            return local.strftime(language.day_format)
        zone = local.tzname() or ""
        return f"{local.strftime(language.date_format)} {zone}".strip()

    def format_clock(self, lang: str, local: datetime) -> str:
        """The time of day of ``local`` with its zone ("klo 20.00 CET")."""
        language = self._languages.get(lang, self._languages[self.fallback])
        return f"{local.strftime(language.clock_format)} {local.tzname() or ''}".strip()

    def status_name(self, lang: str, status: str) -> str:
        language = self._languages.get(lang, self._languages[self.fallback])
        return language.status_names.get(status) or status

    def service_label(self, lang: str, service: str) -> str:
        language = self._languages.get(lang, self._languages[self.fallback])
        fallback = self._languages[self.fallback].services.get(service, service)
        return language.services.get(service, fallback)

    def service_named(self, text: str, lang: str) -> str | None:
        """The service whose name (in ``lang`` or English) ``text`` is, if any."""
        key = " ".join(words(text))
        for code_lang in dict.fromkeys((lang, self.fallback)):
            language = self._languages.get(code_lang)
            if language is None:
                continue
            for code, name in language.services.items():
                if key and (key == " ".join(words(name)) or key == code.replace("_", " ")):
                    return code
        return None

    def language_name(self, lang: str) -> str:
        language = self._languages.get(lang)
        return language.name if language else lang

    def matches(self, text: str, kind: str) -> set[str]:
        """Languages in which the whole of ``text`` is one expression of ``kind``.

        ``"Kiitos!!"`` matches ``thanks`` in Finnish. Punctuation and case do not matter.
        """
        key = " ".join(words(text))
        if not key:
            return set()
        return {
            lang
            for lang, language in self._languages.items()
            if key in language.words.get(kind, frozenset())
        }

    def contains(self, text: str, kind: str) -> bool:
        """Whether any expression of ``kind`` (in any language) occurs in ``text``."""
        padded = " " + " ".join(words(text)) + " "
        return any(
            f" {expression} " in padded
            for language in self._languages.values()
            for expression in language.words.get(kind, frozenset())
            if expression
        )

    def strip_leading(self, text: str, kind: str) -> str:
        """``"hi, my mail is down"`` -> ``"my mail is down"`` when ``hi`` is a greeting."""
        tokens = text.split()
        for length in (3, 2, 1):
            if len(tokens) > length and self.matches(" ".join(tokens[:length]), kind):
                return " ".join(tokens[length:]).lstrip(",.!;:- ")
        return text

    def expressions(self, lang: str, kind: str) -> frozenset[str]:
        """The folded expressions of one kind ("greeting", "yes"...) in one language."""
        language = self._languages.get(lang)
        return language.words.get(kind, frozenset()) if language else frozenset()

    def all_text(self, lang: str) -> list[str]:
        """Every phrase and word of one language: language-identification samples."""
        language = self._languages.get(lang)
        if language is None:
            return []
        return [
            *language.phrases.values(),
            *(fold(w) for ws in language.words.values() for w in ws),
        ]
