"""The engine's read-only collaborators and tuning, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.intents.language import LanguageIdentifier
from chatbot.intents.understanding import Understander
from chatbot.kb_search import KBIndex
from chatbot.phrases import Phrasebook
from chatbot.tickets.account_actions import AccountActions
from chatbot.tickets.drafts import TitleMaker
from chatbot.tickets.forms import TicketForms
from chatbot.tickets.support_hours import SupportHours

__all__ = ["EngineContext"]


@dataclass(frozen=True, slots=True)
class EngineContext:
    index: KBIndex
    phrases: Phrasebook
    languages: LanguageIdentifier
    understander: Understander
    forms: TicketForms
    titles: TitleMaker
    hours: SupportHours
    account_actions: AccountActions
    company_name: str = "Aurora Hosting"
    #: Knowledge-base confidence at or above which the top article is the answer.
    answer_threshold: float = 0.5
    #: ...and the confidence needed when the service is unclear ("it does not work").
    sure_threshold: float = 0.65
    #: Below this knowledge-base confidence, a message is not about our services.
    related_threshold: float = 0.08
    #: Intent confidence needed to act on greeting, thanks, human_agent, out_of_scope...
    intent_threshold: float = 0.5
    #: Below this service confidence the bot asks which service, instead of guessing.
    service_threshold: float = 0.5
    fallback_language: str = "en"
    #: The bot checks a customer's domain before a ticket (the runner runs the probes).
    diagnostics: bool = True
    supported_languages: tuple[str, ...] = ("en", "nb", "hr", "fi", "ru", "hu")
