"""The scratchpad of one turn: what the bot says, asks and wants done, and the new state.

Every dialogue step (``form_flow``, ``diagnosis_flow``, ``turn``) writes through one
:class:`TurnBuilder`; nothing here decides what to say next.
"""

from __future__ import annotations

from datetime import datetime

from chatbot.engine.actions import Action, CreateTicket
from chatbot.engine.context import EngineContext
from chatbot.engine.messages import ArticleRef, Ask, AskKind, Feedback, Inbound, Option, Reply
from chatbot.engine.state import ConversationState
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import without_entities
from chatbot.kb_search import SearchResult
from chatbot.text_normalise import words
from chatbot.tickets.drafts import TicketDraft
from chatbot.tickets.incidents import affecting

__all__ = ["ACTIONABLE", "TurnBuilder"]

ACTIONABLE = ("question", "problem")
#: The services offered under a greeting, before the customer said anything.
_OPENING_SERVICES = ("email", "website", "domain", "billing", "general")
#: A message this short and off-topic is more likely a start than a topic.
VAGUE_MAX_WORDS = 4


class TurnBuilder:
    """Replies, actions and state of the turn being built."""

    def __init__(self, ctx: EngineContext, state: ConversationState, inbound: Inbound) -> None:
        self.ctx = ctx
        self.state = state
        self.inbound = inbound
        self.replies: list[Reply] = []
        self.intent: str | None = None
        self.search: SearchResult | None = None
        self.answered: str | None = None
        self.actions: list[Action] = []

    @property
    def lang(self) -> str:
        return self.state.language

    @property
    def now(self) -> datetime:
        """When the customer wrote, in the company's time zone."""
        return self.inbound.at.astimezone(self.ctx.hours.timezone)

    def when(self, moment: datetime, *, date_only: bool = False) -> str:
        """A moment as the customer reads it: their language's format, the company's zone."""
        local = moment.astimezone(self.ctx.hours.timezone)
        return self.ctx.phrases.format_time(self.lang, local, date_only=date_only)

    def say(
        self, key: str, ask: Ask | None = None, *, feedback: Feedback | None = None, **values: str
    ) -> None:
        values.setdefault("company", self.ctx.company_name)
        text = self.ctx.phrases.say(self.lang, key, **values)
        self.replies.append(Reply(text=text, lang=self.lang, ask=ask, feedback=feedback))

    def say_text(self, text: str, ask: Ask | None = None) -> None:
        self.replies.append(Reply(text=text, lang=self.lang, ask=ask))

    def ask(self, field_name: str, kind: AskKind, options: tuple[Option, ...] = ()) -> Ask:
        """A question with an id of its own: a button answers the ask it was drawn under."""
        number = self.state.asks_made + 1
        ask = Ask(field=field_name, kind=kind, options=options, id=f"{field_name}.{number}")
        self.state = self.state.evolve(asks_made=number, pending_ask=ask.id)
        return ask

    def yes_no(self, field_name: str) -> Ask:
        label = self.ctx.phrases.label
        options = (Option("yes", label(self.lang, "yes")), Option("no", label(self.lang, "no")))
        return self.ask(field_name, "yes_no", options)

    def offer_services(self, key: str) -> None:
        """``key``'s phrase with the services as buttons: "hi" gets a next step too."""
        ctx = self.ctx
        known = set(ctx.understander.classifier.services) | {"general"}
        options = tuple(
            Option(name, ctx.phrases.service_label(self.lang, name))
            for name in _OPENING_SERVICES
            if name in known
        )
        self.say(key, ask=self.ask("service", "choice", options))
        self.state = self.state.evolve(awaiting="service", query="")

    def refuse(self) -> None:
        """Not ours, said kindly, and never a dead end: "why is my bill higher?" may be
        ours after all, so the services are offered (twice at most: a customer chatting
        about football is not asked forever)."""
        self.say("out_of_scope")
        if self.state.misses < 2:
            self.offer_services("out_of_scope_pick")
        self.state = self.state.evolve(misses=self.state.misses + 1)

    def article_card(self, article_id: str, snippet: str | None = None) -> bool:
        """Show one article in the conversation language (or English, saying so)."""
        ctx = self.ctx
        article = ctx.index.kb.translation(article_id, self.lang, ctx.fallback_language)
        if article is None:
            return False
        if article.lang != self.lang:
            self.say("article_in_english", language=ctx.phrases.language_name(self.lang))
        intro = ctx.phrases.say(self.lang, "article_intro")
        if snippet is None and self.search is not None:
            # The passage that matched, not always the article's first paragraph.
            snippet = self.search.snippet(article.id, article.lang)
        summary = snippet or article.summary
        ref = ArticleRef(article.id, article.lang, article.title, summary, article.url)
        text = f"{intro}\n\n{article.title}\n{summary}"
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
        text = without_entities(query) or query
        if service is not None:
            # "It doesn't work" + the service the customer picked: the pick is meaning too.
            text = f"{text} {ctx.phrases.service_label(self.lang, service)}"
        result = ctx.index.search(
            text, service=service, lang=self.lang, words_scope=prediction.in_scope
        )
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
        # The off-topic model over the sentence embedding has the last word where it runs:
        # "how do I transfer money to my savings?" is a question, but not one for us.
        unrelated = result.confidence < ctx.related_threshold and (
            prediction.intent not in ACTIONABLE or (result.scope_known and result.in_scope < 0.5)
        )
        # Which service, asked while the customer has not been refused twice: a customer
        # chatting about recipes is not asked it a third time.
        if (
            unsure_service
            and prediction.intent in ACTIONABLE
            and not unrelated
            and self.state.misses < 2
        ):
            choices = [name for name, _ in prediction.service_ranking[:3]]
            labels = [Option(name, ctx.phrases.service_label(self.lang, name)) for name in choices]
            self.say("clarify_service", ask=self.ask("service", "choice", tuple(labels)))
            self.state = self.state.evolve(awaiting="service", query=query)
            return
        misses = self.state.misses + 1
        if unrelated:
            if len(words(query)) <= VAGUE_MAX_WORDS:
                # "I have a question": which service, as buttons, rather than a refusal.
                self.offer_services("rephrase")
                return
            self.refuse()
            return
        self.say("no_article")
        self.say("offer_ticket", ask=self.yes_no("open_ticket"))
        self.state = self.state.evolve(awaiting="open_ticket", query=query, misses=misses)

    def incident_first(self, query: str) -> bool:
        """A problem that a known outage explains: say so first. When the customer is
        certainly affected, their report becomes a ticket linked to the incident (no queue,
        no form) and True ends the turn."""
        inbound = self.inbound
        if not inbound.incidents:
            return False
        known = [*self.state.facts.get("domain", [])]
        if inbound.identity is not None:
            known += inbound.identity.domains
        match = affecting(inbound.incidents, self.state.service, known)
        if match is None or self.state.incident == match.incident.id:
            return False
        incident = match.incident
        self.say(
            "incident_notice",
            message=incident.message(self.lang, self.ctx.fallback_language),
            since=self.when(incident.started_at),
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
