"""The conversation engine: ``turn(state, inbound, context) -> Turn``. Pure.

It never touches a socket, a database or a clock: the caller passes the state, the
message and the time in, stores and emits the replies that come out, and keeps the new
state.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.engine.context import EngineContext
from chatbot.engine.diagnosis_flow import Diagnose, diagnosis_done, start_diagnosis
from chatbot.engine.form_flow import (
    AttachToTicket,
    CreateTicket,
    create_ticket,
    handle_form,
    handoff_now,
    start_form,
)
from chatbot.engine.language import choose_language
from chatbot.engine.messages import ArticleRef, Ask, Inbound, Option, Reply, yes_or_no
from chatbot.engine.state import ConversationState
from chatbot.handoff.incidents import affecting
from chatbot.handoff.tickets import TicketDraft
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import without_entities
from chatbot.kb_search import SearchResult
from chatbot.redaction import REDACTED
from chatbot.text_normalise import words

__all__ = ["Action", "Turn", "Understanding", "turn"]

SMALL_TALK = ("greeting", "thanks", "goodbye")
ACTIONABLE = ("question", "problem")
_SMALL_TALK_MAX_WORDS = 8


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


Action = CreateTicket | AttachToTicket | Diagnose


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[Reply]
    state: ConversationState
    understanding: Understanding
    answered_article: str | None = None
    #: What the caller must do: open a ticket, add to one.
    actions: tuple[Action, ...] = ()


class _Turn:
    """The mutable scratchpad of one turn; ``turn()`` is its only user."""

    def __init__(self, ctx: EngineContext, state: ConversationState) -> None:
        self.ctx = ctx
        self.state = state
        self.replies: list[Reply] = []
        self.intent: str | None = None
        self.search: SearchResult | None = None
        self.answered: str | None = None
        self.actions: list[Action] = []
        self.inbound: Inbound | None = None

    @property
    def lang(self) -> str:
        return self.state.language

    def say(self, key: str, ask: Ask | None = None, **values: str) -> None:
        values.setdefault("company", self.ctx.company_name)
        text = self.ctx.phrases.say(self.lang, key, **values)
        self.replies.append(Reply(text=text, lang=self.lang, ask=ask))

    def say_text(self, text: str, ask: Ask | None = None) -> None:
        self.replies.append(Reply(text=text, lang=self.lang, ask=ask))

    def yes_no(self, field_name: str) -> Ask:
        label = self.ctx.phrases.label
        options = (Option("yes", label(self.lang, "yes")), Option("no", label(self.lang, "no")))
        return Ask(field=field_name, kind="yes_no", options=options)

    def article_card(self, article_id: str) -> bool:
        """Show one article in the conversation language (or English, saying so)."""
        ctx = self.ctx
        article = ctx.index.kb.translation(article_id, self.lang, ctx.fallback_language)
        if article is None:
            return False
        if article.lang != self.lang:
            self.say("article_in_english", language=ctx.phrases.language_name(self.lang))
        intro = ctx.phrases.say(self.lang, "article_intro")
        ref = ArticleRef(article.id, article.lang, article.title, article.summary, article.url)
        text = f"{intro}\n\n{article.title}\n{article.summary}"
        self.replies.append(Reply(text=text, lang=self.lang, articles=(ref,)))
        self.answered = article_id
        return True

    def answer_article(self, article_id: str, query: str) -> bool:
        if not self.article_card(article_id):
            return False
        self.say("ask_solved", ask=self.yes_no("solved"))
        self.state = self.state.evolve(
            awaiting="solved", article_id=article_id, query=query, misses=0
        )
        return True

    def answer_query(
        self, query: str, prediction: Prediction, *, service: str | None = None
    ) -> None:
        """Search the knowledge base; answer, ask which service, or offer a ticket."""
        ctx = self.ctx
        self.state = self.state.evolve(service=service or prediction.service or self.state.service)
        if prediction.intent == "problem" and self.incident_first(query):
            return
        # Addresses and domain names are facts, not search words: "ana", "hr"...
        result = ctx.index.search(without_entities(query) or query, service=service)
        self.search = result
        top = result.top
        unsure_service = service is None and (
            prediction.service is None or prediction.service_confidence < ctx.service_threshold
        )
        # "it does not work": with no service named, even a likely article is a guess.
        needed = ctx.sure_threshold if unsure_service else ctx.answer_threshold
        confident = top is not None and result.confidence >= needed
        if confident and top is not None and self.answer_article(top.article_id, query):
            return
        if unsure_service and prediction.intent in ACTIONABLE:
            choices = [name for name, _ in prediction.service_ranking[:3]]
            labels = [Option(name, ctx.phrases.service_label(self.lang, name)) for name in choices]
            self.say("clarify_service", ask=Ask("service", "choice", tuple(labels)))
            self.state = self.state.evolve(awaiting="service", query=query)
            return
        misses = self.state.misses + 1
        if result.confidence < ctx.related_threshold and prediction.intent not in ACTIONABLE:
            self.say("rephrase" if len(words(query)) <= 2 else "out_of_scope")
            self.state = self.state.evolve(misses=misses)
            return
        self.say("no_article")
        self.say("offer_ticket", ask=self.yes_no("open_ticket"))
        self.state = self.state.evolve(awaiting="open_ticket", query=query, misses=misses)

    def incident_first(self, query: str) -> bool:
        """A problem that a known outage explains: say so first. When the customer is
        certainly affected, their report becomes a ticket linked to the incident (no queue,
        no form) and True ends the turn."""
        inbound = self.inbound
        if inbound is None or not inbound.incidents:
            return False
        known = [*self.state.facts.get("domain", [])]
        if inbound.identity is not None:
            known += inbound.identity.domains
        match = affecting(inbound.incidents, self.state.service, known)
        if match is None or self.state.incident == match.incident.id:
            return False
        incident = match.incident
        since = incident.started_at.astimezone(self.ctx.hours.timezone)
        self.say(
            "incident_notice",
            message=incident.message(self.lang, self.ctx.fallback_language),
            since=since.strftime(self.ctx.phrases.date_format(self.lang)),
        )
        self.state = self.state.evolve(incident=incident.id)
        if not match.certain:
            return False  # it may be something else: answer the question too
        service = incident.service
        values = {"domain": known[0]} if known else {}
        values["description"] = query
        draft = TicketDraft(
            service=service,
            title=self.ctx.titles.title(service, values),
            language=self.lang,
            priority="normal",
            fields=values,
            description=query,
        )
        self.actions.append(CreateTicket(draft, incident=incident.id))
        self.say("incident_linked")
        return True

    def next_request(self) -> None:
        """After one request is settled, take up the next one from the same message."""
        if not self.state.pending_requests:
            return
        text, *rest = self.state.pending_requests
        self.state = self.state.evolve(pending_requests=tuple(rest))
        self.say("next_request", text=text)
        self.answer_query(text, self.ctx.understander.predict(text))


def _update_language(
    state: ConversationState, inbound: Inbound, ctx: EngineContext
) -> tuple[ConversationState, float]:
    if state.language_source == "default" and inbound.locale in ctx.supported_languages:
        state = state.evolve(language=inbound.locale, language_source="locale")
    plain = without_entities(inbound.text)
    if not plain:
        return state, 0.0
    lexicon: set[str] = set()
    for kind in ("greeting", "thanks", "goodbye", "yes", "no"):
        lexicon |= ctx.phrases.matches(plain, kind)
    probs = ctx.languages.probabilities(plain)
    new_state = choose_language(state, plain, probs, lexicon)
    return new_state, probs.get(new_state.language, 0.0)


def _merge_facts(facts: dict[str, list[str]], found: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {kind: list(values) for kind, values in facts.items()}
    for kind, values in found.items():
        for value in values:
            if value not in merged.setdefault(kind, []):
                merged[kind].append(value)
    return {kind: values for kind, values in merged.items() if values}


def _settle_yes_no(t: _Turn, inbound: Inbound) -> bool:
    """Handle the answer to a pending yes/no question; False when it is not one."""
    answer = yes_or_no(inbound, t.ctx.phrases)
    if answer is None:
        t.state = t.state.evolve(awaiting=None)
        return False
    asked = t.state.awaiting
    t.state = t.state.evolve(awaiting=None)
    if asked == "solved" and answer == "yes":
        t.intent = "thanks"
        t.say("solved_yes")
        t.state = t.state.evolve(misses=0)
        t.next_request()
    elif asked == "solved":
        t.intent = "problem"
        t.say("solved_no")
        t.say("offer_ticket", ask=t.yes_no("open_ticket"))
        t.state = t.state.evolve(awaiting="open_ticket")
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
        t.next_request()
    return True


def _service_choice(inbound: Inbound, ctx: EngineContext, lang: str) -> str | None:
    if inbound.value in ctx.understander.classifier.services:
        return inbound.value
    return ctx.phrases.service_named(inbound.text, lang)


def turn(state: ConversationState, inbound: Inbound, ctx: EngineContext) -> Turn:
    """Answer one customer message."""
    state, lang_confidence = _update_language(state, inbound, ctx)
    state = state.evolve(processed_seq=max(state.processed_seq, inbound.seq))
    entities = ctx.understander.entities(inbound.text, state.language, inbound.at)
    state = state.evolve(facts=_merge_facts(state.facts, entities))
    t = _Turn(ctx, state)
    t.inbound = inbound
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
    if REDACTED in inbound.text:
        t.say("redacted_warning")
    if ctx.phrases.contains(inbound.text, "urgent"):
        t.state = t.state.evolve(urgent=True)
    if t.state.form is not None:
        if (
            prediction is not None
            and prediction.intent == "human_agent"
            and (prediction.intent_confidence >= 0.8)
        ):
            t.intent = "human_agent"
            t.say("form_human")
            create_ticket(t, dict(t.state.form), inbound)
            return done()
        handle_form(t, inbound, entities, prediction)
        return done()
    if t.state.awaiting in (
        "solved",
        "open_ticket",
        "use_open_ticket",
        "diag_explained",
    ) and _settle_yes_no(t, inbound):
        return done()
    if t.state.awaiting == "service":
        service = _service_choice(inbound, ctx, t.lang)
        query = t.state.query or ""
        t.state = t.state.evolve(awaiting=None)
        if service is not None:
            # Search again for the original question, now within the chosen service.
            original = ctx.understander.predict(query)
            t.intent = original.intent
            t.answer_query(query, original, service=service)
            return done()
    if prediction is None or (inbound.value in ("yes", "no") and t.state.awaiting is None):
        return done()  # a button pressed again after its question was settled

    t.intent = prediction.intent
    confident = prediction.intent_confidence >= ctx.intent_threshold
    short = len(words(inbound.text)) <= _SMALL_TALK_MAX_WORDS
    lexicon_kind = next((k for k in SMALL_TALK if ctx.phrases.matches(inbound.text, k)), None)
    if lexicon_kind or (prediction.intent in SMALL_TALK and confident and short):
        kind = lexicon_kind or prediction.intent
        t.intent = kind
        t.say(kind)
        return done()
    if prediction.intent == "human_agent" and confident:
        t.say("form_human")
        if prediction.service and not t.state.service:
            t.state = t.state.evolve(service=prediction.service)
        handoff_now(t, inbound)
        return done()
    if follow_up(t, inbound, entities, prediction.intent == "ticket_status" and confident):
        return done()

    action = ctx.account_actions.match(inbound.text)
    if action is not None and not (inbound.identity and inbound.identity.is_owner):
        # Owner-only: general information and how the owner authorises it, no ticket.
        t.say("account_owner_only")
        if action.article is not None:
            t.article_card(action.article)
        return done()
    query = ctx.phrases.strip_leading(inbound.text, "greeting")
    if prediction.intent == "out_of_scope" and confident:
        result = ctx.index.search(query)
        t.search = result
        if result.confidence < 0.8:
            t.say("out_of_scope")
            t.state = t.state.evolve(misses=t.state.misses + 1)
            return done()
    # The message was classified above; a greeting stripped off makes it another text.
    found = ctx.understander.requests(query, prediction if query == inbound.text else None)
    requests = tuple(r.text for r in found)
    if len(found) > 1:
        t.state = t.state.evolve(pending_requests=requests[1:])
        query = found[0].text
        prediction = ctx.understander.predict(query)
    t.answer_query(query, prediction)
    return done()


def offer_or_start_form(t: _Turn, inbound: Inbound) -> None:
    """Open a ticket, unless the customer has an open one about the same service."""
    service = t.state.service
    for ticket in inbound.tickets:
        if ticket.status != "closed" and service and ticket.service == service:
            t.say(
                "ticket_open_exists",
                ask=t.yes_no("use_open_ticket"),
                ticket=ticket.number,
                title=ticket.title,
            )
            t.state = t.state.evolve(awaiting="use_open_ticket", offered_ticket=ticket.number)
            return
    if start_diagnosis(t, inbound):
        return
    start_form(t, service, t.state.query or inbound.text, inbound.identity)


def follow_up(
    t: _Turn, inbound: Inbound, entities: dict[str, list[str]], asks_status: bool
) -> bool:
    """A ticket number in the message: its status, or the message added to it."""
    numbers = entities.get("ticket") or []
    mine = {ticket.number: ticket for ticket in inbound.tickets}
    if not numbers:
        if asks_status and inbound.tickets:
            latest = inbound.tickets[0]
            status = t.ctx.phrases.status_name(t.lang, latest.status)
            t.intent = "ticket_status"
            t.say("ticket_status", ticket=latest.number, title=latest.title, status=status)
            return True
        return False
    number = numbers[0]
    t.intent = "ticket_status"
    ticket = mine.get(number)
    if ticket is None:
        # Never confirm or deny that someone else's ticket exists.
        t.say("ticket_not_found", ticket=number)
        return True
    if asks_status:
        status = t.ctx.phrases.status_name(t.lang, ticket.status)
        t.say("ticket_status", ticket=number, title=ticket.title, status=status)
    else:
        t.actions.append(AttachToTicket(number))
        t.say("ticket_attached", ticket=number)
    return True
