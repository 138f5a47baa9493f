"""The conversation engine: ``turn(state, inbound, context) -> Turn``. Pure.

It never touches a socket, a database or a clock: the caller passes the state, the
message and its time in, stores and emits the replies that come out, and keeps the new
state. What the bot waits for (an answer to a form question, "did this help?", a
ticket offer, a service, what a request for a person is about) picks one small function
in ``_WAITING``; a message that answers nothing pending is a new request
(``new_request.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from chatbot.engine.actions import Action, AttachToTicket
from chatbot.engine.builder import TurnBuilder
from chatbot.engine.context import EngineContext
from chatbot.engine.diagnosis_flow import diagnosis_done
from chatbot.engine.form_answers import handle_form
from chatbot.engine.form_flow import MAX_ASKS, handoff_now, start_form
from chatbot.engine.language import choose_language
from chatbot.engine.messages import Inbound, Reply
from chatbot.engine.new_request import (
    Message,
    count_ask,
    new_request,
    offer_or_start_form,
    times_asked,
)
from chatbot.engine.state import ConversationState
from chatbot.intents.answers import Reading, Sense
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import without_entities
from chatbot.intents.software import without_technical_words
from chatbot.kb_search import SearchResult
from chatbot.redaction import REDACTED
from chatbot.text_normalise import words

__all__ = ["Action", "Turn", "Understanding", "turn"]

#: The yes/no questions outside the form, and how each reads "it works".
_OFFERS: dict[str, Sense] = {
    "solved": "works",
    "open_ticket": "offer",
    "use_open_ticket": "agree",
    "diag_explained": "agree",
}
#: What "I don't know" (or a second unclear answer) to each offer leads to.
_OFFER_DEFAULT = {
    "solved": "no",
    "open_ticket": "yes",
    "use_open_ticket": "no",
    "diag_explained": "no",
}


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the engine read out of one message (``chatbot ask`` prints it)."""

    language: str
    language_confidence: float
    intent: str | None
    prediction: Prediction | None
    entities: dict[str, list[str]]
    requests: tuple[str, ...]
    search: SearchResult | None


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[Reply]
    state: ConversationState
    understanding: Understanding
    answered_article: str | None = None
    #: What the caller must do: open a ticket, add to one, check a domain.
    actions: tuple[Action, ...] = ()


_QUOTED_FIELDS = frozenset({"error_message"})


def _update_language(
    state: ConversationState, inbound: Inbound, ctx: EngineContext
) -> tuple[ConversationState, float]:
    if state.language_source == "default" and inbound.locale in ctx.supported_languages:
        state = state.evolve(language=inbound.locale, language_source="locale")
    # Names, addresses, product names and error codes are not the customer's language,
    # and a pressed button's label is ours.
    plain = without_technical_words(without_entities(inbound.text))
    if not plain or inbound.value is not None:
        return state, 0.0
    lexicon: set[str] = set()
    for kind in ("greeting", "thanks", "goodbye", "yes", "no"):
        lexicon |= ctx.phrases.matches(plain, kind)
    probs = ctx.languages.probabilities(plain)
    # An error message is quoted from the software, often in English: never a switch.
    if state.form is not None and state.form.get("asking") in _QUOTED_FIELDS:
        return state, 0.0
    answering = state.form is not None or state.awaiting is not None
    new_state = choose_language(state, plain, probs, lexicon, answering=answering)
    return new_state, probs.get(new_state.language, 0.0)


