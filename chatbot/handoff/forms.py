"""Moved to :mod:`chatbot.tickets.forms` (and ``parse_answer`` to
:mod:`chatbot.intents.field_values`); this name stays until every importer has moved."""

from chatbot.intents.field_values import parse_answer
from chatbot.tickets.forms import Field, FormStep, TicketForms, prefill

__all__ = ["Field", "FormStep", "TicketForms", "parse_answer", "prefill"]
