"""E-mail and webhooks, sent from a durable work queue so the chat never waits on them.

Everything to send is first stored (``Store.enqueue``); one background task sends what is
due, each item on its own with a timeout, and retries failures with a growing delay. A
receiver that is down costs the chat nothing: the chat only ever writes one row.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import smtplib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Protocol

import aiohttp

from chatbot.phrases import Phrasebook
from chatbot.records import iso_time, message_record, ticket_record
from chatbot.store import Conversations, Outbox, StoredMessage, Ticket, Tickets

__all__ = [
    "MailSettings",
    "Notifier",
    "NotifierStore",
    "customer_email",
    "expected_text",
    "sign_webhook",
]

log = logging.getLogger(__name__)

#: Seconds to wait before attempt 2, 3, ...; after the last, the item is given up.
RETRY_DELAYS: tuple[float, ...] = (5, 30, 120, 600, 1800, 3600, 6 * 3600)


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str
    port: int = 25
    sender: str = "support@localhost"
    sender_name: str = ""
    starttls: bool = False
    user: str = ""
    password: str = ""
    timeout: float = 10.0


def sign_webhook(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Chatbot-Signature`` value: HMAC-SHA256 of ``timestamp.body``."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def customer_email(ticket: Ticket) -> str | None:
    """Where the customer gets mail: their verified address, or one they gave for it."""
    email = ticket.customer.get("email") or ticket.fields.get("contact_email")
    return email if isinstance(email, str) and "@" in email else None


def expected_text(ticket: Ticket, phrases: Phrasebook, zone: tzinfo | None = None) -> str:
    """The expected answer time, written the way the ticket's language writes dates, in
    the company's time zone and naming it ("08.12.2026 klo 12.00 CET"): the same words in
    the bot's message, the queue notice, the ticket banner and the mail."""
    if not ticket.expected_response:
        return ""
    try:
        moment = datetime.fromisoformat(ticket.expected_response)
    except ValueError:
        return ticket.expected_response
    if zone is not None:
        moment = moment.astimezone(zone)
    return phrases.format_time(ticket.language, moment)


class NotifierStore(Outbox, Tickets, Conversations, Protocol):
    """What the notifier needs of the store: its durable work queue, the tickets it mails
    about and their conversations' messages."""


