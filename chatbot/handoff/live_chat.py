"""Live chat between customers and agents: what each handoff step stores, says and emits.

The turn runner calls in here when the bot opens a ticket; the socket namespaces and the
REST API for messages, typing, ratings, claims, replies, notes and closing. Every step
stores first, then tells the customer (in their language, as a ``system`` message), the
consoles (through the :class:`~chatbot.handoff.broadcast.Broadcaster`) and the notifier
(e-mail, webhooks). The rules of who may do what live here too; no sockets do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from chatbot.engine import EngineContext
from chatbot.errors import NotFound
from chatbot.handoff.broadcast import Broadcaster
from chatbot.handoff.notify import Notifier, customer_email, expected_text
from chatbot.handoff.permissions import (
    check_close,
    check_update,
    check_writer,
    holder_for,
)
from chatbot.handoff.presence import CustomerPresence, Presence
from chatbot.handoff.viewers import Viewers
from chatbot.handoff.wire import wire_ticket
from chatbot.protocol import TicketChange
from chatbot.records import message_record, note_record, ticket_record
from chatbot.store import Agent, Incident, NewMessage, Note, Store, StoredMessage, Ticket
from chatbot.ticket_types import LIVE_STATUSES

__all__ = ["LiveChat"]

log = logging.getLogger(__name__)


class LiveChat:
    def __init__(
        self,
        store: Store,
        broadcaster: Broadcaster,
        engine: EngineContext,
        presence: Presence,
        customers: CustomerPresence,
        notifier: Notifier,
        clock: Callable[[], float],
        *,
        max_chats: int,
        mail_enabled: bool,
    ) -> None:
        self.store = store
        self.broadcaster = broadcaster
        self.engine = engine
        self.presence = presence
        self.customers = customers
        self.notifier = notifier
        self.clock = clock
        self.max_chats = max_chats
        self.mail_enabled = mail_enabled
        #: Which console shows which conversation, and who types in it.
        self.viewers = Viewers(broadcaster)

    # Reading.

    async def agents(self) -> dict[str, Agent]:
        return {a.id: a for a in await self.store.list_agents()}

    async def record(self, ticket: Ticket) -> dict[str, Any]:
        return ticket_record(ticket, await self.agents())

    async def ticket(self, number: object) -> Ticket:
        if not isinstance(number, str) or len(number) > 40:
            raise NotFound("no such ticket")
        ticket = await self.store.get_ticket(number.strip().upper())
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        return ticket

    async def customer_ticket(self, conversation_id: str, visitor_id: str) -> Ticket | None:
        """The conversation's newest ticket that is not closed, if any."""
        for ticket in await self.store.tickets_for_visitor(visitor_id):
            if ticket.conversation_id == conversation_id and ticket.status != "closed":
                return ticket
        return None

    async def customer_view(self, ticket: Ticket) -> dict[str, Any]:
        """The ``ticket`` event for the customer: their ticket, the agent's name, their place."""
        view = wire_ticket(ticket)
        if ticket.expected_response:
            # Written out here, the way the ticket's language writes dates, with the zone.
            view["expected_text"] = expected_text(
                ticket, self.engine.phrases, self.engine.hours.timezone
            )
        # The customer reads their ticket in their own language.
        view["title"] = self.engine.titles.customer_title(
            ticket.service, ticket.fields, ticket.language
        )
        if ticket.assignee and ticket.status in LIVE_STATUSES:
            agent = await self.store.get_agent(ticket.assignee)
            if agent is not None:
                view["agent"] = {"name": agent.name}
        if ticket.status == "open":
            queue = await self.store.queue()
            numbers = [t.number for t in queue]
            if ticket.number in numbers:
                view["position"] = numbers.index(ticket.number) + 1
            view["agents_online"] = len(await self.presence.available())
        return view

    # Telling everyone.

    async def _say(
        self,
        about: Ticket,
        key: str,
        message_id: str,
        data: Mapping[str, Any] | None = None,
        **values: str,
    ) -> list[StoredMessage]:
        """A system message to the customer about a ticket, in the conversation's language;
        ``{ticket}`` in the phrase is its number."""
        conversation = await self.store.get_conversation(about.conversation_id)
        lang = conversation.language if conversation else about.language
        values.setdefault("ticket", about.number)
        text = self.engine.phrases.say(lang, key, company=self.engine.company_name, **values)
        message = NewMessage(
            id=message_id,
            sender="system",
            text=text,
            at=self.clock(),
            data={"lang": lang, "event": key, **(data or {})},
        )
        stored = await self.store.append_messages(about.conversation_id, [message])
        fresh = [m for m, created in stored if created]
        await self.broadcaster.messages(about.conversation_id, fresh)
        return fresh

    async def changed(self, ticket: Ticket, change: str) -> None:
        """A ticket changed: the console, the customer's banner and the webhooks hear of it."""
        record = await self.record(ticket)
        await self.broadcaster.to_consoles("ticket", record)
        await self.broadcaster.to_customer(
            ticket.conversation_id, "ticket", await self.customer_view(ticket)
        )
        await self.publish_queue()
        if change in ("claimed", "transferred", "released", "closed"):
            await self.publish_presence()  # the agents' open chats changed
        if change != "created":
            await self.notifier.ticket_updated(ticket, change)

    async def publish_queue(self) -> None:
        """The queue to every console, and each waiting customer their place in it."""
        queue = await self.store.queue()
        agents = await self.agents()
        await self.broadcaster.to_consoles(
            "queue", {"tickets": [ticket_record(t, agents) for t in queue]}
        )
        online = len(await self.presence.available())
        for position, ticket in enumerate(queue, start=1):
            await self.broadcaster.to_customer(
                ticket.conversation_id,
                "queue",
                {"number": ticket.number, "position": position, "agents_online": online},
            )

    async def publish_presence(self) -> None:
        statuses = await self.presence.statuses()
        chats = {
            agent_id: len(await self.store.tickets_for_agent(agent_id)) for agent_id in statuses
        }
        await self.broadcaster.to_consoles(
            "presence", {"agents": self.presence.snapshot(statuses, await self.agents(), chats)}
        )

    # The handoff, step by step.

    async def ticket_created(self, ticket: Ticket) -> None:
        """The bot opened a ticket: tell the customer what happens next, the team that it
        waits, and send the confirmation mail."""
        if ticket.incident is not None:
            # Linked to a known outage: the bot has said what happens; it does not queue.
            await self.changed(ticket, "created")
            await self.notifier.ticket_created(ticket)
            return
        view = await self.customer_view(ticket)
        email = customer_email(ticket)
        if view.get("agents_online") and "position" in view:
            await self._say(
                ticket,
                "queue_position",
                f"#q{ticket.number}",
                {"ticket": ticket.number},
                position=str(view["position"]),
            )
        else:
            expected = expected_text(ticket, self.engine.phrases, self.engine.hours.timezone)
            if email and self.mail_enabled:
                await self._say(
                    ticket,
                    "queue_offline_email",
                    f"#q{ticket.number}",
                    expected=expected,
                    email=email,
                )
            else:
                await self._say(ticket, "queue_offline", f"#q{ticket.number}", expected=expected)
        await self.changed(ticket, "created")
        await self.notifier.ticket_created(ticket)

    async def incident_resolved(self, incident: Incident) -> list[Ticket]:
        """Close the incident's open tickets and tell each customer, in their language."""
        closed = []
        for ticket in await self.store.tickets_for_incident(incident.id):
            if ticket.status == "closed":
                continue
            conversation = await self.store.get_conversation(ticket.conversation_id)
            lang = conversation.language if conversation else ticket.language
            note = incident.resolution.get(lang) or self.engine.phrases.say(
                lang, "incident_resolved_default", company=self.engine.company_name
            )
            await self._say(
                ticket,
                "incident_resolved",
                f"#i{ticket.number}.{incident.id}",
                {"incident": incident.id},
                message=note,
            )
            if not await self.customers.online(ticket.conversation_id):
                await self.notifier.agent_replied(ticket)  # the news goes by e-mail too
            ticket = await self.store.close_ticket(
                ticket.number, f"Resolved with incident {incident.id}", self.clock()
            )
            await self.changed(ticket, "closed")
            closed.append(ticket)
        return closed

    async def claim(self, agent: Agent, number: object) -> Ticket:
        ticket = await self.ticket(number)
        ticket = await self.store.claim_ticket(
            ticket.number, agent.id, self.max_chats, self.clock()
        )
        await self._joined(ticket, agent, "agent_joined")
        await self.changed(ticket, "claimed")
        return ticket

    async def _joined(self, ticket: Ticket, agent: Agent, key: str) -> None:
        stamp = int((ticket.updated_at or self.clock()) * 1000)
        await self._say(
            ticket,
            key,
            f"#j{ticket.number}.{stamp}",
            {"agent": {"id": agent.id, "name": agent.name}},
            agent=agent.name,
        )
        await self.broadcaster.open_conversation(
            await self.presence.sids(agent.id), ticket.conversation_id
        )

    async def transfer(self, agent: Agent, number: object, to_agent: object) -> Ticket:
        ticket = await self.ticket(number)
        if not isinstance(to_agent, str):
            raise NotFound("no such agent")
        holder = holder_for(agent)
        ticket = await self.store.transfer_ticket(
            ticket.number, holder, to_agent, self.max_chats, self.clock()
        )
        target = await self.store.get_agent(to_agent)
        if target is not None:
            await self._joined(ticket, target, "agent_transferred")
        await self.changed(ticket, "transferred")
        return ticket

    async def release(self, agent: Agent, number: object) -> Ticket:
        ticket = await self.ticket(number)
        holder = holder_for(agent)
        ticket = await self.store.release_ticket(ticket.number, holder, self.clock())
        stamp = int(ticket.updated_at * 1000)
        await self._say(ticket, "agent_released", f"#r{ticket.number}.{stamp}")
        await self.changed(ticket, "released")
        return ticket

    async def close(self, agent: Agent, number: object, resolution: str) -> Ticket:
        ticket = await self.ticket(number)
        check_close(agent, ticket)
        ticket = await self.store.close_ticket(ticket.number, resolution, self.clock())
        await self._say(
            ticket,
            "chat_closed",
            f"#c{ticket.number}",
            {"ask": {"field": "rating", "kind": "rating", "ticket": ticket.number}},
        )
        await self.changed(ticket, "closed")
        return ticket

    async def agent_message(
        self,
        agent: Agent,
        number: object,
        client_id: str,
        text: str,
        articles: list[dict[str, Any]] | None = None,
        *,
        via: str = "console",
        attachment: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
    ) -> tuple[StoredMessage, bool]:
        """An agent writes to the customer; the same holder rules whichever way (``via``)
        it comes. ``on_behalf_of`` (the caller checks who may use it): the customer sees
        "<name> (via <agent>)", and the message stays the posting agent's."""
        ticket = await self.ticket(number)
        check_writer(agent, ticket)
        author: dict[str, Any] = {"id": agent.id, "name": agent.name}
        if on_behalf_of is not None:
            author["name"] = f"{on_behalf_of} (via {agent.name})"
            author["on_behalf_of"] = on_behalf_of
        data: dict[str, Any] = {"agent": author}
        if articles:
            data["articles"] = articles
        if attachment:
            data["attachment"] = dict(attachment)
        if via != "console":
            data["via"] = via
        now = self.clock()
        [(stored, created)] = await self.store.append_messages(
            ticket.conversation_id,
            [NewMessage(id="@" + client_id, sender="agent", text=text, at=now, data=data)],
        )
        if created:
            await self.store.mark_first_response(ticket.number, now)
            await self.broadcaster.messages(ticket.conversation_id, [stored])
            await self.notifier.message_created(ticket, stored)
            if not await self.customers.online(ticket.conversation_id):
                await self.notifier.agent_replied(ticket)
        return stored, created

    async def note(
        self, agent: Agent, number: object, client_id: str, text: str
    ) -> tuple[Note, bool]:
        ticket = await self.ticket(number)
        note, created = await self.store.add_note(
            Note(ticket=ticket.number, id=client_id, agent_id=agent.id, text=text, at=self.clock())
        )
        if created:
            # Notes go to consoles only: the customer's namespace never sees them.
            await self.broadcaster.to_consoles(
                "note", note_record(note, {agent.id: agent}), ticket.conversation_id
            )
        return note, created

    async def update(self, agent: Agent, change: TicketChange) -> Ticket:
        ticket = await self.ticket(change.ticket)
        check_update(ticket, change)
        ticket = await self.store.update_ticket(
            ticket.number,
            self.clock(),
            title=change.title,
            fields=change.fields,
            priority=change.priority,
            status=change.status,
        )
        await self.changed(ticket, "updated")
        return ticket

    async def rate(self, visitor_id: str, number: object, score: int, comment: str) -> Ticket:
        ticket = await self.ticket(number)
        if ticket.visitor_id != visitor_id:
            # The same answer as for a ticket that does not exist: numbers are guessable.
            raise NotFound(f"no ticket {number}")
        ticket = await self.store.rate_ticket(ticket.number, score, comment, self.clock())
        await self._say(ticket, "rating_thanks", f"#t{ticket.number}")
        await self.changed(ticket, "rated")
        return ticket

    async def customer_message(
        self, conversation_id: str, visitor_id: str, message: StoredMessage
    ) -> None:
        """A customer wrote: consoles that have the conversation open see it at once."""
        await self.broadcaster.to_consoles("message", message_record(message), conversation_id)
        ticket = await self.customer_ticket(conversation_id, visitor_id)
        if ticket is not None:
            await self.notifier.message_created(ticket, message)

    async def customer_typing(self, conversation_id: str, on: bool) -> None:
        await self.broadcaster.to_consoles(
            "typing",
            {"conversation_id": conversation_id, "from": "customer", "on": on},
            conversation_id,
        )

    async def agent_typing(self, agent: Agent, number: object, on: bool) -> Ticket:
        """The customer sees the agent type; the ticket, for the other consoles."""
        ticket = await self.ticket(number)
        await self.broadcaster.to_customer(
            ticket.conversation_id, "typing", {"from": "agent", "name": agent.name, "on": on}
        )
        return ticket
