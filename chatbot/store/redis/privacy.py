"""Retention, export and erasure on Redis."""

from __future__ import annotations

from typing import cast

from chatbot.store.records import (
    VisitorData,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, num, pairs

__all__ = ["RedisPrivacy"]

_PURGE_BATCH = 100


class RedisPrivacy(RedisBase):
    """The :class:`~chatbot.store.base.Privacy` role."""

    async def purge_conversations(self, before: float, empty_only: bool = False) -> list[str]:
        with self._errors():
            candidates = cast(
                list[str],
                await self._client.zrangebyscore(
                    self._key("convs", "updated"), "-inf", f"({num(before)}"
                ),
            )
        purged: list[str] = []
        # Each conversation is checked and deleted atomically; batches keep Redis responsive.
        for start in range(0, len(candidates), _PURGE_BATCH):
            batch = candidates[start : start + _PURGE_BATCH]
            with self._errors():
                pipe = self._client.pipeline(transaction=False)
                for conversation_id in batch:
                    await self._scripts["purge_conversation"](
                        args=[self.prefix, conversation_id, num(before), int(empty_only)],
                        client=pipe,
                    )
                done = await pipe.execute()
            purged += [c for c, deleted in zip(batch, done, strict=True) if deleted]
        return purged

    async def visitor_data(self, visitor_id: str) -> VisitorData:
        conversations, messages, tickets = await self._run("visitor_data", visitor_id)
        found = [read.conversation(pairs(flat)) for flat in conversations]
        stored = [
            read.message(conversation.id, int(seq), raw)
            for conversation, flat in zip(found, messages, strict=True)
            for seq, raw in sorted(pairs(flat).items(), key=lambda item: int(item[0]))
        ]
        unique = {t.number: t for t in (read.ticket(pairs(flat)) for flat in tickets)}
        return VisitorData(
            visitor_id=visitor_id,
            conversations=found,
            messages=stored,
            tickets=sorted(unique.values(), key=lambda t: (t.created_at, t.number)),
        )

    async def delete_visitor(self, visitor_id: str) -> list[str]:
        return list(await self._run("delete_visitor", visitor_id))
