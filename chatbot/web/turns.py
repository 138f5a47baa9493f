"""Runs the engine for stored customer messages, one conversation at a time.

The customer's message is acknowledged as soon as it is stored; the bot's turn runs
after, here. Replies and the new engine state are stored in one transaction and carry
ids derived from the customer message's ``seq``, so a turn that runs twice (a retry, a
crash between two steps, another process) stores its replies once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from chatbot.engine import ConversationState, EngineContext, Inbound, turn
from chatbot.errors import ChatbotError
from chatbot.store import NewMessage, Store, StoredMessage
from chatbot.web.wire import reply_data

__all__ = ["Emitter", "TurnRunner"]

log = logging.getLogger(__name__)


class Emitter(Protocol):
    """Where the runner sends what the bot says: the conversation's sockets."""

    async def messages(self, conversation_id: str, messages: list[StoredMessage]) -> None: ...

    async def typing(self, conversation_id: str, on: bool) -> None: ...


class TurnRunner:
    def __init__(
        self,
        store: Store,
        engine: EngineContext,
        emit: Emitter,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._engine = engine
        self._emit = emit
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, conversation_id: str, locale: str | None) -> None:
        """Answer every unanswered customer message of the conversation, in the background."""
        task = asyncio.create_task(self.run(conversation_id, locale))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the turns in flight (on shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run(self, conversation_id: str, locale: str | None) -> None:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        async with lock:
            try:
                await self._answer_pending(conversation_id, locale)
            except ChatbotError as exc:
                log.warning("turn for %s not run: %s", conversation_id, exc.message)
            except Exception:
                log.exception("turn for %s failed", conversation_id)

    async def _answer_pending(self, conversation_id: str, locale: str | None) -> None:
        conversation = await self._store.get_conversation(conversation_id)
        if conversation is None:
            return
        state = ConversationState.from_dict(conversation.state)
        pending = [
            m
            for m in await self._store.messages_after(conversation_id, state.processed_seq, 200)
            if m.sender == "customer"
        ]
        if not pending:
            return
        await self._emit.typing(conversation_id, True)
        try:
            await self._answer(conversation_id, state, pending, locale)
        finally:
            await self._emit.typing(conversation_id, False)

    async def _answer(
        self,
        conversation_id: str,
        state: ConversationState,
        pending: list[StoredMessage],
        locale: str | None,
    ) -> None:
        for message in pending:
            value = message.data.get("value")
            inbound = Inbound(
                text=message.text,
                value=value if isinstance(value, str) else None,
                seq=message.seq,
                locale=locale,
            )
            result = turn(state, inbound, self._engine)
            now = self._clock()
            replies = [
                NewMessage(
                    id=f"#b{message.seq}.{i}",
                    sender="bot",
                    text=reply.text,
                    at=now,
                    data=reply_data(reply),
                )
                for i, reply in enumerate(result.replies)
            ]
            stored = await self._store.append_messages(
                conversation_id,
                replies,
                state=result.state.to_dict(),
                language=result.state.language,
            )
            state = result.state
            fresh = [m for m, created in stored if created]
            if fresh:
                await self._emit.messages(conversation_id, fresh)

    def stats(self) -> dict[str, Any]:
        return {"turns_in_flight": len(self._tasks)}
