"""What the support lead's report counts, on Redis."""

from __future__ import annotations

from chatbot.store.records import (
    ConversationStat,
    Ticket,
)
from chatbot.store.redis.connection import RedisBase, num

__all__ = ["RedisReports"]


class RedisReports(RedisBase):
    """The :class:`~chatbot.store.base.Reports` role."""

    async def conversation_stats(self, since: float, until: float) -> list[ConversationStat]:
        rows = await self._run("conversation_stats", num(since), num(until))
        return [
            ConversationStat(
                id=id,
                language=language,
                created_at=float(created),
                had_article=bool(article_at),
                article_at=float(article_at) if article_at else None,
                confirmed=confirmed == "1",
                wrote_after_article=after == "1",
            )
            for id, language, created, article_at, confirmed, after in rows
        ]

    async def tickets_between(self, since: float, until: float) -> list[Ticket]:
        return await self._tickets(self._key("tickets"), "score", num(since), f"({num(until)}")

    async def count_tickets(self) -> dict[str, int]:
        rows = await self._run("count_tickets")
        return {status: int(count) for status, count in rows if int(count)}
