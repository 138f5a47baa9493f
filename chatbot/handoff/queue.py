"""Who of the support team is online, shared by every server process through the store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from chatbot.store import Agent, Store

__all__ = ["AgentStatus", "Presence"]

AgentStatus = Literal["online", "away", "offline"]


class Presence:
    """Agents with an open console.

    An agent is ``online`` or ``away`` while at least one console socket is open on any
    process, and ``offline`` when the last one closes. Each process renews its own sockets
    (:meth:`refresh`); the sockets of a process that died without a goodbye expire after
    ``ttl`` seconds.
    """

    def __init__(self, store: Store, clock: Callable[[], float], ttl: float = 30.0) -> None:
        self._store = store
        self._clock = clock
        self.ttl = ttl
        #: This process's console sockets: sid to agent id.
        self._local: dict[str, str] = {}

    async def connect(self, agent: Agent, sid: str) -> None:
        self._local[sid] = agent.id
        await self._store.presence_join(agent.id, sid, self._clock(), self.ttl)

    async def disconnect(self, sid: str) -> str | None:
        """The agent whose socket closed (on this process); ``None`` for an unknown sid."""
        agent_id = self._local.pop(sid, None)
        if agent_id is not None:
            await self._store.presence_leave(sid)
        return agent_id

    async def refresh(self) -> None:
        """Keep this process's sockets alive in the shared view (joining again restores
        them after the store lost them, e.g. a Redis restart without persistence)."""
        now = self._clock()
        for sid, agent_id in list(self._local.items()):
            await self._store.presence_join(agent_id, sid, now, self.ttl)

    async def sids(self, agent_id: str) -> list[str]:
        """The agent's console sockets on every process."""
        return await self._store.presence_sockets(agent_id, self._clock())

    async def set_status(self, agent_id: str, status: AgentStatus) -> None:
        if status != "offline":
            await self._store.presence_set_status(agent_id, status)

    async def statuses(self) -> dict[str, AgentStatus]:
        """Every agent with a console open anywhere: online or away."""
        seen = await self._store.presence(self._clock())
        return {
            agent_id: ("away" if status == "away" else "online")
            for agent_id, (status, _sockets) in seen.items()
        }

    async def available(self) -> list[str]:
        """The ids of agents who take new chats now."""
        return [a for a, status in (await self.statuses()).items() if status == "online"]

    @staticmethod
    def snapshot(
        statuses: Mapping[str, AgentStatus], agents: Mapping[str, Agent], chats: Mapping[str, int]
    ) -> list[dict[str, object]]:
        """Every connected agent: id, name, status and open chats."""
        rows = [
            {
                "id": agent_id,
                "name": agents[agent_id].name,
                "status": status,
                "chats": chats.get(agent_id, 0),
            }
            for agent_id, status in statuses.items()
            if agent_id in agents
        ]
        return sorted(rows, key=lambda row: str(row["name"]))
