"""The handoff's :class:`~chatbot.handoff.broadcast.Broadcaster` over python-socketio.

Customers live in the namespace ``/``, consoles in ``/agent``. A conversation's sockets
share the room ``conversation:<id>`` in both; every console is in the room ``agents``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import socketio

from chatbot.handoff.wire import wire_message
from chatbot.records import message_record
from chatbot.store import StoredMessage

__all__ = ["AGENTS_ROOM", "SocketBroadcaster", "conversation_room"]

#: Every connected console socket: queue and ticket changes go here.
AGENTS_ROOM = "agents"
#: Rooms of conversations are named ``conversation:<id>``.
CONVERSATION_ROOM = "conversation:"


def conversation_room(conversation_id: str) -> str:
    """The sockets of one conversation: the customer's tabs in ``/``, and in ``/agent`` the
    consoles that opened it."""
    return CONVERSATION_ROOM + conversation_id


class SocketBroadcaster:
    """Emits through the Socket.IO server (and so, with Redis, through every process)."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def messages(self, conversation_id: str, messages: Sequence[StoredMessage]) -> None:
        room = conversation_room(conversation_id)
        for message in messages:
            await self.sio.emit("message", wire_message(message), room=room, namespace="/")
            await self.sio.emit("message", message_record(message), room=room, namespace="/agent")

    async def to_customer(
        self, conversation_id: str, event: str, payload: Mapping[str, Any]
    ) -> None:
        await self.sio.emit(
            event, dict(payload), room=conversation_room(conversation_id), namespace="/"
        )

    async def to_consoles(
        self, event: str, payload: Mapping[str, Any], conversation_id: str | None = None
    ) -> None:
        room = AGENTS_ROOM if conversation_id is None else conversation_room(conversation_id)
        await self.sio.emit(event, dict(payload), room=room, namespace="/agent")

    async def open_conversation(self, console_ids: Sequence[str], conversation_id: str) -> None:
        for sid in console_ids:
            await self.sio.enter_room(sid, conversation_room(conversation_id), namespace="/agent")

    def customer_here(self, conversation_id: str) -> bool:
        participants = self.sio.manager.get_participants("/", conversation_room(conversation_id))
        return next(iter(participants), None) is not None

    def conversations_here(self) -> list[str]:
        rooms = list(self.sio.manager.rooms.get("/", {}))
        return [
            room.removeprefix(CONVERSATION_ROOM)
            for room in rooms
            if isinstance(room, str) and room.startswith(CONVERSATION_ROOM)
        ]

    async def resync(self) -> None:
        await self.sio.emit("resync", {}, namespace="/")
        await self.sio.emit("resync", {}, namespace="/agent")
