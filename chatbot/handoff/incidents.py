"""Moved to :mod:`chatbot.tickets.incidents`; this name stays until every importer has moved."""

from chatbot.tickets.incidents import IncidentNotice, affecting, target_matches

__all__ = ["IncidentNotice", "affecting", "target_matches"]
