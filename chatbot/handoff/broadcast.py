"""What the handoff says to the connected clients, without knowing how it travels.

The handoff (the turn runner, the live chat, presence) talks to sockets only through a
:class:`Broadcaster`, as Rasa's dialogue core talks only to an ``OutputChannel``; the one
over python-socketio lives in ``chatbot.web.broadcast``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from chatbot.store import StoredMessage

__all__ = ["Broadcaster"]


class Broadcaster(Protocol):
    """The customer's tabs of a conversation and the agents' consoles."""

    async def messages(self, conversation_id: str, messages: Sequence[StoredMessage]) -> None:
        """Stored messages to the customer and to the consoles that have the conversation
        open."""

    async def to_customer(
        self, conversation_id: str, event: str, payload: Mapping[str, Any]
    ) -> None:
        """An event to every tab of the conversation's customer."""

    async def to_consoles(
        self, event: str, payload: Mapping[str, Any], conversation_id: str | None = None
    ) -> None:
        """An event to every console, or only to those that have the conversation open."""

    async def open_conversation(self, console_ids: Sequence[str], conversation_id: str) -> None:
        """These consoles (socket ids) follow the conversation from now on."""

    def customer_here(self, conversation_id: str) -> bool:
        """Whether the conversation's customer has a socket on this process."""

    def conversations_here(self) -> list[str]:
        """The conversations with a customer socket on this process."""

    async def resync(self) -> None:
        """Tell every client to fetch what it may have missed."""