def _merge_facts(facts: dict[str, list[str]], found: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {kind: list(values) for kind, values in facts.items()}
    for kind, values in found.items():
        for value in values:
            if value not in merged.setdefault(kind, []):
                merged[kind].append(value)
    return {kind: values for kind, values in merged.items() if values}


def _offer_answer(t: TurnBuilder, asked: str, answer: str) -> None:
    """Yes or no to one of the offers outside the form."""
    inbound = t.inbound
    t.state = t.state.evolve(awaiting=None, pending_ask=None)
    if asked == "solved" and answer == "yes":
        t.intent = "thanks"
        t.say("solved_yes", feedback="confirmed")
        t.state = t.state.evolve(misses=0, asked={})
        t.next_request()
    elif asked == "solved":
        t.intent = "problem"
        t.say("solved_no", feedback="not_helpful")
        _offer_ticket(t)
    elif asked == "use_open_ticket" and answer == "yes" and t.state.offered_ticket:
        t.actions.append(AttachToTicket(t.state.offered_ticket))
        t.say("ticket_attached", ticket=t.state.offered_ticket)
        t.state = t.state.evolve(offered_ticket=None)
        t.next_request()
    elif asked == "use_open_ticket":
        t.state = t.state.evolve(offered_ticket=None)
        start_form(t, t.state.service, t.state.query or inbound.text, inbound.identity)
    elif asked == "diag_explained" and answer == "yes":
        t.intent = "thanks"
        t.say("solved_yes")
        t.next_request()
    elif asked == "diag_explained":
        t.intent = "problem"
        start_form(t, t.state.service, t.state.query or inbound.text, inbound.identity)
    elif answer == "yes":
        t.intent = "problem"
        offer_or_start_form(t, inbound)
    else:
        t.say("ticket_declined")
        t.state = t.state.evolve(asked={})
        t.next_request()


def _offer_ticket(t: TurnBuilder) -> None:
    count_ask(t, "open_ticket")
    t.say("offer_ticket", ask=t.yes_no("open_ticket"))
    t.state = t.state.evolve(awaiting="open_ticket")


def _on_offer(t: TurnBuilder, m: Message) -> bool:
    """An answer to "did this help?", "shall I open a ticket?" and the like."""
    asked = t.state.awaiting or ""
    reading: Reading = t.ctx.understander.answers.yes_no(
        m.inbound.text, m.inbound.value, _OFFERS[asked]
    )
    if reading.act == "answer" and reading.value:
        _offer_answer(t, asked, reading.value)
        return True
    if reading.act == "human":
        t.intent = "human_agent"
        t.say("form_human")
        t.state = t.state.evolve(awaiting=None)
        handoff_now(t, m.inbound)
        return True
    if reading.act == "cancel":
        t.say("ticket_cancelled")
        t.state = t.state.evolve(awaiting=None, pending_ask=None, asked={})
        return True
    if reading.act == "unclear" and m.new_request():
        t.state = t.state.evolve(awaiting=None)
        return False
    if reading.act == "dont_know" or times_asked(t, asked) >= MAX_ASKS:
        _offer_answer(t, asked, _OFFER_DEFAULT[asked])
        return True
    # Once more, saying why: "I couldn't tell whether that means yes or no".
    count_ask(t, asked)
    phrases = t.ctx.phrases
    again = phrases.say(t.lang, "form_again_yes_no")
    question = phrases.say(t.lang, _OFFER_QUESTION[asked], company=t.ctx.company_name)
    t.say_text(f"{again} {question}", t.yes_no(asked))
    return True


_OFFER_QUESTION = {
    "solved": "ask_solved",
    "open_ticket": "offer_ticket",
    "use_open_ticket": "offer_ticket",
    "diag_explained": "diag_explains",
}


def _on_service(t: TurnBuilder, m: Message) -> bool:
    """The answer to "which service is this about?"."""
    ctx = t.ctx
    inbound = m.inbound
    service = (
        inbound.value
        if inbound.value in ctx.understander.classifier.services
        else ctx.phrases.service_named(inbound.text, t.lang)
    )
    p = m.prediction
    if service is None and p is not None and p.service_confidence >= ctx.service_threshold:
        service = p.service
    query = t.state.query or ""
    t.state = t.state.evolve(awaiting=None, pending_ask=None)
    if service is None:
        return False
    if not words(query):
        # Picked under a greeting: nothing to search yet, so ask what it is about.
        label = ctx.phrases.service_label(t.lang, service)
        t.state = t.state.evolve(service=service, awaiting="topic")
        t.say("ask_topic", service=label, ask=t.ask("topic", "text"))
        return True
    # Search again for the original question, now within the chosen service.
    original = ctx.understander.predict(query)
    t.intent = original.intent
    t.answer_query(query, original, service=service)
    return True


def _on_topic(t: TurnBuilder, m: Message) -> bool:
    """What the customer needs, once they picked a service with nothing said yet."""
    t.state = t.state.evolve(awaiting=None, pending_ask=None)
    service = t.state.service
    escape = t.ctx.understander.answers.escape(m.inbound.text)
    if escape is not None and escape.act == "cancel":
        t.say("ticket_cancelled")
        return True
    if escape is not None or not words(m.inbound.text):
        # "I don't know", "a person please": the team asks; the form collects the facts.
        start_form(t, service, "", m.inbound.identity, chosen=True)
        return True
    prediction = m.prediction or t.ctx.understander.predict(m.inbound.text)
    t.intent = prediction.intent
    t.state = t.state.evolve(asked={})
    t.answer_query(m.inbound.text, prediction, service=service)
    return True


def _on_human_topic(t: TurnBuilder, m: Message) -> bool:
    """What a request for a person is about: one answer, then the handoff."""
    t.state = t.state.evolve(awaiting=None, pending_ask=None)
    escape = t.ctx.understander.answers.escape(m.inbound.text)
    if escape is not None and escape.act == "cancel":
        t.say("ticket_cancelled")
        return True
    t.intent = "human_agent"
    topic = m.inbound.text if escape is None else (t.state.query or "")
    if m.prediction is not None and m.prediction.service and not t.state.service:
        t.state = t.state.evolve(service=m.prediction.service)
    t.say("form_human")
    handoff_now(t, m.inbound, topic)
    return True


def _on_form(t: TurnBuilder, m: Message) -> bool:
    handle_form(t, m.inbound, m.entities, m.prediction)
    return True


_WAITING: dict[str, Callable[[TurnBuilder, Message], bool]] = {
    "form": _on_form,
    "solved": _on_offer,
    "open_ticket": _on_offer,
    "use_open_ticket": _on_offer,
    "diag_explained": _on_offer,
    "service": _on_service,
    "human_topic": _on_human_topic,
    "topic": _on_topic,
}


def _waiting_for(state: ConversationState) -> str | None:
    return "form" if state.form is not None else state.awaiting


#: Understanding reads this much of a message: a question is in its first lines, and the
#: cost of reading grows with the length (the whole message is stored for the agent).
UNDERSTOOD_CHARS = 1000


def _clipped(inbound: Inbound) -> Inbound:
    if len(inbound.text) <= UNDERSTOOD_CHARS:
        return inbound
    cut = inbound.text.rfind(" ", 0, UNDERSTOOD_CHARS)
    return replace(inbound, text=inbound.text[: cut if cut > 0 else UNDERSTOOD_CHARS])


def turn(state: ConversationState, inbound: Inbound, ctx: EngineContext) -> Turn:
    """Answer one customer message."""
    inbound = _clipped(inbound)
    state, lang_confidence = _update_language(state, inbound, ctx)
    state = state.evolve(processed_seq=max(state.processed_seq, inbound.seq))
    local = inbound.at.astimezone(ctx.hours.timezone)
    entities = ctx.understander.entities(inbound.text, state.language, local)
    state = state.evolve(facts=_merge_facts(state.facts, entities))
    t = TurnBuilder(ctx, state, inbound)
    prediction = ctx.understander.predict(inbound.text) if inbound.text else None
    requests: tuple[str, ...] = ()

    def done() -> Turn:
        understanding = Understanding(
            language=t.lang,
            language_confidence=lang_confidence,
            intent=t.intent,
            prediction=prediction,
            entities=entities,
            requests=requests,
            search=t.search,
        )
        return Turn(t.replies, t.state, understanding, t.answered, tuple(t.actions))

    if inbound.diagnosis is not None:
        diagnosis_done(t, inbound.diagnosis, inbound)
        return done()
    if inbound.value is not None and inbound.ask_id and inbound.ask_id != t.state.pending_ask:
        # A button under an earlier, settled question: it answers nothing now.
        t.say("stale_button")
        return done()
    if REDACTED in inbound.text:
        t.say("redacted_warning")
    if ctx.phrases.contains(inbound.text, "urgent"):
        t.state = t.state.evolve(urgent=True)
    message = Message(inbound, entities, prediction)
    waiting = _waiting_for(t.state)
    handler = _WAITING.get(waiting or "")
    if handler is not None and handler(t, message):
        return done()
    if t.state.awaiting is not None:
        t.state = t.state.evolve(awaiting=None)
    if prediction is None or inbound.value is not None:
        return done()  # a button pressed again after its question was settled
    requests = new_request(t, message)
    return done()
