"""Durable storage behind one interface; backends chosen at start-up."""

from chatbot.store.base import (
    PRIORITIES,
    STATUSES,
    Agent,
    Conversation,
    ConversationStat,
    NewAgent,
    NewMessage,
    NewTicket,
    Note,
    OutboxItem,
    Sender,
    Store,
    StoredMessage,
    Ticket,
)

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "Agent",
    "Conversation",
    "ConversationStat",
    "NewAgent",
    "NewMessage",
    "NewTicket",
    "Note",
    "OutboxItem",
    "Sender",
    "Store",
    "StoredMessage",
    "Ticket",
]
