"""Durable storage behind one interface; backends chosen at start-up."""

from chatbot.store.base import Conversation, NewMessage, Sender, Store, StoredMessage

__all__ = ["Conversation", "NewMessage", "Sender", "Store", "StoredMessage"]
