"""The embedded backend: one SQLite file in WAL mode, used from one worker thread.

One module per role (``conversations``, ``tickets``, ``agents``, ``notes``, ``outbox``,
``reports``, ``incidents``, ``privacy``), each a mixin on the shared connection
(``connection``); the schema and its migrations in ``schema``, rows to records in
``rows``, consistent copies for backups in ``backup``. The shared short-lived state lives
in this process's memory (:class:`~chatbot.store.ephemeral.MemoryEphemeral`).
"""

from __future__ import annotations

from chatbot.store.sqlite.agents import SQLiteAgents
from chatbot.store.sqlite.conversations import SQLiteConversations
from chatbot.store.sqlite.incidents import SQLiteIncidents
from chatbot.store.sqlite.notes import SQLiteNotes
from chatbot.store.sqlite.outbox import SQLiteOutbox
from chatbot.store.sqlite.privacy import SQLitePrivacy
from chatbot.store.sqlite.reports import SQLiteReports
from chatbot.store.sqlite.schema import MIGRATIONS
from chatbot.store.sqlite.tickets import SQLiteTickets

__all__ = ["MIGRATIONS", "SQLiteStore"]


class SQLiteStore(
    SQLiteConversations,
    SQLiteTickets,
    SQLiteAgents,
    SQLiteNotes,
    SQLiteOutbox,
    SQLiteReports,
    SQLiteIncidents,
    SQLitePrivacy,
):
    """Implements :class:`chatbot.store.Store` on one SQLite database file."""
