"""The customer namespace ``/``: connect, message, history, typing (and, in
:mod:`chatbot.web.customer_conversations`, earlier conversations and articles).

Each handler validates its payload (``chatbot.protocol``), stores before it
acknowledges, and answers bad input with an error ack; no input can crash it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from chatbot.engine import ConversationState
from chatbot.engine.welcome import welcome
from chatbot.errors import ChatbotError, InvalidToken, RateLimited
from chatbot.handoff.wire import wire_message
from chatbot.identity import Identity, verify_user_token
from chatbot.protocol import (
    PROTOCOL_VERSION,
    ok_ack,
    parse_auth,
    parse_history,
    parse_message,
    parse_rating,
    parse_typing,
    parse_upload,
)
from chatbot.rate_limit import RateLimiter
from chatbot.redaction import redact
from chatbot.settings import LANGUAGES
from chatbot.store import Conversation, NewMessage, NewWork
from chatbot.store.ephemeral import MemoryEphemeral
from chatbot.web import keys
from chatbot.web.broadcast import conversation_room
from chatbot.web.customer_conversations import ConversationEvents
from chatbot.web.namespace import acked, count_failure, refused
from chatbot.web.sockets import peer_address

__all__ = ["CustomerNamespace"]

log = logging.getLogger(__name__)

#: A turn not answered this many seconds after its message is run from the work queue.
SAFETY_NET_SECONDS = 30.0


class CustomerNamespace(ConversationEvents):
    def __init__(self, app: web.Application, namespace: str = "/") -> None:
        super().__init__(app, namespace)
        # A widget reads history on (re)connect and sends typing a few times a minute.
        # Per socket, in this process (a socket lives in one), in bounded memory.
        buckets = MemoryEphemeral(clock=time.monotonic)
        self._limits = {
            "history": RateLimiter(buckets, "history", 10, 0.5, time.monotonic),
            "typing": RateLimiter(buckets, "typing", 20, 4.0, time.monotonic),
            # Listing, opening and starting conversations; reading articles.
            "browse": RateLimiter(buckets, "browse", 10, 0.5, time.monotonic),
            "article": RateLimiter(buckets, "article", 10, 0.5, time.monotonic),
        }

    async def _spend(self, sid: str, event: str) -> None:
        wait = await self._limits[event].take(sid)
        if wait:
            raise RateLimited(f"too many '{event}' events; wait a moment", wait)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            await self._connect(sid, environ, auth)
        except ChatbotError as exc:
            count_failure(self.app, exc)
            raise refused(exc) from None

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        app = self.app
        address = peer_address(environ)
        wait = await app[keys.CONNECTION_LIMITS].take(address)
        if wait:
            raise RateLimited("too many connections from your address; wait a moment", wait)
        request = parse_auth(auth, LANGUAGES)
        tokens = app[keys.TOKENS]
        identity: Identity | None = None
        token: str | None
        if request.user_token:
            # A logged-in customer: their conversation follows them across devices.
            secret = app[keys.IDENTITY_SECRET]
            identity = verify_user_token(request.user_token, secret, app[keys.CLOCK]())
            visitor_id, token = f"user:{identity.user_id}", None
        elif request.visitor_token:
            visitor_id = tokens.verify(request.visitor_token)
            # Renewed on use: a visitor who comes back keeps a token that does not expire.
            token = tokens.renewed(request.visitor_token) or request.visitor_token
        else:
            visitor_id, token = tokens.issue()
        store = app[keys.STORE]
        conversation = None
        if request.conversation_id:
            # The conversation this browser had open: the customer's own, else the newest.
            found = await store.get_conversation(request.conversation_id)
            if found is not None and found.visitor_id == visitor_id:
                conversation = found
        if conversation is None:
            start_language = request.locale or app[keys.SETTINGS].default_language
            conversation = await store.conversation_for_visitor(
                visitor_id, start_language, app[keys.CLOCK]()
            )
        session = {
            "visitor_id": visitor_id,
            "locale": request.locale,
            "identity": identity.to_dict() if identity else None,
            "address": address,
        }
        await self._show(sid, session, conversation, token)

    async def _show(
        self, sid: str, session: dict[str, Any], conversation: Conversation, token: str | None
    ) -> None:
        """Put ``conversation`` on the customer's screen: the socket's session and room
        follow it, and ``session`` tells the widget what it has (again, on a switch)."""
        app = self.app
        state = ConversationState.from_dict(conversation.state)
        language = (
            state.language if state.language_source != "default" else session["locale"]
        ) or conversation.language
        before = session.get("conversation_id")
        if before and before != conversation.id:
            await self.leave_room(sid, conversation_room(before))
        session = {**session, "conversation_id": conversation.id, "language": language}
        await self.save_session(sid, session)
        await self.enter_room(sid, conversation_room(conversation.id))
        live = app[keys.LIVE]
        await live.customers.connected(conversation.id)
        ticket = await live.customer_ticket(conversation.id, session["visitor_id"])
        identity = Identity.from_dict(session["identity"]) if session["identity"] else None
        await self.emit(
            "session",
            {
                "visitor_token": token,
                "conversation_id": conversation.id,
                "language": language,
                "last_seq": conversation.last_seq,
                "protocol": PROTOCOL_VERSION,
                "verified": identity is not None,
                "ticket": await live.customer_view(ticket) if ticket else None,
                "welcome": welcome(app[keys.ENGINE], language, app[keys.CLOCK]()),
            },
            to=sid,
        )
        if conversation.last_seq > state.processed_seq:
            # A message acknowledged just before a crash or a restart is answered now.
            app[keys.TURNS].schedule(conversation.id, session["locale"], identity)

    async def _session(self, sid: str) -> dict[str, Any]:
        session: dict[str, Any] = await self.get_session(sid)
        if "conversation_id" not in session:
            raise InvalidToken("not connected")
        return session

    async def _fair_use(self, session: dict[str, Any]) -> None:
        """Refuse a flood; nothing is stored, so the client may resend the same id later."""
        wait = await self.app[keys.MESSAGE_LIMITS].take(session["visitor_id"])
        if wait:
            await self.app[keys.FAIR_USE].flooded(session["visitor_id"])
            raise RateLimited("you are sending messages very fast; please wait a moment", wait)

    @acked
    async def on_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        settings = self.app[keys.SETTINGS]
        message = parse_message(data, settings.max_message_chars)
        session = await self._session(sid)
        await self._fair_use(session)
        conversation_id = session["conversation_id"]
        # Secrets never reach the database: "my password is ..." is stored redacted, in
        # the text and in a button's value (which a crafted client could fill with text).
        text, redacted = redact(message.text)
        value, value_redacted = redact(message.value) if message.value else ("", False)
        extra: dict[str, Any] = {"value": value} if value else {}
        if value and message.ask_id:
            extra["ask_id"] = message.ask_id
        if redacted or value_redacted:
            extra["redacted"] = True
        new = NewMessage(
            id=message.id,
            sender="customer",
            text=text,
            at=self.app[keys.CLOCK](),
            data=extra,
        )
        identity = session.get("identity")
        # The durable safety net, stored in the message's transaction: if this process
        # dies before the bot answers, the turn falls due in the work queue (any process
        # runs it, once). Only a message stored now adds one.
        safety_net = NewWork(
            kind="turn",
            payload={
                "conversation_id": conversation_id,
                "locale": session.get("locale"),
                "identity": identity,
            },
            due_at=new.at + SAFETY_NET_SECONDS,
            key=f"turn:{conversation_id}",
        )
        [(stored, created)] = await self.app[keys.STORE].append_messages(
            conversation_id, [new], work=safety_net
        )
        if created:
            self.app[keys.METRICS].messages.labels(sender="customer").inc()
            await self.emit(
                "message",
                wire_message(stored),
                room=conversation_room(conversation_id),
                skip_sid=sid,
            )
            await self.app[keys.LIVE].customer_message(
                conversation_id, session["visitor_id"], stored
            )
        # Also on a retry: the first attempt may have died before the bot answered.
        self.app[keys.TURNS].schedule(
            conversation_id,
            session.get("locale"),
            Identity.from_dict(identity) if identity else None,
        )
        return ok_ack(seq=stored.seq, id=stored.id, duplicate=not created)

    @acked
    async def on_attach(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A screenshot or log for the support team; shown to the agent, not read by the bot."""
        upload = parse_upload(data)
        session = await self._session(sid)
        await self._fair_use(session)
        conversation_id = session["conversation_id"]
        store = self.app[keys.STORE]
        files = self.app[keys.ATTACHMENTS]
        await self.app[keys.UPLOAD_QUOTA].admit(
            session["visitor_id"], session.get("address", "unknown"), len(upload.data)
        )
        saved = await asyncio.to_thread(files.save, upload.data, upload.name)
        name = redact(saved.name)[0]  # "password Sommer2024.txt" is customer text too
        new = NewMessage(
            id=upload.id,
            sender="customer",
            text=name,
            at=self.app[keys.CLOCK](),
            data={"attachment": {**saved.as_data(), "name": name}},
        )
        try:
            [(stored, created)] = await store.append_messages(conversation_id, [new])
        except BaseException:
            # Nothing refers to the file: it must not stay on disk.
            await asyncio.to_thread(files.discard, saved.id)
            raise
        if created:
            room = conversation_room(conversation_id)
            await self.emit("message", wire_message(stored), room=room, skip_sid=sid)
            await self.app[keys.LIVE].customer_message(
                conversation_id, session["visitor_id"], stored
            )
        else:
            await asyncio.to_thread(files.discard, saved.id)  # a retry: the first copy stays
        return ok_ack(
            seq=stored.seq, id=stored.id, duplicate=not created, message=wire_message(stored)
        )

    @acked
    async def on_history(self, sid: str, data: Any = None) -> dict[str, Any]:
        request = parse_history(data)
        session = await self._session(sid)
        await self._spend(sid, "history")
        page = self.app[keys.SETTINGS].history_page_size
        messages = await self.app[keys.STORE].messages_after(
            session["conversation_id"], request.after, page + 1
        )
        more = len(messages) > page
        return ok_ack(messages=[wire_message(m) for m in messages[:page]], more=more)

    @acked
    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        on = parse_typing(data)
        session = await self._session(sid)
        await self._spend(sid, "typing")
        await self.app[keys.LIVE].customer_typing(session["conversation_id"], on)
        return ok_ack()

    @acked
    async def on_rate(self, sid: str, data: Any = None) -> dict[str, Any]:
        rating = parse_rating(data)
        session = await self._session(sid)
        # A comment is customer text like any other: secrets never reach the database.
        comment = redact(rating.comment)[0] if rating.comment else rating.comment
        ticket = await self.app[keys.LIVE].rate(
            session["visitor_id"], rating.ticket, rating.score, comment
        )
        return ok_ack(ticket=ticket.number, rating=ticket.rating)
