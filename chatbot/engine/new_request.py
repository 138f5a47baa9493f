"""A message that answers nothing pending: small talk, a request for a person, a ticket
number, an owner-only account action, or a question to answer. Also what every waiting
state sees of a message (:class:`Message`) and the ask counters they share."""

from __future__ import annotations

from chatbot.engine.actions import AttachToTicket
from chatbot.engine.builder import ACTIONABLE, VAGUE_MAX_WORDS, TurnBuilder
from chatbot.engine.context import EngineContext
from chatbot.engine.diagnosis_flow import start_diagnosis
from chatbot.engine.form_flow import handoff_now, start_form
from chatbot.engine.messages import Inbound
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import without_entities
from chatbot.text_normalise import words
from chatbot.tickets.drafts import TicketSummary

__all__ = [
    "SMALL_TALK",
    "Message",
    "count_ask",
    "follow_up",
    "new_request",
    "offer_or_start_form",
    "times_asked",
]

SMALL_TALK = ("greeting", "thanks", "goodbye", "about_bot", "how_are_you")
_SMALL_TALK_MAX_WORDS = 10
#: A request for a person that names a service this surely is about that service.
_TOPIC_SERVICE = 0.35
#: ...or, in a longer message, a service clearly ahead of the others.
_TOPIC_WORDS = 9
_TOPIC_HINT = 0.1
#: A message this long that reads as a new request is one, even while a yes/no waits.
_NEW_REQUEST_MIN_WORDS = 4


class Message:
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


def times_asked(t: TurnBuilder, name: str) -> int:
    return int(t.state.asked.get(name, 0))


def count_ask(t: TurnBuilder, name: str) -> None:
    t.state = t.state.evolve(asked={**t.state.asked, name: times_asked(t, name) + 1})


def _search_query(ctx: EngineContext, text: str) -> str:
    """What search reads of a message: the greeting and the addresses left out ("Hi,
    mail to ana@x.fi bounces" searches "mail to bounces")."""
    query = ctx.phrases.strip_leading(text, "greeting")
    return without_entities(query) or query


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


def new_request(t: TurnBuilder, m: Message) -> tuple[str, ...]:
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
    if knows or times_asked(t, "human_topic") >= 1:
        t.say("form_human")
        handoff_now(t, t.inbound)
        return
    count_ask(t, "human_topic")
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
