"""Conversations and their messages on Redis."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from chatbot.store.records import (
    Conversation,
    ConversationSummary,
    NewMessage,
    NewWork,
    StoredMessage,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, num, pairs, to_json
from chatbot.store.redis.outbox import work_args

__all__ = ["RedisConversations", "report_flags"]


def report_flags(message: NewMessage) -> str:
    """What the reports count of a message, kept on its conversation by
    ``append_messages.lua`` (``conversation_stats.lua`` reads it back): ``a`` the bot
    offers an article, ``y`` its reply records a confirmed answer, ``c`` the customer
    wrote."""
    flags = ""
    if message.sender == "bot" and message.data.get("articles") is not None:
        flags += "a"
    if message.sender == "bot" and message.data.get("feedback") == "confirmed":
        flags += "y"
    if message.sender == "customer":
        flags += "c"
    return flags


class RedisConversations(RedisBase):
    """The :class:`~chatbot.store.base.Conversations` role."""

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        new_id = "c_" + secrets.token_urlsafe(12)
        flat = await self._run("conversation_for_visitor", visitor_id, language, num(now), new_id)
        return read.conversation(pairs(flat))

    async def start_conversation(self, visitor_id: str, language: str, now: float) -> Conversation:
        new_id = "c_" + secrets.token_urlsafe(12)
        flat = await self._run("start_conversation", visitor_id, language, num(now), new_id)
        return read.conversation(pairs(flat))

    async def conversations_of(
        self, visitor_id: str, offset: int = 0, limit: int = 20
    ) -> list[ConversationSummary]:
        found = await self._run("conversations_of", visitor_id, max(offset, 0), max(limit, 0))
        return [
            ConversationSummary(
                id=cid,
                language=language,
                created_at=float(created_at),
                updated_at=float(updated_at),
                last_seq=int(last_seq),
                first_message=first,
            )
            for cid, language, created_at, updated_at, last_seq, first in found
        ]

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._errors():
            found = await self._hash(self._key("c", conversation_id))
        return read.conversation(found) if found else None

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
        work: NewWork | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        args: list[str] = [
            "0" if state is None else "1",
            "" if state is None else to_json(state),
            "0" if language is None else "1",
            language or "",
            *(work_args(work) if work is not None else ("0", "", "", "", "")),
        ]
        for message in messages:
            record = {
                "id": message.id,
                "sender": message.sender,
                "text": message.text,
                "at": float(message.at),
                "data": message.data,
            }
            args += [message.id, to_json(record), num(message.at), report_flags(message)]
        replies = await self._run("append_messages", conversation_id, *args)
        results: list[tuple[StoredMessage, bool]] = []
        for message, (seq, stored) in zip(messages, replies, strict=True):
            if stored:
                results.append((read.message(conversation_id, int(seq), stored), False))
            else:
                results.append(
                    (
                        StoredMessage(
                            conversation_id=conversation_id,
                            seq=int(seq),
                            id=message.id,
                            sender=message.sender,
                            text=message.text,
                            at=float(message.at),
                            data=dict(message.data),
                        ),
                        True,
                    )
                )
        return results

    async def messages_after(
        self, conversation_id: str, after_seq: int, limit: int
    ) -> list[StoredMessage]:
        first, *rest = await self._run("messages_after", conversation_id, after_seq, limit)
        found = rest[0] if rest else []
        return [
            read.message(conversation_id, int(first) + i, raw)
            for i, raw in enumerate(found)
            if raw is not None
        ]
