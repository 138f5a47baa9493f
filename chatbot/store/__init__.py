"""Durable storage behind one interface; backends chosen at start-up."""

from chatbot.store.base import (
    Conversation,
    NewMessage,
    NewTicket,
    Sender,
    Store,
    StoredMessage,
    Ticket,
)

__all__ = [
    "Conversation",
    "NewMessage",
    "NewTicket",
    "Sender",
    "Store",
    "StoredMessage",
    "Ticket",
]
