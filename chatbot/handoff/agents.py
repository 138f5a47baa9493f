"""Agent accounts: argon2 password hashes, expiring session tokens, login throttling."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chatbot.errors import ChatbotError, InvalidPayload, RateLimited, Unauthorized
from chatbot.rate_limit import LoginThrottle
from chatbot.store import Agent, Agents, NewAgent, SharedState
from chatbot.ticket_types import AgentRole

__all__ = ["MIN_PASSWORD", "AgentAuth", "AgentStore", "Login", "normalise_email"]

MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
_TOKEN_PREFIX = "as_"


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidPayload("not an e-mail address", code="invalid_email")
    return email


def _token_hash(token: str) -> str:
    # Only the hash is stored: a copy of the database opens no session.
    return hashlib.sha256(token.encode()).hexdigest()


class Login:
    __slots__ = ("agent", "expires_at", "token")

    def __init__(self, token: str, agent: Agent, expires_at: float) -> None:
        self.token = token
        self.agent = agent
        self.expires_at = expires_at


class AgentStore(Agents, SharedState, Protocol):
    """What agent accounts need of the store: the accounts and sessions, and the shared
    counters the login throttle keeps."""


class AgentAuth:
    """Creates agents, logs them in and out, and checks session tokens."""

    def __init__(
        self,
        store: AgentStore,
        clock: Callable[[], float],
        session_seconds: float = 12 * 3600,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._session_seconds = session_seconds
        self._hasher = PasswordHasher()
        # Brute force: 5 failed logins per address or account, then one per 30 s.
        self.throttle = throttle or LoginThrottle(store, clock)
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))

    async def add(self, email: str, name: str, password: str, role: AgentRole = "agent") -> Agent:
        email = normalise_email(email)
        name = " ".join(name.split())[:80]
        if not name:
            raise InvalidPayload("the agent needs a name")
        if len(password) < MIN_PASSWORD:
            raise InvalidPayload(
                f"the password needs at least {MIN_PASSWORD} characters", code="weak_password"
            )
        hashed = await asyncio.to_thread(self._hasher.hash, password)
        return await self._store.add_agent(
            NewAgent(
                email=email, name=name, role=role, password_hash=hashed, created_at=self._clock()
            )
        )

    async def set_password(self, email: str, password: str) -> Agent:
        if len(password) < MIN_PASSWORD:
            raise InvalidPayload(
                f"the password needs at least {MIN_PASSWORD} characters", code="weak_password"
            )
        hashed = await asyncio.to_thread(self._hasher.hash, password)
        return await self._store.set_agent_password(normalise_email(email), hashed)

    async def login(self, email: str, password: str, address: str) -> Login:
        """A new session for the right e-mail and password. :class:`Unauthorized`
        (``invalid_credentials``) otherwise; :class:`RateLimited` after too many failures
        from ``address`` or for the account (see :class:`LoginThrottle`)."""
        throttle = self.throttle
        # A flood from a refused address stops here, before it costs a lookup or a hash.
        wait = await throttle.address_wait(address)
        if wait:
            raise RateLimited("too many failed logins; wait a moment", wait)
        try:
            key = normalise_email(email)
        except ChatbotError:
            key = None
        found = await self._store.agent_credentials(key) if key else None
        account = found[0].id if found else None
        key = key or email.strip().lower()
        async with throttle.turn(address, account, key):
            wait = await throttle.wait(address, account, key)
            if wait:
                raise RateLimited("too many failed logins; wait a moment", wait)
            try:
                agent = await self._check(found, password)
            except Unauthorized:
                await throttle.failed(address, account, key)
                raise
            await throttle.succeeded(address, agent.id)
        token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        expires_at = now + self._session_seconds
        await self._store.create_session(_token_hash(token), agent.id, now, expires_at)
        return Login(token, agent, expires_at)

    async def _check(self, found: tuple[Agent, str] | None, password: str) -> Agent:
        refused = Unauthorized("wrong e-mail address or password", code="invalid_credentials")
        # An unknown address costs as much as a wrong password: no account probing by time.
        hashed = found[1] if found else self._dummy_hash
        try:
            await asyncio.to_thread(self._hasher.verify, hashed, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        if found is None or found[0].disabled:
            raise refused
        return found[0]

    async def verify(self, token: object) -> Agent:
        """The agent of a valid session token; :class:`Unauthorized` otherwise."""
        if not isinstance(token, str) or not token.startswith(_TOKEN_PREFIX) or len(token) > 200:
            raise Unauthorized("log in first")
        agent = await self._store.session_agent(_token_hash(token), self._clock())
        if agent is None:
            raise Unauthorized("your session has expired or was ended; log in again")
        return agent

    async def logout(self, token: str) -> None:
        await self._store.revoke_session(_token_hash(token))