class Notifier:
    def __init__(
        self,
        store: NotifierStore,
        phrases: Phrasebook,
        clock: Callable[[], float],
        *,
        company: str,
        mail: MailSettings | None,
        webhook_urls: Sequence[str] = (),
        webhook_secret: bytes = b"",
        reply_delay: float = 60.0,
        customer_online: Callable[[str], Awaitable[bool]] | None = None,
        poll_seconds: float = 1.0,
        zone: tzinfo | None = None,
    ) -> None:
        """``zone``: the company's time zone, in which mails write times."""
        self._zone = zone
        self._store = store
        self._handlers: dict[str, Callable[[Mapping[str, Any]], Awaitable[None]]] = {}
        self._phrases = phrases
        self._clock = clock
        self._company = company
        self._mail = mail
        self._webhook_urls = tuple(webhook_urls)
        self._webhook_secret = webhook_secret
        self._reply_delay = reply_delay
        self._customer_online = customer_online
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    # What happened: each call stores work and returns at once.

    async def ticket_created(self, ticket: Ticket) -> None:
        email = customer_email(ticket)
        if email and self._mail is not None:
            subject, body = self._ticket_mail(ticket)
            await self._store.enqueue(
                "email",
                {"to": email, "subject": subject, "body": body, "ticket": ticket.number},
                self._clock(),
                key=f"created:{ticket.number}",
            )
        await self._webhook("ticket.created", {"ticket": ticket_record(ticket)})

    async def ticket_updated(self, ticket: Ticket, change: str) -> None:
        await self._webhook("ticket.updated", {"change": change, "ticket": ticket_record(ticket)})

    async def message_created(self, ticket: Ticket, message: StoredMessage) -> None:
        await self._webhook(
            "message.created", {"ticket": ticket.number, "message": message_record(message)}
        )

    async def agent_replied(self, ticket: Ticket) -> None:
        """An agent wrote while the customer was away: mail it, with what follows, in a
        while (one mail for a burst of replies, none if the customer came back)."""
        if self._mail is None or customer_email(ticket) is None:
            return
        await self._store.enqueue(
            "reply_digest",
            {"ticket": ticket.number},
            self._clock() + self._reply_delay,
            key=f"reply:{ticket.number}",
        )
        self._wake.set()

    async def _webhook(self, event: str, data: Mapping[str, Any]) -> None:
        if not self._webhook_urls:
            return
        delivery = "wh_" + secrets.token_urlsafe(12)
        body = {"id": delivery, "event": event, "created_at": iso_time(self._clock()), "data": data}
        for url in self._webhook_urls:
            await self._store.enqueue("webhook", {"url": url, "body": body}, self._clock())
        self._wake.set()

    # The sender.

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        self._task = asyncio.create_task(self._loop(), name="notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    def handle(self, kind: str, handler: Callable[[Mapping[str, Any]], Awaitable[None]]) -> None:
        """Run ``handler`` for due work of ``kind`` (leased: one process takes each item,
        and an item whose process died falls due again)."""
        self._handlers[kind] = handler

    async def _loop(self) -> None:
        while True:
            try:
                items = await self._store.due_work(self._clock(), 50)
                if items:
                    await asyncio.gather(
                        *(
                            self._send(item.id, item.kind, item.payload, item.attempts)
                            for item in items
                        )
                    )
            except Exception:
                log.exception("notifier round failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def _send(
        self, item_id: int, kind: str, payload: Mapping[str, Any], attempts: int
    ) -> None:
        try:
            if kind == "email":
                await self._send_mail(payload["to"], payload["subject"], payload["body"])
            elif kind == "webhook":
                await self._post(payload["url"], payload["body"])
            elif kind == "reply_digest":
                await self._send_replies(str(payload["ticket"]))
            elif kind in self._handlers:
                await self._handlers[kind](payload)
            else:
                log.warning("unknown work kind %r dropped", kind)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempts >= len(RETRY_DELAYS):
                log.error(
                    "giving up %s #%d after %d attempts: %s", kind, item_id, attempts + 1, error
                )
                await self._store.finish_work(item_id, self._clock(), error)
            else:
                log.warning("%s #%d failed (%s); retrying", kind, item_id, error)
                await self._store.retry_work(item_id, self._clock() + RETRY_DELAYS[attempts], error)
            return
        await self._store.finish_work(item_id, self._clock())

    async def _post(self, url: str, body: Mapping[str, Any]) -> None:
        assert self._http is not None
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Chatbot-Event": str(body["event"]),
            "X-Chatbot-Delivery": str(body["id"]),
            "X-Chatbot-Signature": sign_webhook(self._webhook_secret, timestamp, raw),
        }
        async with self._http.post(
            url, data=raw, headers=headers, allow_redirects=False
        ) as response:
            if response.status >= 300:
                raise RuntimeError(f"HTTP {response.status}")

    async def _send_replies(self, number: str) -> None:
        ticket = await self._store.get_ticket(number)
        email = customer_email(ticket) if ticket else None
        if ticket is None or email is None:
            return
        messages = [
            m
            for m in await self._store.messages_after(
                ticket.conversation_id, ticket.emailed_seq, 500
            )
            if m.sender == "agent"
            or (m.sender == "system" and m.data.get("event") == "incident_resolved")
        ]
        if not messages:
            return
        if self._customer_online is not None and await self._customer_online(
            ticket.conversation_id
        ):
            # They are back in the chat and read it there.
            await self._store.set_emailed_seq(number, messages[-1].seq)
            return
        subject, body = self._replies_mail(ticket, messages)
        await self._send_mail(email, subject, body)
        await self._store.set_emailed_seq(number, messages[-1].seq)

    async def _send_mail(self, to: str, subject: str, body: str) -> None:
        mail = self._mail
        if mail is None:
            return
        message = EmailMessage()
        message["From"] = formataddr((mail.sender_name or self._company, mail.sender))
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
        message.set_content(body)

        def send() -> None:
            with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
                if mail.starttls:
                    smtp.starttls()
                if mail.user:
                    smtp.login(mail.user, mail.password)
                smtp.send_message(message)

        await asyncio.to_thread(send)

    # The texts, in the ticket's language.

    def _greeting(self, ticket: Ticket) -> str:
        name = ticket.customer.get("name")
        lang = ticket.language
        if isinstance(name, str) and name.strip():
            return self._phrases.say(lang, "email_greeting_name", name=name.split()[0])
        return self._phrases.say(lang, "email_greeting")

    def _ticket_mail(self, ticket: Ticket) -> tuple[str, str]:
        lang = ticket.language
        values = {"ticket": ticket.number, "title": ticket.title, "company": self._company}
        subject = self._phrases.say(lang, "email_ticket_subject", **values)
        body = self._phrases.say(
            lang,
            "email_ticket_body",
            greeting=self._greeting(ticket),
            expected=expected_text(ticket, self._phrases, self._zone),
            **values,
        )
        return subject, body

    def _replies_mail(self, ticket: Ticket, messages: Sequence[StoredMessage]) -> tuple[str, str]:
        lang = ticket.language
        values = {"ticket": ticket.number, "title": ticket.title, "company": self._company}
        quoted = "\n\n".join(_quote(m) for m in messages)
        subject = self._phrases.say(lang, "email_reply_subject", **values)
        body = self._phrases.say(
            lang, "email_reply_body", greeting=self._greeting(ticket), messages=quoted, **values
        )
        return subject, body


def _quote(message: StoredMessage) -> str:
    agent = message.data.get("agent")
    name = agent.get("name") if isinstance(agent, dict) else None
    lines = [f"{name}:"] if name else []
    lines += [f"> {line}" for line in message.text.splitlines()]
    return "\n".join(lines)
