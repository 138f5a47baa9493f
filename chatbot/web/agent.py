"""The agent namespace ``/agent``: the console's queue, live chats, notes and reports.

A console connects with ``auth: {"token": <session token from POST /api/auth/login>}``.
Every event checks the session again, so a logout or an expired session ends access at
once, not at the next reconnect. Payloads are validated in ``chatbot.protocol``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from chatbot.errors import ChatbotError, NotFound, Unauthorized
from chatbot.handoff.permissions import require_admin
from chatbot.handoff.reports import period_report
from chatbot.handoff.wire import article_card
from chatbot.protocol import (
    ok_ack,
    parse_agent_history,
    parse_agent_text,
    parse_agent_typing,
    parse_close,
    parse_presence,
    parse_search,
    parse_ticket_change,
    parse_ticket_ref,
    parse_transfer,
    parse_upload,
    parse_view,
)
from chatbot.records import iso_time, message_record, note_record, ticket_record
from chatbot.settings import LANGUAGES
from chatbot.store import Agent
from chatbot.ticket_types import LIVE_STATUSES, PRIORITIES
from chatbot.web import keys
from chatbot.web.broadcast import AGENTS_ROOM, conversation_room
from chatbot.web.findings import readable_diagnosis
from chatbot.web.namespace import Namespace, acked, refused

__all__ = ["AgentNamespace", "agent_record", "sent_article"]

#: The language of the console's own words (the diagnosis findings too).
CONSOLE_LANGUAGE = "en"

log = logging.getLogger(__name__)


def agent_record(agent: Agent) -> dict[str, Any]:
    return {"id": agent.id, "name": agent.name, "email": agent.email, "role": agent.role}


def sent_article(app: web.Application, article_id: str, lang: str) -> dict[str, Any]:
    """The card the customer sees when an agent sends an article."""
    article = app[keys.ENGINE].index.kb.translation(article_id, lang)
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article_card(article)


class AgentNamespace(Namespace):
    def __init__(self, app: web.Application, namespace: str = "/agent") -> None:
        super().__init__(app, namespace)
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            agent = await self.app[keys.AGENT_AUTH].verify(token)
        except ChatbotError as exc:
            raise refused(exc) from None
        await self.save_session(sid, {"token": token, "agent_id": agent.id})
        live = self.app[keys.LIVE]
        await live.presence.connect(agent, sid)
        await self.enter_room(sid, AGENTS_ROOM)
        for ticket in await self.app[keys.STORE].tickets_for_agent(agent.id):
            await self.enter_room(sid, conversation_room(ticket.conversation_id))
        await self.emit("session", {"agent": agent_record(agent)}, to=sid)
        await live.publish_presence()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        live = self.app[keys.LIVE]
        await live.viewers.gone(sid)
        if await live.presence.disconnect(sid) is not None:
            await live.publish_presence()

    async def _agent(self, sid: str) -> Agent:
        session: dict[str, Any] = await self.get_session(sid)
        try:
            return await self.app[keys.AGENT_AUTH].verify(session.get("token"))
        except Unauthorized:
            # Logged out elsewhere, or expired: this console is done, once it has the
            # answer that says so.
            task = asyncio.create_task(self._disconnect_soon(sid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            raise

    async def _disconnect_soon(self, sid: str) -> None:
        await asyncio.sleep(0.5)
        await self.disconnect(sid)

    @acked
    async def on_snapshot(self, sid: str, data: Any = None) -> dict[str, Any]:
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        store = self.app[keys.STORE]
        agents = await live.agents()
        statuses = await live.presence.statuses()
        team = [
            ticket_record(t, agents)
            for status in LIVE_STATUSES
            for t in await store.list_tickets(status=status, limit=200)
            if t.assignee is not None and t.assignee != agent.id
        ]
        return ok_ack(
            now=iso_time(self.app[keys.CLOCK]()),
            me=agent_record(agent),
            queue=[ticket_record(t, agents) for t in await store.queue()],
            mine=[ticket_record(t, agents) for t in await store.tickets_for_agent(agent.id)],
            team=team,
            services=self._services(),
            agents=[
                {"id": a.id, "name": a.name, "status": statuses.get(a.id, "offline")}
                for a in agents.values()
                if not a.disabled
            ],
            canned=self.app[keys.CANNED],
            languages=list(LANGUAGES),
            priorities=list(PRIORITIES),
            max_chats=self.app[keys.SETTINGS].max_chats_per_agent,
        )

    def _services(self) -> list[str]:
        services = self.app[keys.ENGINE].understander.classifier.services
        return [s for s in services if s != "none"]

    @acked
    async def on_clock(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The server's time: the console's SLA timers count by it, not by the browser's."""
        await self._agent(sid)
        return ok_ack(now=iso_time(self.app[keys.CLOCK]()))

    @acked
    async def on_view(self, sid: str, data: Any = None) -> dict[str, Any]:
        """This console shows the ticket now (or none): the other consoles that show it see
        "Ana is viewing"; the ack lists who already does."""
        number = parse_view(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        conversation_id = None
        if number is not None:
            ticket = await live.ticket(number)
            conversation_id = ticket.conversation_id
            await self.enter_room(sid, conversation_room(conversation_id))
        viewer, others = await live.viewers.view(sid, agent, number, conversation_id)
        return ok_ack(viewer=viewer, viewers=[v.record() for v in others])

    @acked
    async def on_open(self, sid: str, data: Any = None) -> dict[str, Any]:
        """One ticket with its whole transcript, notes and the customer's other tickets."""
        number = parse_ticket_ref(data)
        await self._agent(sid)
        live = self.app[keys.LIVE]
        store = self.app[keys.STORE]
        ticket = await live.ticket(number)
        await self.enter_room(sid, conversation_room(ticket.conversation_id))
        page = self.app[keys.SETTINGS].history_page_size
        messages = await store.messages_after(ticket.conversation_id, 0, page + 1)
        agents = await live.agents()
        earlier = [
            ticket_record(t, agents)
            for t in await store.tickets_for_visitor(ticket.visitor_id)
            if t.number != ticket.number
        ]
        diagnosis = readable_diagnosis(
            ticket.fields.get("diagnosis"), self.app[keys.ENGINE].phrases, CONSOLE_LANGUAGE
        )
        return ok_ack(
            ticket=ticket_record(ticket, agents),
            diagnosis=diagnosis,
            messages=[message_record(m) for m in messages[:page]],
            more=len(messages) > page,
            notes=[note_record(n, agents) for n in await store.notes_for(ticket.number)],
            customer_tickets=earlier,
        )

    @acked
    async def on_history(self, sid: str, data: Any = None) -> dict[str, Any]:
        number, after = parse_agent_history(data)
        await self._agent(sid)
        ticket = await self.app[keys.LIVE].ticket(number)
        page = self.app[keys.SETTINGS].history_page_size
        messages = await self.app[keys.STORE].messages_after(
            ticket.conversation_id, after, page + 1
        )
        return ok_ack(
            messages=[message_record(m) for m in messages[:page]], more=len(messages) > page
        )

    @acked
    async def on_claim(self, sid: str, data: Any = None) -> dict[str, Any]:
        number = parse_ticket_ref(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        ticket = await live.claim(agent, number)
        await self.enter_room(sid, conversation_room(ticket.conversation_id))
        return ok_ack(ticket=await live.record(ticket))

    @acked
    async def on_release(self, sid: str, data: Any = None) -> dict[str, Any]:
        number = parse_ticket_ref(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        return ok_ack(ticket=await live.record(await live.release(agent, number)))

    @acked
    async def on_transfer(self, sid: str, data: Any = None) -> dict[str, Any]:
        number, to = parse_transfer(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        return ok_ack(ticket=await live.record(await live.transfer(agent, number, to)))

    @acked
    async def on_close(self, sid: str, data: Any = None) -> dict[str, Any]:
        number, resolution = parse_close(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        return ok_ack(ticket=await live.record(await live.close(agent, number, resolution)))

    @acked
    async def on_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        request = parse_agent_text(data, self.app[keys.SETTINGS].max_message_chars, articles=True)
        agent = await self._agent(sid)
        articles = None
        if request.article is not None:
            articles = [sent_article(self.app, *request.article)]
        stored, created = await self.app[keys.LIVE].agent_message(
            agent, request.ticket, request.id, request.text, articles
        )
        if created:
            self.app[keys.METRICS].messages.labels(sender="agent").inc()
        return ok_ack(seq=stored.seq, id=stored.id, duplicate=not created)

    @acked
    async def on_attach(self, sid: str, data: Any = None) -> dict[str, Any]:
        upload = parse_upload(data, with_ticket=True)
        agent = await self._agent(sid)
        files = self.app[keys.ATTACHMENTS]
        saved = await asyncio.to_thread(files.save, upload.data, upload.name)
        stored, created = await self.app[keys.LIVE].agent_message(
            agent, upload.ticket, upload.id, saved.name, attachment=saved.as_data()
        )
        if not created:
            await asyncio.to_thread(files.discard, saved.id)
        return ok_ack(
            seq=stored.seq, id=stored.id, duplicate=not created, message=message_record(stored)
        )

    @acked
    async def on_note(self, sid: str, data: Any = None) -> dict[str, Any]:
        request = parse_agent_text(data, self.app[keys.SETTINGS].max_message_chars)
        agent = await self._agent(sid)
        note, created = await self.app[keys.LIVE].note(
            agent, request.ticket, request.id, request.text
        )
        return ok_ack(note=note_record(note, {agent.id: agent}), duplicate=not created)

    @acked
    async def on_update(self, sid: str, data: Any = None) -> dict[str, Any]:
        change = parse_ticket_change(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        return ok_ack(ticket=await live.record(await live.update(agent, change)))

    @acked
    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        number, on = parse_agent_typing(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        ticket = await live.agent_typing(agent, number, on)
        await live.viewers.typing(sid, ticket.conversation_id, on)
        return ok_ack()

    @acked
    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        status = parse_presence(data)
        agent = await self._agent(sid)
        live = self.app[keys.LIVE]
        await live.presence.set_status(agent.id, status)  # type: ignore[arg-type]
        await live.publish_presence()
        await live.publish_queue()
        return ok_ack(status=status)

    @acked
    async def on_kb_search(self, sid: str, data: Any = None) -> dict[str, Any]:
        query, lang = parse_search(data)
        await self._agent(sid)
        kb = self.app[keys.ENGINE].index
        result = kb.search(query, limit=8)
        articles = []
        for hit in result.hits:
            article = kb.kb.translation(hit.article_id, lang or hit.lang)
            if article is not None:
                # The console's search lists the url even when there is none.
                card = {**article_card(article), "url": article.url}
                articles.append({**card, "score": round(hit.score, 3)})
        return ok_ack(articles=articles)

    @acked
    async def on_reports(self, sid: str, data: Any = None) -> dict[str, Any]:
        require_admin(await self._agent(sid), "reports are for admins")
        days = data.get("days", 30) if isinstance(data, dict) else 30
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
            raise ChatbotError("'days' must be 1-366", code="invalid_payload")
        return ok_ack(**await period_report(self.app[keys.STORE], self.app[keys.CLOCK](), days))
