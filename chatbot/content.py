"""Loading the bundled and configured content into the engine's read-only context."""

from __future__ import annotations

import logging
import time

from chatbot.engine import EngineContext, Phrasebook
from chatbot.intents.language import LanguageIdentifier, sentences
from chatbot.intents.understanding import Understander
from chatbot.kb_search import Calibration, KBIndex, KnowledgeBase, load_kb
from chatbot.settings import LANGUAGES, Settings

__all__ = ["build_engine_context", "language_samples"]

log = logging.getLogger(__name__)


def language_samples(kb: KnowledgeBase, phrases: Phrasebook) -> list[tuple[str, str]]:
    """Sentences labelled with their language, for language identification."""
    samples: list[tuple[str, str]] = []
    for article in kb:
        if article.lang not in LANGUAGES:
            continue
        samples.append((article.title, article.lang))
        samples.extend((s, article.lang) for s in sentences(article.summary + "\n" + article.body))
    for lang in phrases.languages:
        samples.extend((text, lang) for text in phrases.all_text(lang))
    return samples


def build_engine_context(settings: Settings) -> EngineContext:
    """Everything the engine reads: phrases, the knowledge base index, language model.

    The language model always learns from the bundled help centre, so that a small or
    one-language knowledge base passed with ``--kb`` does not weaken it.
    """
    started = time.perf_counter()
    phrases = Phrasebook.load(settings.content_dir / "phrases")
    bundled_kb = load_kb(settings.content_dir / "kb")
    kb = bundled_kb if settings.kb_dir is None else load_kb(settings.kb_path)
    calibration = Calibration.load(settings.content_dir / "kb_calibration.json")
    index = KBIndex(kb, calibration)
    languages = LanguageIdentifier(language_samples(bundled_kb, phrases))
    understander = Understander.load(
        settings.content_dir, settings.cache_dir, ticket_prefix=settings.ticket_prefix
    )
    log.info(
        "engine ready: %d articles, %d languages, %.2fs",
        len(kb),
        len(phrases.languages),
        time.perf_counter() - started,
    )
    return EngineContext(
        index=index,
        phrases=phrases,
        languages=languages,
        understander=understander,
        company_name=settings.company_name,
        fallback_language="en",
        supported_languages=LANGUAGES,
    )
