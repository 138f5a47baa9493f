"""The conversation engine: ``turn(state, inbound, context) -> Turn``. Pure.

It never touches a socket, a database or a clock: the caller passes the state, the
message and its time in, stores and emits the replies that come out, and keeps the new
state. What the bot waits for (an answer to a form question, "did this help?", a
ticket offer, a service, what a request for a person is about) picks one small function
in ``_WAITING``; a message that answers nothing pending is a new request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from chatbot.engine.actions import Action, AttachToTicket
from chatbot.engine.builder import VAGUE_MAX_WORDS, TurnBuilder
from chatbot.engine.context import EngineContext
from chatbot.engine.diagnosis_flow import diagnosis_done, start_diagnosis
from chatbot.engine.form_answers import handle_form
from chatbot.engine.form_flow import MAX_ASKS, handoff_now, start_form
from chatbot.engine.language import choose_language
from chatbot.engine.messages import Inbound, Reply
from chatbot.engine.state import ConversationState
from chatbot.intents.answers import Reading, Sense
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import without_entities
from chatbot.intents.software import without_technical_words
from chatbot.kb_search import SearchResult
from chatbot.redaction import REDACTED
from chatbot.text_normalise import words
from chatbot.tickets.drafts import TicketSummary

__all__ = ["Action", "Turn", "Understanding", "turn"]

SMALL_TALK = ("greeting", "thanks", "goodbye", "about_bot", "how_are_you")
ACTIONABLE = ("question", "problem")
_SMALL_TALK_MAX_WORDS = 10
#: A request for a person that names a service this surely is about that service.
_TOPIC_SERVICE = 0.35
#: ...or, in a longer message, a service clearly ahead of the others.
_TOPIC_WORDS = 9
_TOPIC_HINT = 0.1
#: A message this long that reads as a new request is one, even while a yes/no waits.
_NEW_REQUEST_MIN_WORDS = 4
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


class _Message:
    """One message as every waiting state sees it."""

    def __init__(
        self, inbound: Inbound, entities: dict[str, list[str]], prediction: Prediction | None
    ) -> None:
        self.inbound = inbound
        self.entities = entities
        self.prediction = prediction

    def new_request(self) -> bool:
        """Reads as a request of its own ("and how do I set up my phone?")."""
        p = self.prediction
        if p is None or self.inbound.value is not None:
            return False
        if p.intent in ("human_agent", "ticket_status") and p.intent_confidence >= 0.6:
            return True
        long_enough = len(words(self.inbound.text)) >= _NEW_REQUEST_MIN_WORDS
        return long_enough and p.intent in ACTIONABLE and p.intent_confidence >= 0.5


def _asked(t: TurnBuilder, name: str) -> int:
    return int(t.state.asked.get(name, 0))


def _count_ask(t: TurnBuilder, name: str) -> None:
    t.state = t.state.evolve(asked={**t.state.asked, name: _asked(t, name) + 1})


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
    _count_ask(t, "open_ticket")
    t.say("offer_ticket", ask=t.yes_no("open_ticket"))
    t.state = t.state.evolve(awaiting="open_ticket")


def _on_offer(t: TurnBuilder, m: _Message) -> bool:
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
    if reading.act == "dont_know" or _asked(t, asked) >= MAX_ASKS:
        _offer_answer(t, asked, _OFFER_DEFAULT[asked])
        return True
    # Once more, saying why: "I couldn't tell whether that means yes or no".
    _count_ask(t, asked)
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


def _on_service(t: TurnBuilder, m: _Message) -> bool:
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


def _on_topic(t: TurnBuilder, m: _Message) -> bool:
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


def _on_human_topic(t: TurnBuilder, m: _Message) -> bool:
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


def _on_form(t: TurnBuilder, m: _Message) -> bool:
    handle_form(t, m.inbound, m.entities, m.prediction)
    return True


_WAITING: dict[str, Callable[[TurnBuilder, _Message], bool]] = {
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


def _search_query(ctx: EngineContext, text: str) -> str:
    """What search reads of a message: the greeting and the addresses left out ("Hi,
    mail to ana@x.fi bounces" searches "mail to bounces")."""
    query = ctx.phrases.strip_leading(text, "greeting")
    return without_entities(query) or query


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
    message = _Message(inbound, entities, prediction)
    waiting = _waiting_for(t.state)
    handler = _WAITING.get(waiting or "")
    if handler is not None and handler(t, message):
        return done()
    if t.state.awaiting is not None:
        t.state = t.state.evolve(awaiting=None)
    if prediction is None or inbound.value is not None:
        return done()  # a button pressed again after its question was settled
    requests = _new_request(t, message)
    return done()


def _small_talk(t: TurnBuilder, inbound: Inbound, prediction: Prediction, sure: bool) -> bool:
    """A greeting, thanks or goodbye (its words, or the model sure of a short message)
    gets its phrase; a greeting is an opening: the services to pick from, so there is a
    next step."""
    ctx = t.ctx
    lexicon_kind = next((k for k in SMALL_TALK if ctx.phrases.matches(inbound.text, k)), None)
    if not lexicon_kind and not (prediction.intent in SMALL_TALK and sure):
        return False
    kind = lexicon_kind or prediction.intent
    t.intent = kind
    if kind == "greeting":
        t.offer_services("greeting")
    else:
        t.say(kind)
    return True


def _owner_only(t: TurnBuilder, inbound: Inbound, prediction: Prediction) -> bool:
    """An account action only the owner may ask for, from someone who is not the
    verified owner: general information and how the owner authorises it, no ticket."""
    ctx = t.ctx
    action = ctx.account_actions.match(inbound.text)
    if action is None or prediction.in_scope < 0.5:
        # "How do I close my savings account" is a bank's owner-only request, not ours.
        return False
    if inbound.identity and inbound.identity.is_owner:
        return False
    t.say("account_owner_only")
    # The rule's article where this help centre has it, else what search finds for the
    # request; never a reference to an article that is not there.
    shown = action.article is not None and t.article_card(action.article)
    if not shown:
        result = ctx.index.search(inbound.text)
        if result.top is not None and result.confidence >= ctx.answer_threshold:
            t.search = result
            t.article_card(result.top.article_id)
    return True


def _new_request(t: TurnBuilder, m: _Message) -> tuple[str, ...]:
    """A message that answers nothing pending: small talk, a person, a ticket, a question."""
    ctx = t.ctx
    inbound = m.inbound
    prediction = m.prediction
    assert prediction is not None
    t.intent = prediction.intent
    confident = prediction.intent_confidence >= ctx.intent_threshold
    short = len(words(inbound.text)) <= _SMALL_TALK_MAX_WORDS
    if _small_talk(t, inbound, prediction, confident and short):
        return ()
    if prediction.intent == "human_agent" and confident:
        _wants_a_person(t, prediction)
        return ()
    if follow_up(t, inbound, m.entities, prediction.intent == "ticket_status" and confident):
        return ()
    if _owner_only(t, inbound, prediction):
        return ()
    # "Never mind" with nothing pending; "cancel my hosting" is a request (above).
    escape = ctx.understander.answers.escape(inbound.text) if short else None
    asks = prediction.intent in ACTIONABLE and confident
    if escape is not None and escape.act == "cancel" and not asks:
        t.say("ticket_cancelled")
        return ()
    query = ctx.phrases.strip_leading(inbound.text, "greeting")
    if prediction.intent == "out_of_scope" and confident:
        result = ctx.index.search(_search_query(ctx, query), words_scope=prediction.in_scope)
        t.search = result
        # The off-topic models (over the sentence embedding and over the words) have the
        # last word where they run: "why is my bill higher than last year?" is the words
        # of a bank customer and the meaning of ours. Without them, only a sure article
        # overrules.
        off_topic = result.in_scope < 0.5 if result.scope_known else result.confidence < 0.8
        if off_topic:
            # "Hi, I have a question" is no refusal's business: ask what it is about.
            if len(words(query)) <= VAGUE_MAX_WORDS:
                t.offer_services("rephrase")
                return ()
            t.refuse()
            return ()
    # The message was classified above; a greeting stripped off makes it another text.
    found = ctx.understander.requests(query, prediction if query == inbound.text else None)
    requests = tuple(r.text for r in found)
    if len(found) > 1:
        t.state = t.state.evolve(pending_requests=requests[1:])
        query = found[0].text
        prediction = ctx.understander.predict(query)
    t.state = t.state.evolve(asked={})
    t.answer_query(query, prediction)
    return requests


def _names_a_service(prediction: Prediction, text: str) -> bool:
    """ "I want a person about my website" names one; "I want a human" does not."""
    ranking = prediction.service_ranking
    if not ranking:
        return False
    top = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if top >= _TOPIC_SERVICE:
        return True
    return len(words(text)) >= _TOPIC_WORDS and top >= _TOPIC_HINT and top >= 2 * second


def _wants_a_person(t: TurnBuilder, prediction: Prediction) -> None:
    """ "I want a human": hand off with what the conversation says, or ask once what it
    is about, so the ticket has a title an agent can act on."""
    t.intent = "human_agent"
    if _names_a_service(prediction, t.inbound.text) and not t.state.service:
        named = prediction.service_ranking[0]
        # "I want a person about my website": the request says what it is about.
        t.state = t.state.evolve(service=named[0], query=t.state.query or t.inbound.text)
    knows = t.state.query or t.state.service or t.state.facts.get("domain")
    if knows or _asked(t, "human_topic") >= 1:
        t.say("form_human")
        handoff_now(t, t.inbound)
        return
    _count_ask(t, "human_topic")
    t.say("human_topic", ask=t.ask("human_topic", "text"))
    t.state = t.state.evolve(awaiting="human_topic")


def offer_or_start_form(t: TurnBuilder, inbound: Inbound) -> None:
    """Open a ticket, unless the customer has an open one about the same service."""
    service = t.state.service
    for ticket in inbound.tickets:
        if ticket.status != "closed" and service and ticket.service == service:
            t.say(
                "ticket_open_exists",
                ask=t.yes_no("use_open_ticket"),
                ticket=ticket.number,
                title=_title(t, ticket),
            )
            t.state = t.state.evolve(awaiting="use_open_ticket", offered_ticket=ticket.number)
            return
    if start_diagnosis(t, inbound):
        return
    start_form(t, service, t.state.query or inbound.text, inbound.identity)


def _title(t: TurnBuilder, ticket: TicketSummary) -> str:
    """A ticket's title as the customer reads it: in their language when we know how."""
    if not ticket.extra:
        return ticket.title
    return t.ctx.titles.customer_title(ticket.service, ticket.extra, t.lang)


def follow_up(
    t: TurnBuilder, inbound: Inbound, entities: dict[str, list[str]], asks_status: bool
) -> bool:
    """A ticket number in the message: its status, or the message added to it. A status
    question without a number is about the customer's latest ticket."""
    numbers = entities.get("ticket") or []
    mine = {ticket.number: ticket for ticket in inbound.tickets}
    if not numbers:
        if not asks_status:
            return False
        t.intent = "ticket_status"
        if not inbound.tickets:
            t.say("ticket_status_none", example=f"{t.ctx.understander.ticket_prefix}-104233")
            return True
        open_ones = [k for k in inbound.tickets if k.status != "closed"]
        latest = (open_ones or list(inbound.tickets))[0]
        status = t.ctx.phrases.status_name(t.lang, latest.status)
        t.say("ticket_status", ticket=latest.number, title=_title(t, latest), status=status)
        return True
    number = numbers[0]
    t.intent = "ticket_status"
    ticket = mine.get(number)
    if ticket is None:
        # Never confirm or deny that someone else's ticket exists.
        t.say("ticket_not_found", ticket=number)
        return True
    if asks_status:
        status = t.ctx.phrases.status_name(t.lang, ticket.status)
        t.say("ticket_status", ticket=number, title=_title(t, ticket), status=status)
    else:
        t.actions.append(AttachToTicket(number))
        t.say("ticket_attached", ticket=number)
    return True
