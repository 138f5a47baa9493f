"""Tickets on Redis: filing, agents' edits, the queue, claims and closing."""

from __future__ import annotations

from collections.abc import Mapping

from chatbot.store.records import (
    NewTicket,
    Ticket,
)
from chatbot.store.redis import rows as read
from chatbot.store.redis.connection import RedisBase, num, pairs, to_json

__all__ = ["RedisTickets"]


class RedisTickets(RedisBase):
    """The :class:`~chatbot.store.base.Tickets` role."""

    async def create_ticket(self, ticket: NewTicket, prefix: str) -> Ticket:
        fields = [
            "conversation_id",
            ticket.conversation_id,
            "visitor_id",
            ticket.visitor_id,
            "service",
            ticket.service,
            "title",
            ticket.title,
            "language",
            ticket.language,
            "priority",
            ticket.priority,
            "fields",
            to_json(ticket.fields),
            "missing",
            to_json(list(ticket.missing)),
            "created_at",
            num(ticket.created_at),
            "updated_at",
            num(ticket.created_at),
            "customer",
            to_json(ticket.customer),
        ]
        if ticket.expected_response is not None:
            fields += ["expected_response", ticket.expected_response]
        flat = await self._run("create_ticket", ticket.source, prefix, *fields)
        return read.ticket(pairs(flat))

    async def get_ticket(self, number: str) -> Ticket | None:
        with self._errors():
            found = await self._hash(self._key("t", number))
        return read.ticket(found) if found else None

    async def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]:
        if limit <= 0:
            return []
        index = self._key("tickets") if status is None else self._key("tickets", "s", status)
        return await self._tickets(index, "desc", "0", str(limit - 1))

    async def tickets_for_visitor(self, visitor_id: str) -> list[Ticket]:
        return await self._tickets(self._key("v", visitor_id, "tickets"), "desc")

    async def touch_ticket(self, number: str, at: float) -> None:
        await self._run("touch_ticket", number, num(at))

    async def update_ticket(
        self,
        number: str,
        now: float,
        *,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
        priority: str | None = None,
        status: str | None = None,
    ) -> Ticket:
        sets = ["updated_at", num(now)]
        for name, value in (
            ("title", title),
            ("fields", None if fields is None else to_json(fields)),
            ("priority", priority),
            ("status", status),
        ):
            if value is not None:
                sets += [name, value]
        return read.ticket(pairs(await self._run("update_ticket", number, *sets)))

    async def queue(self, limit: int = 200) -> list[Ticket]:
        return [read.ticket(pairs(flat)) for flat in await self._run("queue", limit)]

    async def tickets_for_agent(self, agent_id: str) -> list[Ticket]:
        return await self._tickets(self._key("a", agent_id, "active"))

    async def claim_ticket(self, number: str, agent_id: str, max_chats: int, now: float) -> Ticket:
        flat = await self._run("claim_ticket", number, agent_id, max_chats, num(now))
        return read.ticket(pairs(flat))

    async def transfer_ticket(
        self, number: str, from_agent: str | None, to_agent: str, max_chats: int, now: float
    ) -> Ticket:
        flat = await self._run(
            "transfer_ticket", number, from_agent or "", to_agent, max_chats, num(now)
        )
        return read.ticket(pairs(flat))

    async def release_ticket(self, number: str, agent_id: str | None, now: float) -> Ticket:
        flat = await self._run("release_ticket", number, agent_id or "", num(now))
        return read.ticket(pairs(flat))

    async def close_ticket(self, number: str, resolution: str, now: float) -> Ticket:
        return read.ticket(pairs(await self._run("close_ticket", number, resolution, num(now))))

    async def rate_ticket(self, number: str, score: int, comment: str, now: float) -> Ticket:
        flat = await self._run("rate_ticket", number, int(score), comment or "", num(now))
        return read.ticket(pairs(flat))

    async def mark_first_response(self, number: str, at: float) -> None:
        await self._run("mark_first_response", number, num(at))

    async def set_emailed_seq(self, number: str, seq: int) -> None:
        await self._run("set_emailed_seq", number, int(seq))
