"""Fair use: token buckets per visitor (messages), per address (connections) and failed
agent logins (per address and per account).

The buckets live in the store's shared short-lived state, so every server process on one
Redis sees the same counts (with SQLite, in the one process's memory). A bucket holds
``burst`` tokens and refills ``rate`` tokens per second; an empty bucket says how long to
wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["LoginThrottle", "RateLimiter", "SharedCounters", "TokenBuckets"]


class TokenBuckets(Protocol):
    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float: ...


class RateLimiter:
    """One kind of limit (``name``), keyed by visitor, address or account."""

    def __init__(
        self,
        buckets: TokenBuckets,
        name: str,
        burst: float,
        rate: float,
        clock: Callable[[], float],
    ) -> None:
        self.name = name
        self.burst = burst
        self.rate = rate
        self._buckets = buckets
        self._clock = clock

    async def take(self, key: str) -> float:
        """0.0 when allowed (a token is used), else the seconds to wait for one."""
        return await self._buckets.take_token(
            f"{self.name}:{key}", self.burst, self.rate, self._clock()
        )

    async def peek(self, key: str) -> float:
        """Like :meth:`take`, without using a token: for counting only failures."""
        return await self._buckets.take_token(
            f"{self.name}:{key}", self.burst, self.rate, self._clock(), cost=0.0
        )


class SharedCounters(TokenBuckets, Protocol):
    async def bump_counter(self, name: str, ttl: float) -> int: ...

    async def read_counter(self, name: str) -> int: ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float

    def wait(self, burst: float, rate: float, now: float) -> float:
        """Refill to ``now``; 0.0 when a token is there, else the seconds until one is."""
        self.tokens = min(burst, self.tokens + max(0.0, now - self.updated) * rate)
        self.updated = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / rate

    def take(self, burst: float, rate: float, now: float) -> None:
        self.wait(burst, rate, now)
        self.tokens = max(0.0, self.tokens - 1.0)


@dataclass(slots=True)
class _Account:
    failures: _Bucket
    #: Addresses the account logged in from, to the time of the last login; newest last.
    known: OrderedDict[str, float] = field(default_factory=OrderedDict)


@dataclass(slots=True)
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class LoginThrottle:
    """Failed agent logins: ``burst`` failures, then one per ``1 / rate`` seconds, counted
    per address and per account.

    - Per address, whatever e-mail the attempt names: in the store's shared buckets.
    - Per account, for accounts that exist: in a table of this process keyed by agent id
      (so it holds at most one entry per agent, and no flood of made-up e-mails can push
      an entry out) and in the store's shared buckets (other processes on one Redis).
      An address the account logged in from before is exempt: a stranger's failures do
      not lock an agent out where they usually work. Their own failures still count.
    - Unknown e-mails: a bounded table of their own, only so that a made-up e-mail is
      refused like an account (no finding out which e-mails are agents); forgetting one
      of its entries forgets failures against an account that does not exist.

    Attempts from one address, or for one account, take turns (:meth:`turn`): a burst of
    parallel requests cannot all pass the check before the first failure is counted.
    """

    def __init__(
        self,
        shared: SharedCounters,
        clock: Callable[[], float],
        *,
        burst: float = 5,
        rate: float = 1 / 30,
        remember_addresses: float = 30 * 86400.0,
        addresses_per_account: int = 16,
        max_unknown: int = 10_000,
    ) -> None:
        if burst < 1 or rate <= 0:
            raise ValueError("a login throttle needs burst >= 1 and rate > 0")
        self.burst = burst
        self.rate = rate
        self.remember_addresses = remember_addresses
        self.addresses_per_account = addresses_per_account
        self.max_unknown = max_unknown
        self._shared = shared
        self._clock = clock
        self._accounts: dict[str, _Account] = {}
        self._unknown: OrderedDict[str, _Bucket] = OrderedDict()
        self._turns: dict[str, _Turn] = {}

    def sizes(self) -> dict[str, int]:
        """Entries in this process's tables (for metrics and tests)."""
        known = sum(len(a.known) for a in self._accounts.values())
        return {
            "accounts": len(self._accounts),
            "known_addresses": known,
            "unknown_emails": len(self._unknown),
            "turns": len(self._turns),
        }

    @contextlib.asynccontextmanager
    async def turn(self, address: str, account: str | None, email: str) -> AsyncIterator[None]:
        """Wait for the attempts before this one from the same address or for the same
        account (or unknown e-mail) to finish."""
        async with contextlib.AsyncExitStack() as stack:
            for key in (f"address:{address}", _account_key(account, email)):
                await stack.enter_async_context(self._one_at_a_time(key))
            yield

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, key: str) -> AsyncIterator[None]:
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[key]

    async def address_wait(self, address: str) -> float:
        """Seconds until ``address`` may try again; 0.0 now."""
        return await self._shared.take_token(
            f"login:address:{address}", self.burst, self.rate, self._clock(), cost=0.0
        )

    async def wait(self, address: str, account: str | None, email: str) -> float:
        """Seconds until this attempt may be checked; 0.0 now. ``account``: the agent id
        of ``email``, ``None`` when no agent has it."""
        now = self._clock()
        wait = await self.address_wait(address)
        if account is None:
            bucket = self._unknown.get(email)
            return max(wait, bucket.wait(self.burst, self.rate, now) if bucket else 0.0)
        if await self._known(account, address, now):
            return wait
        state = self._accounts.get(account)
        if state is not None:
            wait = max(wait, state.failures.wait(self.burst, self.rate, now))
        shared = await self._shared.take_token(
            f"login:account:{account}", self.burst, self.rate, now, cost=0.0
        )
        return max(wait, shared)

    async def failed(self, address: str, account: str | None, email: str) -> None:
        now = self._clock()
        await self._shared.take_token(f"login:address:{address}", self.burst, self.rate, now)
        if account is None:
            bucket = self._unknown.pop(email, None) or _Bucket(self.burst, now)
            bucket.take(self.burst, self.rate, now)
            self._unknown[email] = bucket  # most recent last
            while len(self._unknown) > self.max_unknown:
                self._unknown.popitem(last=False)
            return
        self._account(account, now).failures.take(self.burst, self.rate, now)
        await self._shared.take_token(f"login:account:{account}", self.burst, self.rate, now)

    async def succeeded(self, address: str, account: str) -> None:
        now = self._clock()
        known = self._account(account, now).known
        known.pop(address, None)
        known[address] = now
        while len(known) > self.addresses_per_account:
            known.popitem(last=False)
        await self._shared.bump_counter(f"login:known:{account}:{address}", self.remember_addresses)

    def _account(self, account: str, now: float) -> _Account:
        state = self._accounts.get(account)
        if state is None:
            state = self._accounts[account] = _Account(_Bucket(self.burst, now))
        return state

    async def _known(self, account: str, address: str, now: float) -> bool:
        state = self._accounts.get(account)
        seen = state.known.get(address) if state else None
        if seen is not None and now - seen < self.remember_addresses:
            return True
        # Another process may have seen the login (Redis).
        return await self._shared.read_counter(f"login:known:{account}:{address}") > 0


def _account_key(account: str | None, email: str) -> str:
    return f"account:{account}" if account is not None else f"email:{email}"
