"""Agent accounts and their login sessions on Redis."""

from __future__ import annotations

import math
import secrets

from chatbot.errors import Conflict, NotFound
from chatbot.store.records import (
    Agent,
    NewAgent,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, num, pairs

__all__ = ["RedisAgents"]

_LONGEST_TTL = 366 * 24 * 3600


class RedisAgents(RedisBase):
    """The :class:`~chatbot.store.base.Agents` role."""

    async def add_agent(self, agent: NewAgent) -> Agent:
        agent_id = "a_" + secrets.token_urlsafe(9)
        fields = [
            "id",
            agent_id,
            "email",
            agent.email,
            "name",
            agent.name,
            "role",
            agent.role,
            "password_hash",
            agent.password_hash,
            "created_at",
            num(agent.created_at),
            "disabled",
            "0",
        ]
        try:
            flat = await self._run("add_agent", agent_id, _fold(agent.email), *fields)
        except Conflict:
            raise Conflict(f"{agent.email} already has an account", code="email_taken") from None
        return read.agent(pairs(flat))

    async def set_agent_password(self, email: str, password_hash: str) -> Agent:
        try:
            flat = await self._run("set_agent_password", _fold(email), password_hash)
        except NotFound:
            raise NotFound(f"no agent {email}") from None
        return read.agent(pairs(flat))

    async def agent_credentials(self, email: str) -> tuple[Agent, str] | None:
        found = pairs(await self._run("agent_by_email", _fold(email)))
        return (read.agent(found), found["password_hash"]) if found else None

    async def get_agent(self, agent_id: str) -> Agent | None:
        with self._errors():
            found = await self._hash(self._key("a", agent_id))
        return read.agent(found) if found else None

    async def list_agents(self) -> list[Agent]:
        agents = [read.agent(pairs(flat)) for flat in await self._run("list_agents")]
        return sorted(agents, key=lambda a: (a.name, a.created_at, a.id))

    async def create_session(
        self, token_hash: str, agent_id: str, created_at: float, expires_at: float
    ) -> None:
        # Redis forgets the session when it would have expired (on Redis's clock); until
        # then ``session_agent`` compares ``expires_at`` with the caller's ``now``.
        keep = min(_LONGEST_TTL, max(1, math.ceil(expires_at - created_at)))
        await self._run(
            "create_session", token_hash, agent_id, num(created_at), num(expires_at), keep
        )

    async def session_agent(self, token_hash: str, now: float) -> Agent | None:
        found = pairs(await self._run("session_agent", token_hash, num(now)))
        return read.agent(found) if found else None

    async def revoke_session(self, token_hash: str) -> None:
        await self._run("revoke_session", token_hash)


def _fold(email: str) -> str:
    """An e-mail address as the unique index holds it: one account whatever the case."""
    return email.casefold()
