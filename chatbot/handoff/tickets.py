"""Moved to :mod:`chatbot.tickets.drafts`; this name stays until every importer has moved."""

from chatbot.tickets.drafts import TicketDraft, TicketSummary, TitleMaker

__all__ = ["TicketDraft", "TicketSummary", "TitleMaker"]
