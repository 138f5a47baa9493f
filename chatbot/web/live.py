"""Live chat between customers and agents: what each handoff step stores, says and emits.

Both namespaces call in here: the customer's (``/``) for messages, typing and ratings,
the agents' (``/agent``) and the REST API for claims, replies, notes and closing. Every
step stores first, then tells the customer (in their language, as a ``system`` message),
the console (``/agent``) and the notifier (e-mail, webhooks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

import socketio

from chatbot.engine import EngineContext
from chatbot.errors import ChatbotError, Conflict, Forbidden, NotFound
from chatbot.handoff.notify import Notifier, customer_email, expected_text
from chatbot.handoff.queue import Presence
from chatbot.handoff.reports import build_report
from chatbot.handoff.wire import wire_message, wire_ticket
from chatbot.protocol import TicketChange
from chatbot.records import message_record, note_record, ticket_record
from chatbot.settings import LANGUAGES
from chatbot.store import Agent, Incident, NewMessage, Note, Store, StoredMessage, Ticket

__all__ = ["AGENTS_ROOM", "LiveChat", "conversation_room"]

log = logging.getLogger(__name__)

#: Every connected console socket: queue and ticket changes go here.
AGENTS_ROOM = "agents"
LIVE_STATUSES = ("in_progress", "waiting")
#: Refused floods (rate-limited messages) after which a visitor's tickets are ``low``.
FLOODS_BEFORE_LOW_PRIORITY = 3
#: Seconds a visitor's floods are remembered after the last one.
FLOOD_MEMORY = 24 * 3600.0
#: How often each process renews its sockets in the shared presence (they expire after 3x).
HEARTBEAT_SECONDS = 10.0


#: Rooms of conversations are named ``conversation:<id>``.
CONVERSATION_ROOM = "conversation:"


def conversation_room(conversation_id: str) -> str:
    """The sockets of one conversation: the customer's tabs in ``/``, and in ``/agent`` the
    consoles that opened it."""
    return CONVERSATION_ROOM + conversation_id


class LiveChat:
    def __init__(
        self,
        store: Store,
        sio: socketio.AsyncServer,
        engine: EngineContext,
        presence: Presence,
        notifier: Notifier,
        clock: Callable[[], float],
        *,
        max_chats: int,
        mail_enabled: bool,
        shared: bool = False,
    ) -> None:
        self.store = store
        self.sio = sio
        self.engine = engine
        self.presence = presence
        self.notifier = notifier
        self.clock = clock
        self.max_chats = max_chats
        self.mail_enabled = mail_enabled
        #: Other processes serve sockets too (Redis): who is online must be shared.
        self.shared = shared
        self._outage = asyncio.Event()

    # Fair use: a visitor who floods the chat goes to the back of the queue.

    async def flooded(self, visitor_id: str, conversation_id: str) -> None:
        """Count a refused flood; from the third in a day on, the visitor's tickets are
        ``low``. The count is shared by every server process."""
        floods = await self.store.bump_counter(f"floods:{visitor_id}", FLOOD_MEMORY)
        if floods == FLOODS_BEFORE_LOW_PRIORITY:
            log.info("visitor %s flooded the chat; their tickets go to low priority", visitor_id)
            for ticket in await self.store.tickets_for_visitor(visitor_id):
                if ticket.status != "closed" and ticket.priority != "low":
                    changed = await self.store.update_ticket(
                        ticket.number, self.clock(), priority="low"
                    )
                    await self.changed(changed, "updated")

    async def priority_for(self, visitor_id: str, priority: str) -> str:
        """The priority a new ticket of this visitor gets."""
        floods = await self.store.read_counter(f"floods:{visitor_id}")
        return "low" if floods >= FLOODS_BEFORE_LOW_PRIORITY else priority

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

    async def customer_online(self, conversation_id: str) -> bool:
        participants = self.sio.manager.get_participants("/", conversation_room(conversation_id))
        if next(iter(participants), None) is not None:
            return True
        if self.shared:  # connected to another process?
            return await self.store.read_counter(f"online:{conversation_id}") > 0
        return False

    async def customer_connected(self, conversation_id: str) -> None:
        if self.shared:
            await self.store.bump_counter(f"online:{conversation_id}", 3 * HEARTBEAT_SECONDS)

    def store_failed(self) -> None:
        """A handler met a store outage: check often, and resync clients once it is over."""
        self._outage.set()

    async def heartbeat(self) -> None:
        """Renew this process's agents and customers in the shared view, until cancelled.
        After a store outage, tell every client to fetch what it may have missed: events
        published while the store (Redis) was away are lost to pub/sub."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outage.wait(), HEARTBEAT_SECONDS)
            if self._outage.is_set():
                await asyncio.sleep(1.0)
            try:
                await self.presence.refresh()
                if self.shared:
                    rooms = list(self.sio.manager.rooms.get("/", {}))
                    for room in rooms:
                        if isinstance(room, str) and room.startswith(CONVERSATION_ROOM):
                            await self.customer_connected(room.removeprefix(CONVERSATION_ROOM))
            except ChatbotError as exc:
                if not self._outage.is_set():
                    log.warning("store unavailable: %s", exc.message)
                self._outage.set()
                continue
            if self._outage.is_set():
                log.info("store is back; clients resynchronise")
                self._outage.clear()
                await self.sio.emit("resync", {}, namespace="/")
                await self.sio.emit("resync", {}, namespace="/agent")

    async def report(self, days: int) -> dict[str, Any]:
        """The support lead's report over the last ``days`` days."""
        until = self.clock() + 1
        since = until - days * 86400
        report = build_report(
            await self.store.conversation_stats(since, until),
            await self.store.tickets_between(since, until),
            LANGUAGES,
        )
        return {"days": days, **report}

    # Telling everyone.

    async def _emit_messages(self, conversation_id: str, messages: list[StoredMessage]) -> None:
        room = conversation_room(conversation_id)
        for message in messages:
            await self.sio.emit("message", wire_message(message), room=room, namespace="/")
            await self.sio.emit("message", message_record(message), room=room, namespace="/agent")

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
        await self._emit_messages(about.conversation_id, fresh)
        return fresh

    async def changed(self, ticket: Ticket, change: str) -> None:
        """A ticket changed: the console, the customer's banner and the webhooks hear of it."""
        record = await self.record(ticket)
        await self.sio.emit("ticket", record, room=AGENTS_ROOM, namespace="/agent")
        await self.sio.emit(
            "ticket",
            await self.customer_view(ticket),
            room=conversation_room(ticket.conversation_id),
            namespace="/",
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
        await self.sio.emit(
            "queue",
            {"tickets": [ticket_record(t, agents) for t in queue]},
            room=AGENTS_ROOM,
            namespace="/agent",
        )
        online = len(await self.presence.available())
        for position, ticket in enumerate(queue, start=1):
            await self.sio.emit(
                "queue",
                {"number": ticket.number, "position": position, "agents_online": online},
                room=conversation_room(ticket.conversation_id),
                namespace="/",
            )

    async def publish_presence(self) -> None:
        statuses = await self.presence.statuses()
        chats = {
            agent_id: len(await self.store.tickets_for_agent(agent_id)) for agent_id in statuses
        }
        await self.sio.emit(
            "presence",
            {"agents": self.presence.snapshot(statuses, await self.agents(), chats)},
            room=AGENTS_ROOM,
            namespace="/agent",
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
            if not await self.customer_online(ticket.conversation_id):
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
        for sid in await self.presence.sids(agent.id):
            await self.sio.enter_room(
                sid, conversation_room(ticket.conversation_id), namespace="/agent"
            )

    async def transfer(self, agent: Agent, number: object, to_agent: object) -> Ticket:
        ticket = await self.ticket(number)
        if not isinstance(to_agent, str):
            raise NotFound("no such agent")
        holder = None if agent.role == "admin" else agent.id
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
        holder = None if agent.role == "admin" else agent.id
        ticket = await self.store.release_ticket(ticket.number, holder, self.clock())
        stamp = int(ticket.updated_at * 1000)
        await self._say(ticket, "agent_released", f"#r{ticket.number}.{stamp}")
        await self.changed(ticket, "released")
        return ticket

    def _check_holder(self, agent: Agent, ticket: Ticket) -> None:
        if ticket.status == "closed":
            raise Conflict(f"{ticket.number} is closed", code="ticket_closed")
        if ticket.assignee != agent.id and agent.role != "admin":
            raise Forbidden(f"claim {ticket.number} before you write to the customer")

    def check_close(self, agent: Agent, ticket: Ticket) -> None:
        """Raise unless ``agent`` may close ``ticket``: theirs, in the queue, or an admin."""
        if ticket.status == "closed":
            raise Conflict(f"{ticket.number} is closed", code="ticket_closed")
        if ticket.assignee not in (None, agent.id) and agent.role != "admin":
            raise Forbidden(f"{ticket.number} is another agent's chat")

    async def close(self, agent: Agent, number: object, resolution: str) -> Ticket:
        ticket = await self.ticket(number)
        self.check_close(agent, ticket)
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
        self._check_holder(agent, ticket)
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
            await self._emit_messages(ticket.conversation_id, [stored])
            await self.notifier.message_created(ticket, stored)
            if not await self.customer_online(ticket.conversation_id):
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
            await self.sio.emit(
                "note",
                note_record(note, {agent.id: agent}),
                room=conversation_room(ticket.conversation_id),
                namespace="/agent",
            )
        return note, created

    def check_update(self, ticket: Ticket, change: TicketChange) -> None:
        """Raise unless ``change`` may be applied to ``ticket`` as it is now."""
        if ticket.status == "closed":
            raise Conflict(f"{ticket.number} is closed", code="ticket_closed")
        # Who holds a ticket changes only by claim, transfer and release.
        if change.status == "open" and ticket.assignee is not None:
            raise Conflict(f"release {ticket.number} to put it back in the queue")
        if change.status in LIVE_STATUSES and ticket.assignee is None:
            raise Conflict(f"claim {ticket.number} first")

    async def update(self, agent: Agent, change: TicketChange) -> Ticket:
        ticket = await self.ticket(change.ticket)
        self.check_update(ticket, change)
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
        room = conversation_room(conversation_id)
        await self.sio.emit("message", message_record(message), room=room, namespace="/agent")
        ticket = await self.customer_ticket(conversation_id, visitor_id)
        if ticket is not None:
            await self.notifier.message_created(ticket, message)

    async def customer_typing(self, conversation_id: str, on: bool) -> None:
        await self.sio.emit(
            "typing",
            {"conversation_id": conversation_id, "from": "customer", "on": on},
            room=conversation_room(conversation_id),
            namespace="/agent",
        )

    async def agent_typing(self, agent: Agent, number: object, on: bool) -> None:
        ticket = await self.ticket(number)
        await self.sio.emit(
            "typing",
            {"from": "agent", "name": agent.name, "on": on},
            room=conversation_room(ticket.conversation_id),
            namespace="/",
        )

    async def bot_messages(self, conversation_id: str, messages: list[StoredMessage]) -> None:
        """The bot's replies reach the consoles that have the conversation open."""
        room = conversation_room(conversation_id)
        for message in messages:
            await self.sio.emit("message", message_record(message), room=room, namespace="/agent")
