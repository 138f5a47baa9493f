"""Who is online, agents and customers, shared by every server process through the store.

Each process renews its own sockets in the shared view (the heartbeat); the sockets of a
process that died without a goodbye expire. After a store outage the heartbeat tells every
client to fetch what it may have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Literal

from chatbot.errors import ChatbotError
from chatbot.handoff.broadcast import Broadcaster
from chatbot.store import Agent, SharedState

__all__ = ["HEARTBEAT_SECONDS", "AgentStatus", "CustomerPresence", "Heartbeat", "Presence"]

log = logging.getLogger(__name__)

AgentStatus = Literal["online", "away", "offline"]
#: How often each process renews its sockets in the shared presence (they expire after 3x).
HEARTBEAT_SECONDS = 10.0


class Presence:
    """Agents with an open console.

    An agent is ``online`` or ``away`` while at least one console socket is open on any
    process, and ``offline`` when the last one closes. Each process renews its own sockets
    (:meth:`refresh`); the sockets of a process that died without a goodbye expire after
    ``ttl`` seconds.
    """

    def __init__(self, store: SharedState, clock: Callable[[], float], ttl: float = 30.0) -> None:
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


class CustomerPresence:
    """Whether a conversation's customer has the chat open, on any process."""

    def __init__(self, store: SharedState, broadcaster: Broadcaster, *, shared: bool) -> None:
        self._store = store
        self._broadcaster = broadcaster
        #: Other processes serve sockets too (Redis): who is online must be shared.
        self.shared = shared

    async def online(self, conversation_id: str) -> bool:
        if self._broadcaster.customer_here(conversation_id):
            return True
        if self.shared:  # connected to another process?
            return await self._store.read_counter(f"online:{conversation_id}") > 0
        return False

    async def connected(self, conversation_id: str) -> None:
        if self.shared:
            await self._store.bump_counter(f"online:{conversation_id}", 3 * HEARTBEAT_SECONDS)

    async def refresh(self) -> None:
        """Keep this process's customers online in the shared view: one store call for
        all of them, however many there are."""
        if self.shared:
            names = [f"online:{c}" for c in self._broadcaster.conversations_here()]
            await self._store.bump_counters(names, 3 * HEARTBEAT_SECONDS)


class Heartbeat:
    """Renews this process's agents and customers in the shared view, and resynchronises
    the clients after a store outage: events published while the store (Redis) was away
    are lost to pub/sub."""

    def __init__(
        self, agents: Presence, customers: CustomerPresence, broadcaster: Broadcaster
    ) -> None:
        self._agents = agents
        self._customers = customers
        self._broadcaster = broadcaster
        self._outage = asyncio.Event()

    def store_failed(self) -> None:
        """A handler met a store outage: check often, and resync clients once it is over."""
        self._outage.set()

    async def run(self) -> None:
        """Beat until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outage.wait(), HEARTBEAT_SECONDS)
            if self._outage.is_set():
                await asyncio.sleep(1.0)
            try:
                await self._agents.refresh()
                await self._customers.refresh()
            except ChatbotError as exc:
                if not self._outage.is_set():
                    log.warning("store unavailable: %s", exc.message)
                self._outage.set()
                continue
            if self._outage.is_set():
                log.info("store is back; clients resynchronise")
                self._outage.clear()
                await self._broadcaster.resync()
