"""Which consoles show which conversation, and whether their agent is typing in it.

Two agents with the same chat open see "Ana is viewing" and "Ana is typing" of each other.
Each console socket has at most one entry (the conversation it shows now); a socket that
opens another chat moves its entry, and a closed socket loses it. The entries live in
this process; the changes travel to the consoles of every process through the
:class:`~chatbot.handoff.broadcast.Broadcaster`, to those that follow the conversation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any, Literal

from chatbot.handoff.broadcast import Broadcaster
from chatbot.store import Agent

__all__ = ["Viewer", "Viewers"]

ViewerState = Literal["viewing", "typing", "left"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """One console socket showing one conversation."""

    #: Opaque and random: other consoles never learn socket ids.
    id: str
    agent_id: str
    name: str
    ticket: str
    conversation_id: str
    typing: bool = False

    def record(self, state: ViewerState | None = None) -> dict[str, Any]:
        return {
            "viewer": self.id,
            "agent": {"id": self.agent_id, "name": self.name},
            "ticket": self.ticket,
            "conversation_id": self.conversation_id,
            "state": state or ("typing" if self.typing else "viewing"),
        }


class Viewers:
    """Console sockets by the conversation they show: one entry per socket at most."""

    def __init__(self, broadcaster: Broadcaster) -> None:
        self._broadcaster = broadcaster
        self._by_sid: dict[str, Viewer] = {}
        self._ids: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_sid)

    def _viewer_id(self, sid: str) -> str:
        if sid not in self._ids:
            self._ids[sid] = "v_" + secrets.token_urlsafe(9)
        return self._ids[sid]

    def viewing(self, conversation_id: str) -> list[Viewer]:
        return [v for v in self._by_sid.values() if v.conversation_id == conversation_id]

    async def view(
        self, sid: str, agent: Agent, ticket: str | None, conversation_id: str | None
    ) -> tuple[str, list[Viewer]]:
        """The socket shows this conversation now (``None``: none): its viewer id and
        the others viewing the conversation."""
        previous = self._by_sid.get(sid)
        if previous is not None and previous.conversation_id == conversation_id:
            others = [v for v in self.viewing(previous.conversation_id) if v.id != previous.id]
            return previous.id, others
        await self._leave(sid)
        viewer_id = self._viewer_id(sid)
        if ticket is None or conversation_id is None:
            return viewer_id, []
        viewer = Viewer(viewer_id, agent.id, agent.name, ticket, conversation_id)
        others = self.viewing(conversation_id)
        self._by_sid[sid] = viewer
        await self._tell(viewer)
        return viewer_id, others

    async def typing(self, sid: str, conversation_id: str, on: bool) -> None:
        """The socket's agent types in the conversation (or stopped)."""
        viewer = self._by_sid.get(sid)
        if viewer is None or viewer.conversation_id != conversation_id or viewer.typing == on:
            return
        viewer = replace(viewer, typing=on)
        self._by_sid[sid] = viewer
        await self._tell(viewer)

    async def gone(self, sid: str) -> None:
        """The socket closed."""
        await self._leave(sid)
        self._ids.pop(sid, None)

    async def _leave(self, sid: str) -> None:
        viewer = self._by_sid.pop(sid, None)
        if viewer is not None:
            await self._tell(viewer, "left")

    async def _tell(self, viewer: Viewer, state: ViewerState | None = None) -> None:
        await self._broadcaster.to_consoles("viewer", viewer.record(state), viewer.conversation_id)
