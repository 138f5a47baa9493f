"""Who of the support team is online, and what a waiting customer can be told."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chatbot.store import Agent

__all__ = ["AgentStatus", "Presence"]

AgentStatus = Literal["online", "away", "offline"]


@dataclass(slots=True)
class _Seen:
    agent: Agent
    status: AgentStatus = "online"
    sids: set[str] = field(default_factory=set)


class Presence:
    """Agents with an open console, per process (the Redis issue shares it).

    An agent is ``online`` or ``away`` while at least one console socket is open, and
    ``offline`` when the last one closes.
    """

    def __init__(self) -> None:
        self._agents: dict[str, _Seen] = {}
        self._by_sid: dict[str, str] = {}

    def connect(self, agent: Agent, sid: str) -> None:
        seen = self._agents.setdefault(agent.id, _Seen(agent))
        seen.agent = agent
        if not seen.sids:
            seen.status = "online"
        seen.sids.add(sid)
        self._by_sid[sid] = agent.id

    def disconnect(self, sid: str) -> str | None:
        """The agent whose socket closed; they go offline with their last socket."""
        agent_id = self._by_sid.pop(sid, None)
        if agent_id is not None:
            seen = self._agents[agent_id]
            seen.sids.discard(sid)
            if not seen.sids:
                del self._agents[agent_id]
        return agent_id

    def set_status(self, agent_id: str, status: AgentStatus) -> None:
        if agent_id in self._agents and status != "offline":
            self._agents[agent_id].status = status

    def status(self, agent_id: str) -> AgentStatus:
        seen = self._agents.get(agent_id)
        return seen.status if seen else "offline"

    def available(self) -> list[Agent]:
        """Agents who take new chats now."""
        return [s.agent for s in self._agents.values() if s.status == "online"]

    def connected(self) -> list[str]:
        """The ids of agents with a console open, online or away."""
        return list(self._agents)

    def sids(self, agent_id: str) -> set[str]:
        seen = self._agents.get(agent_id)
        return set(seen.sids) if seen else set()

    def snapshot(self, chats: dict[str, int]) -> list[dict[str, object]]:
        """Every connected agent: id, name, status and open chats."""
        return [
            {
                "id": s.agent.id,
                "name": s.agent.name,
                "status": s.status,
                "chats": chats.get(s.agent.id, 0),
            }
            for s in sorted(self._agents.values(), key=lambda s: s.agent.name)
        ]
