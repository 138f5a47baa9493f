"""The conversation engine: ``turn(state, inbound, context) -> Turn``. Pure.

It never touches a socket, a database or a clock: the caller passes the state and the
message in, stores and emits the replies that come out, and keeps the new state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chatbot.engine.language import choose_language
from chatbot.engine.phrases import Phrasebook
from chatbot.engine.state import ConversationState
from chatbot.intents.entities import without_entities
from chatbot.intents.language import LanguageIdentifier
from chatbot.kb_search import KBIndex, SearchResult
from chatbot.text_normalise import words

__all__ = [
    "ArticleRef",
    "Ask",
    "EngineContext",
    "Inbound",
    "Option",
    "Reply",
    "Turn",
    "Understanding",
    "turn",
]

AskKind = Literal["text", "choice", "yes_no"]
SMALL_TALK = ("greeting", "thanks", "goodbye")


@dataclass(frozen=True, slots=True)
class Inbound:
    text: str
    value: str | None = None
    #: The stored message's sequence number (0 when not stored, e.g. ``chatbot ask``).
    seq: int = 0
    #: The widget's locale, used only while the conversation has no language yet.
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Ask:
    field: str
    kind: AskKind
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleRef:
    id: str
    lang: str
    title: str
    summary: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    lang: str
    articles: tuple[ArticleRef, ...] = ()
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the engine read out of one message (``chatbot ask`` prints it)."""

    language: str
    language_confidence: float
    intent: str | None
    search: SearchResult | None


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[Reply]
    state: ConversationState
    understanding: Understanding
    answered_article: str | None = None


@dataclass(frozen=True, slots=True)
class EngineContext:
    """Read-only collaborators of the engine, built once at start-up."""

    index: KBIndex
    phrases: Phrasebook
    languages: LanguageIdentifier
    company_name: str = "Aurora Hosting"
    #: Confidence at or above which the top article is offered as the answer.
    answer_threshold: float = 0.5
    #: Below this, the message is treated as unrelated to our services.
    related_threshold: float = 0.08
    fallback_language: str = "en"
    supported_languages: tuple[str, ...] = ("en", "nb", "hr", "fi", "ru", "hu")
    extra: dict[str, str] = field(default_factory=dict)


class _Speaker:
    """Builds replies in the conversation language."""

    def __init__(self, ctx: EngineContext, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self.replies: list[Reply] = []

    def say(self, key: str, ask: Ask | None = None, **values: str) -> None:
        values.setdefault("company", self.ctx.company_name)
        text = self.ctx.phrases.say(self.lang, key, **values)
        self.replies.append(Reply(text=text, lang=self.lang, ask=ask))

    def yes_no(self, field_name: str) -> Ask:
        label = self.ctx.phrases.label
        options = (Option("yes", label(self.lang, "yes")), Option("no", label(self.lang, "no")))
        return Ask(field=field_name, kind="yes_no", options=options)


def _yes_or_no(inbound: Inbound, phrases: Phrasebook) -> str | None:
    if inbound.value in ("yes", "no"):
        return inbound.value
    if phrases.matches(inbound.text, "yes"):
        return "yes"
    if phrases.matches(inbound.text, "no"):
        return "no"
    return None


def _update_language(
    state: ConversationState, inbound: Inbound, ctx: EngineContext
) -> tuple[ConversationState, float]:
    if state.language_source == "default" and inbound.locale in ctx.supported_languages:
        state = state.evolve(language=inbound.locale, language_source="locale")
    if not inbound.text:
        return state, 1.0
    lexicon: set[str] = set()
    for kind in ("greeting", "thanks", "goodbye", "yes", "no"):
        lexicon |= ctx.phrases.matches(inbound.text, kind)
    plain = without_entities(inbound.text)
    if not plain:
        return state, 0.0
    probs = ctx.languages.probabilities(plain)
    new_state = choose_language(state, plain, probs, lexicon)
    return new_state, probs.get(new_state.language, 0.0)


def _answer_with_article(
    speaker: _Speaker, ctx: EngineContext, article_id: str
) -> tuple[str, str] | None:
    article = ctx.index.kb.translation(article_id, speaker.lang, ctx.fallback_language)
    if article is None:
        return None
    if article.lang != speaker.lang:
        speaker.say("article_in_english", language=ctx.phrases.language_name(speaker.lang))
    intro = ctx.phrases.say(speaker.lang, "article_intro")
    ref = ArticleRef(article.id, article.lang, article.title, article.summary, article.url)
    text = f"{intro}\n\n{article.title}\n{article.summary}"
    speaker.replies.append(Reply(text=text, lang=speaker.lang, articles=(ref,)))
    speaker.say("ask_solved", ask=speaker.yes_no("solved"))
    return article.id, article.lang


def turn(state: ConversationState, inbound: Inbound, ctx: EngineContext) -> Turn:
    """Answer one customer message."""
    state, lang_confidence = _update_language(state, inbound, ctx)
    speaker = _Speaker(ctx, state.language)
    processed = max(state.processed_seq, inbound.seq)
    state = state.evolve(processed_seq=processed)

    def done(
        new_state: ConversationState,
        intent: str | None,
        search: SearchResult | None = None,
        article: str | None = None,
    ) -> Turn:
        understanding = Understanding(state.language, lang_confidence, intent, search)
        return Turn(speaker.replies, new_state, understanding, article)

    if state.awaiting in ("solved", "open_ticket"):
        answer = _yes_or_no(inbound, ctx.phrases)
        if answer is not None:
            settled = state.evolve(awaiting=None)
            if state.awaiting == "solved" and answer == "yes":
                speaker.say("solved_yes")
                return done(settled.evolve(misses=0), "thanks")
            if state.awaiting == "solved":
                speaker.say("solved_no")
                speaker.say("offer_ticket", ask=speaker.yes_no("open_ticket"))
                return done(state.evolve(awaiting="open_ticket"), "problem")
            if answer == "yes":
                speaker.say("ticket_unavailable")
                return done(settled, "human_agent")
            speaker.say("ticket_declined")
            return done(settled, None)
        state = state.evolve(awaiting=None)
    elif inbound.value in ("yes", "no") and not inbound.text:
        # A button pressed after its question was settled: nothing left to answer.
        return done(state, None)

    for kind in SMALL_TALK:
        if ctx.phrases.matches(inbound.text, kind):
            speaker.say(kind)
            return done(state, kind)

    query = ctx.phrases.strip_leading(inbound.text, "greeting")
    result = ctx.index.search(query)
    top = result.top
    if top is not None and result.confidence >= ctx.answer_threshold:
        answered = _answer_with_article(speaker, ctx, top.article_id)
        if answered is not None:
            new_state = state.evolve(
                awaiting="solved", article_id=answered[0], query=query, misses=0
            )
            return done(new_state, None, result, answered[0])
    if result.confidence < ctx.related_threshold:
        if len(words(query)) <= 2:
            speaker.say("rephrase")
            return done(state.evolve(misses=state.misses + 1), None, result)
        speaker.say("out_of_scope")
        return done(state.evolve(misses=state.misses + 1), "out_of_scope", result)
    speaker.say("no_article")
    speaker.say("offer_ticket", ask=speaker.yes_no("open_ticket"))
    new_state = state.evolve(awaiting="open_ticket", query=query, misses=state.misses + 1)
    return done(new_state, None, result)
