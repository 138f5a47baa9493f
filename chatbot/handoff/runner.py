"""Runs the engine for stored customer messages, one conversation at a time.

The customer's message is acknowledged as soon as it is stored; the bot's turn runs
after, here. Replies and the new engine state are stored in one transaction and carry
ids derived from the customer message's ``seq``, so a turn that runs twice (a retry, a
crash between two steps, another process) stores its replies once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chatbot.engine import ConversationState, EngineContext, Inbound, turn
from chatbot.engine.actions import AttachToTicket, CreateTicket, Diagnose
from chatbot.engine.messages import DiagnosisNote
from chatbot.engine.turn import Turn
from chatbot.errors import ChatbotError
from chatbot.handoff.active_incidents import ActiveIncidents
from chatbot.handoff.broadcast import Broadcaster
from chatbot.handoff.busy_notice import say_busy
from chatbot.handoff.engine_slots import TURN_CAPACITY, EngineSlots
from chatbot.handoff.fair_use import FairUse
from chatbot.handoff.live_chat import LiveChat
from chatbot.handoff.ticket_actions import run_ticket_actions
from chatbot.handoff.wire import reply_data
from chatbot.identity import Identity
from chatbot.metrics import Metrics
from chatbot.store import Conversation, NewMessage, Store, StoredMessage, Ticket
from chatbot.ticket_types import LIVE_STATUSES
from chatbot.tickets.drafts import TicketSummary

__all__ = ["DiagnoseFn", "TurnRunner"]

log = logging.getLogger(__name__)

#: Checks a domain for a service, for a visitor, in a language: what to say, and the
#: structured block for the transcript.
DiagnoseFn = Callable[[str, str, str, str], Awaitable[tuple[DiagnosisNote, dict[str, Any] | None]]]

#: A conversation's turn lease: renewed while the turn runs, so it outlives a dead process
#: by this much at most; another process polls this often, this many times, before it
#: leaves the turn to the work queue.
LEASE_SECONDS = 6.0
LEASE_POLL_SECONDS = 0.2
LEASE_WAITS = 300
#: A turn renews its lease this long at most: a hung turn never blocks a conversation.
MAX_TURN_SECONDS = 60.0
#: Rounds of "answer what is pending" per lease (a customer typing fast).
MAX_ROUNDS = 20


class TurnRunner:
    def __init__(
        self,
        store: Store,
        engine: EngineContext,
        broadcaster: Broadcaster,
        live: LiveChat,
        fair_use: FairUse,
        clock: Callable[[], float] = time.time,
        ticket_prefix: str = "HS",
        metrics: Metrics | None = None,
        diagnose: DiagnoseFn | None = None,
        capacity: int = TURN_CAPACITY,
    ) -> None:
        self._diagnose = diagnose
        #: Engine slots: turns that run or wait for the engine's threads at once.
        self._slots = EngineSlots(capacity, metrics)
        self._metrics = metrics
        self._fair_use = fair_use
        self._prefix = ticket_prefix
        self._live = live
        self._store = store
        self._engine = engine
        self._broadcaster = broadcaster
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task[None]] = set()
        self._holder = secrets.token_hex(8)
        self._thinker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="turn")
        self._incidents = ActiveIncidents(store)

    def schedule(
        self, conversation_id: str, locale: str | None, identity: Identity | None = None
    ) -> None:
        """Answer every unanswered customer message of the conversation, in the background:
        now, or when one of the process's engine slots is free (the customer is told)."""
        self._spawn(self.run(conversation_id, locale, identity))

    @property
    def waiting(self) -> int:
        """Turns waiting for an engine slot."""
        return self._slots.waiting

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _slot(
        self, conversation: Conversation, locale: str | None
    ) -> AbstractAsyncContextManager[None]:
        """One of the process's engine slots for a turn; a turn that waits for one has the
        customer told that the bot answers in a moment. The notice goes out beside the
        wait, never in its way: a slow store or a reconnecting pub/sub must not keep a slot
        that came free idle."""
        return self._slots.slot(lambda: self._spawn(self._say_busy(conversation, locale)))

    async def _say_busy(self, conversation: Conversation, locale: str | None) -> None:
        await say_busy(
            self._store, self._engine, self._broadcaster, self._clock(), conversation, locale
        )

    async def drain(self) -> None:
        """Wait for the turns in flight (on shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run(
        self, conversation_id: str, locale: str | None, identity: Identity | None = None
    ) -> None:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        async with lock:
            try:
                if not await self._lease(conversation_id):
                    # Once more when the other process's lease has surely ended; the
                    # work queue's safety net stays behind this.
                    asyncio.get_running_loop().call_later(
                        LEASE_SECONDS, self.schedule, conversation_id, locale, identity
                    )
                else:
                    keeper = asyncio.create_task(self._keep_lease(conversation_id))
                    try:
                        # Until nothing is pending: a message that arrived at another
                        # process while this one held the lease is answered here.
                        for _ in range(MAX_ROUNDS):
                            # Each turn of the engine takes a slot of its own: a
                            # customer typing fast waits behind the others in line.
                            if not await self._answer_pending(conversation_id, locale, identity):
                                break
                    finally:
                        keeper.cancel()
                        await asyncio.gather(keeper, return_exceptions=True)
                        await self._store.drop_lease(f"turn:{conversation_id}", self._holder)
            except ChatbotError as exc:
                log.warning("turn for %s not run: %s", conversation_id, exc.message)
            except Exception:
                log.exception("turn for %s failed", conversation_id)

    async def _lease(self, conversation_id: str) -> bool:
        """One process at a time runs a conversation's turn (with Redis, a customer's two
        sockets may sit on two processes): wait for the other to finish; it may well
        answer this message too. Given up after a while: the work queue's safety net
        runs the turn later."""
        for _ in range(LEASE_WAITS):
            if await self._store.take_lease(f"turn:{conversation_id}", self._holder, LEASE_SECONDS):
                return True
            await asyncio.sleep(LEASE_POLL_SECONDS)
        log.warning("turn for %s postponed: another process holds it", conversation_id)
        return False

    async def _keep_lease(self, conversation_id: str) -> None:
        """Renew the lease while the turn runs (a domain check takes seconds); a process
        that dies stops renewing, and its lease ends within :data:`LEASE_SECONDS`."""
        started = time.monotonic()
        while time.monotonic() - started < MAX_TURN_SECONDS:
            await asyncio.sleep(LEASE_SECONDS / 3)
            await self._store.take_lease(f"turn:{conversation_id}", self._holder, LEASE_SECONDS)

    async def safety_net(self, payload: Mapping[str, Any]) -> None:
        """A turn from the durable work queue: the message was stored, but this or another
        process may have died before answering it."""
        raw = payload.get("identity")
        identity = Identity.from_dict(raw) if isinstance(raw, dict) else None
        conversation_id, locale = str(payload["conversation_id"]), payload.get("locale")
        await self.run(conversation_id, locale, identity)

    async def _answer_pending(
        self, conversation_id: str, locale: str | None, identity: Identity | None
    ) -> bool:
        """Answer what is pending; False when nothing was, or when the answer shows that
        nothing arrived meanwhile (no second look: every message schedules its own turn,
        so the look only answers sooner what another process received)."""
        conversation = await self._store.get_conversation(conversation_id)
        if conversation is None:
            return False
        state = ConversationState.from_dict(conversation.state)
        pending = [
            m
            for m in await self._store.messages_after(conversation_id, state.processed_seq, 200)
            # A file alone is for the agent; the bot answers words.
            if m.sender == "customer" and "attachment" not in m.data
        ]
        if not pending:
            return False
        tickets = await self._store.tickets_for_visitor(conversation.visitor_id)
        if any(t.conversation_id == conversation_id and t.status in LIVE_STATUSES for t in tickets):
            # An agent is chatting with the customer: the bot keeps quiet until they close.
            state = state.evolve(processed_seq=pending[-1].seq)
            await self._store.append_messages(conversation_id, [], state=state.to_dict())
            return True
        await self._typing(conversation_id, True)
        try:
            return await self._answer(conversation, state, pending, tickets, locale, identity)
        finally:
            await self._typing(conversation_id, False)

    async def _typing(self, conversation_id: str, on: bool) -> None:
        await self._broadcaster.to_customer(conversation_id, "typing", {"from": "bot", "on": on})

    def forget_incidents(self) -> None:
        """An incident was posted or resolved here: read them again on the next turn."""
        self._incidents.forget()

    async def _answer(
        self,
        conversation: Conversation,
        state: ConversationState,
        pending: list[StoredMessage],
        tickets: list[Ticket],
        locale: str | None,
        identity: Identity | None,
    ) -> bool:
        """Answer each pending message in turn; True when something else may have arrived
        meanwhile (look again)."""
        # The conversation's last seq as this turn knows it: while each batch of replies
        # lands right after it, nobody else wrote to the conversation.
        seen: int | None = conversation.last_seq
        stale = False
        for message in pending:
            if stale:
                # The previous message filed or touched a ticket: this one sees it.
                tickets = await self._store.tickets_for_visitor(conversation.visitor_id)
            value = message.data.get("value")
            ask_id = message.data.get("ask_id")
            inbound = Inbound(
                text=message.text,
                value=value if isinstance(value, str) else None,
                ask_id=ask_id if isinstance(ask_id, str) else None,
                seq=message.seq,
                locale=locale,
                at=datetime.fromtimestamp(message.at, UTC),
                tickets=tuple(
                    TicketSummary(t.number, t.status, t.title, t.service, dict(t.fields))
                    for t in tickets
                ),
                identity=identity,
                incidents=await self._incidents.current(),
            )
            # Only the engine's work holds a slot; storing and sending never do.
            async with self._slot(conversation, locale):
                result = await self._think(state, inbound)
            state, stored = await self._apply(
                conversation, message, identity, result, f"#b{message.seq}."
            )
            seen = _after(seen, stored)
            actions = list(result.actions)
            asked = next((a for a in result.actions if isinstance(a, Diagnose)), None)
            if asked is not None:
                # The engine wants the customer's domain checked before a ticket: check it
                # (seconds, while "typing" shows), then let the engine say what it found.
                note, block = DiagnosisNote(domain=asked.domain), None
                if self._diagnose is not None:
                    note, block = await self._diagnose(
                        asked.domain, asked.service, conversation.visitor_id, state.language
                    )
                async with self._slot(conversation, locale):
                    follow = await self._think(
                        state, replace(inbound, text="", value=None, diagnosis=note)
                    )
                state, stored = await self._apply(
                    conversation,
                    message,
                    identity,
                    follow,
                    f"#b{message.seq}.d",
                    {"diagnosis": block} if block else None,
                )
                seen = _after(seen, stored)
                actions += follow.actions
            stale = any(isinstance(a, (CreateTicket, AttachToTicket)) for a in actions)
        return seen is None

    async def _think(self, state: ConversationState, inbound: Inbound) -> Turn:
        """The engine's turn, off the event loop: a long or odd message costs the thread
        its time, never the other customers' sockets, health checks or acks. Two threads:
        one embeds (outside the interpreter lock) while the other reads; more turns wait
        in line instead of competing for the interpreter."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thinker, self._turn, state, inbound)

    def _turn(self, state: ConversationState, inbound: Inbound) -> Turn:
        # The sentence embedding, the costly part of understanding, is made here in the
        # thread (the embedder releases the interpreter while it works) and only when
        # the turn searches: an answer to a form question or a "thanks" embeds nothing.
        return turn(state, inbound, self._engine)

    def close(self) -> None:
        """Stop the engine's threads (after :meth:`drain`)."""
        self._thinker.shutdown(wait=True, cancel_futures=True)

    async def _apply(
        self,
        conversation: Conversation,
        message: StoredMessage,
        identity: Identity | None,
        result: Turn,
        id_prefix: str,
        first_data: dict[str, Any] | None = None,
    ) -> tuple[ConversationState, list[tuple[StoredMessage, bool]]]:
        """Run the turn's actions, store its replies with the new state (one transaction),
        tell everyone. The new state, and the replies as stored."""
        conversation_id = conversation.id
        now = self._clock()
        created = await run_ticket_actions(
            self._store,
            self._fair_use,
            self._prefix,
            conversation,
            message,
            identity,
            result.actions,
            now,
        )
        number = created[0].number if created else ""
        replies = [
            NewMessage(
                id=f"{id_prefix}{i}",
                sender="bot",
                text=reply.text.replace("{ticket}", number) if number else reply.text,
                at=now,
                data={**reply_data(reply), **(first_data if first_data and i == 0 else {})},
            )
            for i, reply in enumerate(result.replies)
        ]
        stored = await self._store.append_messages(
            conversation_id,
            replies,
            state=result.state.to_dict(),
            language=result.state.language,
        )
        fresh = [m for m, was_created in stored if was_created]
        if fresh:
            await self._broadcaster.messages(conversation_id, fresh)
            if self._metrics is not None:
                self._metrics.messages.labels(sender="bot").inc(len(fresh))
                self._metrics.bot_latency.observe(max(0.0, self._clock() - message.at))
                for ticket in created:
                    self._metrics.tickets_created.labels(priority=ticket.priority).inc()
        for ticket in created:
            await self._live.ticket_created(ticket)
        return result.state, stored


def _after(seen: int | None, stored: list[tuple[StoredMessage, bool]]) -> int | None:
    """The conversation's last seq after these replies were stored right after ``seen``;
    ``None`` when something else may have been stored in between (or already was)."""
    if seen is None or not stored or not all(created for _, created in stored):
        return None
    if stored[0][0].seq != seen + 1:
        return None
    return stored[-1][0].seq
