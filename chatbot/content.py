"""Loading the bundled and configured content into the engine's read-only context."""

from __future__ import annotations

import logging
import time

from chatbot.engine import EngineContext
from chatbot.intents.classifier import SERVICES, TrainingSet, load_training
from chatbot.intents.language import LanguageIdentifier, sentences
from chatbot.intents.understanding import Understander
from chatbot.kb_search import Calibration, KBIndex, KnowledgeBase, load_kb
from chatbot.kb_search.passages import passages_of
from chatbot.kb_search.scope import ScopeModel
from chatbot.kb_search.semantic import load_embedder
from chatbot.phrases import Phrasebook
from chatbot.settings import LANGUAGES, Settings
from chatbot.tickets.account_actions import AccountActions
from chatbot.tickets.drafts import TitleMaker
from chatbot.tickets.forms import TicketForms
from chatbot.tickets.support_hours import SupportHours

__all__ = [
    "build_engine_context",
    "language_samples",
    "service_examples",
    "small_talk_examples",
]

log = logging.getLogger(__name__)


def language_samples(
    kb: KnowledgeBase, phrases: Phrasebook, chat: TrainingSet | None = None
) -> list[tuple[str, str]]:
    """Sentences labelled with their language, for language identification: help-centre
    text, bot phrases, and chat messages as customers type them (intent examples)."""
    samples: list[tuple[str, str]] = []
    if chat is not None:
        samples.extend(zip(chat.texts, chat.langs, strict=True))
    for article in kb:
        if article.lang not in LANGUAGES:
            continue
        samples.append((article.title, article.lang))
        samples.extend((s, article.lang) for s in sentences(article.summary + "\n" + article.body))
    for lang in phrases.languages:
        samples.extend((text, lang) for text in phrases.all_text(lang))
    return samples


def small_talk_examples(phrases: Phrasebook) -> TrainingSet:
    """The phrasebook's greeting, thanks and goodbye words as intent examples."""
    examples = TrainingSet([], [], [])
    for lang in phrases.languages:
        for kind in ("greeting", "thanks", "goodbye"):
            for text in sorted(phrases.expressions(lang, kind)):
                examples.texts.append(text)
                examples.labels.append(kind)
                examples.langs.append(lang)
    return examples


def service_examples(kb: KnowledgeBase) -> TrainingSet:
    """Help-centre articles as service examples: title, tags and summary of each."""
    examples = TrainingSet([], [], [])
    for article in kb:
        if not article.service or article.service not in SERVICES:
            continue
        for text in (article.title, " ".join(article.tags), article.summary):
            if text:
                examples.texts.append(text)
                examples.labels.append(article.service)
                examples.langs.append(article.lang)
    return examples


#: Intents whose examples name no service: for the service model they are "none", so
#: "I want a human" is about nothing yet, not about billing.
_SERVICE_FREE = ("greeting", "thanks", "goodbye", "human_agent", "about_bot", "how_are_you")


def scope_examples(kb: KnowledgeBase) -> TrainingSet:
    """The help centre's titles and section headings: what its customers may ask about,
    whatever the company does (a help desk's VPN, a shop's deliveries)."""
    examples = TrainingSet([], [], [])
    for article in kb:
        texts = [article.title, *(p.heading for p in passages_of(article) if p.heading)]
        for text in dict.fromkeys(texts):
            examples.texts.append(text)
            examples.labels.append("in")
            examples.langs.append(article.lang)
    return examples


def service_free_examples(intents: TrainingSet) -> TrainingSet:
    examples = TrainingSet([], [], [])
    for text, label, lang in zip(intents.texts, intents.labels, intents.langs, strict=True):
        if label in _SERVICE_FREE:
            examples.texts.append(text)
            examples.labels.append("none")
            examples.langs.append(lang)
    return examples


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
    embedder = load_embedder()
    scope = (
        ScopeModel.load(settings.content_dir / "kb_scope.json", embedder.version)
        if embedder is not None
        else None
    )
    index = KBIndex(
        kb,
        calibration,
        embedder,
        settings.cache_dir,
        bundled_vectors=settings.content_dir / "kb_vectors.npz",
        scope=scope,
    )
    intent_examples, service_examples_ = load_training(settings.content_dir / "intents")
    chat = intent_examples.extend(service_examples_)
    languages = LanguageIdentifier(language_samples(bundled_kb, phrases, chat))
    understander = Understander.load(
        settings.content_dir,
        settings.cache_dir,
        ticket_prefix=settings.ticket_prefix,
        extra_intents=small_talk_examples(phrases),
        extra_services=service_examples(bundled_kb).extend(service_free_examples(intent_examples)),
        extra_scope=scope_examples(kb),
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
        forms=TicketForms.load(settings.content_dir / "ticket_forms.yml"),
        titles=TitleMaker.load(settings.content_dir / "ticket_forms.yml"),
        hours=SupportHours.load(settings.content_dir / "support_hours.yml"),
        account_actions=AccountActions.load(settings.content_dir / "account_actions.yml"),
        company_name=settings.company_name,
        fallback_language="en",
        supported_languages=LANGUAGES,
    )
