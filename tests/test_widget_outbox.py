"""The widget never lies about delivery: what it says was sent, the server has stored, in
the conversation of the identity that wrote it. A real Chromium against a real server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

from aiohttp.test_utils import TestServer

from chatbot.privacy import RetentionJob
from chatbot.web import keys
from tests.browser import browser, screenshot_path
from tests.fixtures import ServerFactory, server_url
from tests.test_widget_browser import ask, bot_count, bot_replied

__all__ = ["browser"]

SECRET = "portal-and-chat-share-this-secret"
#: How long the server may take to answer (a locked database answers after 5 s).
PATIENCE = 20.0


def portal_token(user_id: str) -> str:
    """The portal backend's signed identity of a logged-in customer (docs/identity.md)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": user_id, "exp": int(time.time()) + 3600}).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256)
    return f"{header}.{claims}.{b64(signature.digest())}"


class Wire:
    """The widget's Socket.IO traffic as the browser saw it: each ``message`` it emitted
    and the server's answer to it (``"ok"`` or the error code)."""

    def __init__(self, page: Any) -> None:
        self.sent: dict[int, dict[str, Any]] = {}  # by the packet's ack id
        self.answers: list[tuple[dict[str, Any], str]] = []
        self._changed = asyncio.Condition()
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, frame: str | bytes) -> None:
        # Engine.IO "4" + Socket.IO EVENT "2" + ack id + JSON: 421["message",{...}]
        found = re.fullmatch(r"42(\d+)(\[.*)", frame, re.S) if isinstance(frame, str) else None
        if found:
            event, *args = json.loads(found[2])
            if event == "message":
                self.sent[int(found[1])] = args[0]

    async def _received(self, frame: str | bytes) -> None:
        # Socket.IO ACK "3": 431[{"ok": false, "error": {"code": ...}}]
        found = re.fullmatch(r"43(\d+)(\[.*)", frame, re.S) if isinstance(frame, str) else None
        if found and int(found[1]) in self.sent:
            [ack] = json.loads(found[2])
            answer = "ok" if ack.get("ok") else ack["error"]["code"]
            async with self._changed:
                self.answers.append((self.sent[int(found[1])], answer))
                self._changed.notify_all()

    def attempts(self, text: str) -> list[tuple[str, str]]:
        """(client id, answer) of every answered attempt to send ``text``, in order."""
        return [(sent["id"], answer) for sent, answer in self.answers if sent["text"] == text]

    async def answered(self, text: str, answer: str, times: int = 1) -> None:
        """Until the server has answered ``answer`` to ``text`` ``times`` times."""

        def done() -> bool:
            return [a for _, a in self.attempts(text)].count(answer) >= times

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(done), PATIENCE)


async def delivered(page: Any, text: str) -> str:
    """Until the customer's bubble with ``text`` shows as sent; its client id."""
    bubble = page.locator(
        ".msg.customer:not(.pending):not(.failed)", has_text=re.compile(f"^{re.escape(text)}$")
    )
    await bubble.wait_for(timeout=PATIENCE * 1000)
    return str(await bubble.get_attribute("data-id"))


async def not_sent(page: Any, text: str) -> Any:
    """Until the bubble with ``text`` is marked not sent; its "not sent" note."""
    bubble = page.locator(".msg.customer.failed", has_text=re.compile(f"^{re.escape(text)}$"))
    await bubble.wait_for(timeout=PATIENCE * 1000)
    note = page.locator(f'.unsent[data-for="{await bubble.get_attribute("data-id")}"]')
    await note.locator("button.retry").wait_for(state="visible")
    return note


async def pending(page: Any, text: str) -> bool:
    """Drawn as waiting (not as sent, not as refused)."""
    bubble = page.locator(".msg.customer", has_text=re.compile(f"^{re.escape(text)}$"))
    classes = (await bubble.get_attribute("class") or "").split()
    return "pending" in classes and "failed" not in classes


async def visitor_of(page: Any, server: TestServer) -> str:
    token = await page.evaluate("() => localStorage.getItem('chatbot.visitor_token')")
    return str(server.app[keys.TOKENS].verify(token))


async def stored(server: TestServer, visitor_id: str) -> list[tuple[str, str]]:
    """(client id, text) of the customer's messages in the visitor's conversation."""
    store = server.app[keys.STORE]
    conversation = await store.conversation_for_visitor(visitor_id, "en", time.time())
    return [
        (m.id, m.text)
        for m in await store.messages_after(conversation.id, 0, 500)
        if m.sender == "customer"
    ]


async def texts_of(server: TestServer, visitor_id: str) -> list[str]:
    return [text for _, text in await stored(server, visitor_id)]


async def go_offline(page: Any) -> None:
    await page.context.set_offline(True)
    await page.locator(".offline:not([hidden])").wait_for()


async def outbox_keys(page: Any) -> list[str]:
    keys_: list[str] = await page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('chatbot.outbox'))"
    )
    return keys_


@contextmanager
def database(server: TestServer) -> Iterator[sqlite3.Connection]:
    """A second connection to the server's SQLite database, as another process has."""
    path = server.app[keys.SETTINGS].database_path
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        yield db


async def watched_page(browser: Any, url: str) -> tuple[Any, Wire]:
    page = await (await browser.new_context(viewport={"width": 1100, "height": 760})).new_page()
    wire = Wire(page)
    await page.goto(url)
    await page.click("[data-chatbot] >> .launcher")
    return page, wire


async def test_unsent_messages_stay_with_the_identity_that_wrote_them(
    make_server: ServerFactory, browser: Any
) -> None:
    """A visitor writes offline, then the portal logs a customer in: the message waits
    for the visitor, never reaching the customer's conversation. A logged-in customer
    writes offline, then logs out: the next visitor does not send it either."""
    server = await make_server(identity_secret=SECRET)
    page, wire = await watched_page(browser, server_url(server) + "/")
    before = await bot_count(page)
    await ask(page, "hello")
    await bot_replied(page, before)
    visitor = await visitor_of(page, server)
    visitor_token = await page.evaluate("() => localStorage.getItem('chatbot.visitor_token')")

    await go_offline(page)
    await ask(page, "visitor: written offline")
    [key] = await outbox_keys(page)
    assert visitor_token not in key  # named by a hash, never by the token
    await page.evaluate("(token) => Chatbot.identify(token)", portal_token("bea"))
    await page.context.set_offline(False)
    # Anything queued ahead in Bea's outbox would go out before her own message.
    await ask(page, "bea: after login")
    await wire.answered("bea: after login", "ok")
    assert await texts_of(server, "user:bea") == ["bea: after login"]
    await delivered(page, "bea: after login")
    assert await page.locator(".msg.customer", has_text=re.compile("^hello$")).count() == 0
    assert await texts_of(server, visitor) == ["hello"]

    # The visitor is back: their message goes to their own conversation, once.
    await page.evaluate("() => Chatbot.identify(null)")
    await delivered(page, "visitor: written offline")
    assert await texts_of(server, visitor) == ["hello", "visitor: written offline"]

    # Bea again; she writes offline and logs out before the connection is back.
    await page.evaluate("(token) => Chatbot.identify(token)", portal_token("bea"))
    await delivered(page, "bea: after login")
    await go_offline(page)
    await ask(page, "bea: written offline")
    await page.evaluate("() => Chatbot.reset()")
    await ask(page, "next visitor: hello")
    await page.context.set_offline(False)
    await delivered(page, "next visitor: hello")
    newcomer = await visitor_of(page, server)
    assert newcomer != visitor
    assert await texts_of(server, newcomer) == ["next visitor: hello"]
    assert await texts_of(server, "user:bea") == ["bea: after login"]
    assert await texts_of(server, visitor) == ["hello", "visitor: written offline"]
    # A logout drops what the customer left unsent: nothing of it stays in this browser.
    assert await outbox_keys(page) == []
    storage = await page.evaluate("() => JSON.stringify(Object.entries(localStorage))")
    assert "bea: written offline" not in storage


async def kept_while_refused(page: Any, wire: Wire, text: str, code: str) -> None:
    """The customer writes ``text``; the server answers ``code``; the widget keeps it."""
    await ask(page, text)
    await wire.answered(text, code)
    assert await pending(page, text)  # drawn as waiting, never as sent
    assert await page.locator(".unsent").count() == 0


async def test_a_message_the_server_could_not_store_yet_is_sent_again_until_it_is(
    chat_server: TestServer, browser: Any
) -> None:
    """``internal_error``, ``temporarily_unavailable`` and ``rate_limited``: the widget
    keeps the message, shows it waiting, and sends it again with the same id until it is
    stored, once. Each answer is the server's own, to a real condition: a fault in its
    database (a trigger makes the insert fail in a way the server does not expect, which
    it reports as ``internal_error``), the database locked by another process, the
    visitor's fair-use bucket emptied as by a flood of messages."""
    page, wire = await watched_page(browser, server_url(chat_server) + "/")
    before = await bot_count(page)
    await ask(page, "hello")
    await bot_replied(page, before)
    visitor = await visitor_of(page, chat_server)
    expected = ["hello"]

    before = await bot_count(page)
    with database(chat_server) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.text = 'first try fails'"
            " BEGIN SELECT RAISE(ABORT, 'a fault in the database'); END"
        )
        await kept_while_refused(page, wire, "first try fails", "internal_error")
        db.execute("DROP TRIGGER refuse")
    await delivered(page, "first try fails")
    await bot_replied(page, before)
    expected.append("first try fails")

    before = await bot_count(page)
    with database(chat_server) as db:
        db.execute("BEGIN EXCLUSIVE")
        await kept_while_refused(page, wire, "storage is down", "temporarily_unavailable")
        db.execute("ROLLBACK")
    await delivered(page, "storage is down")
    await bot_replied(page, before)
    expected.append("storage is down")

    limits = chat_server.app[keys.MESSAGE_LIMITS]
    while not await limits.take(visitor):
        pass
    await kept_while_refused(page, wire, "too fast", "rate_limited")
    await delivered(page, "too fast")
    expected.append("too fast")

    for text, code in [
        ("first try fails", "internal_error"),
        ("storage is down", "temporarily_unavailable"),
        ("too fast", "rate_limited"),
    ]:
        client_id = await delivered(page, text)
        attempts = wire.attempts(text)
        assert attempts[0] == (client_id, code), attempts
        assert attempts[-1] == (client_id, "ok"), attempts
        assert {sent_id for sent_id, _ in attempts} == {client_id}  # one id throughout
        assert (await stored(chat_server, visitor)).count((client_id, text)) == 1
    assert await texts_of(chat_server, visitor) == expected


async def test_a_message_the_server_refuses_is_marked_not_sent_with_a_retry_button(
    make_server: ServerFactory, browser: Any
) -> None:
    """``too_long`` and ``not_found``: sending the same message again would be refused
    again, so the bubble says "not sent" and offers a retry instead of looking sent. Both
    are real: a server whose limit is shorter than the widget's, and the retention job
    deleting the conversation of a chat left open for longer than the retention period."""
    server = await make_server(max_message_chars=40)
    page, wire = await watched_page(browser, server_url(server) + "/")
    before = await bot_count(page)
    await ask(page, "hello")
    await bot_replied(page, before)
    visitor = await visitor_of(page, server)

    rambling = "my mail does not work and I have tried everything since Monday"
    await ask(page, rambling)
    note = await not_sent(page, rambling)
    assert await note.text_content() == "Not sent: the message is too long.Retry"
    assert await texts_of(server, visitor) == ["hello"]
    await note.locator("button.retry").click()
    await wire.answered(rambling, "too_long", times=2)
    note = await not_sent(page, rambling)
    [(first_id, _), (second_id, _)] = wire.attempts(rambling)
    assert first_id == second_id  # the retry is the same message, not a new one
    assert await texts_of(server, visitor) == ["hello"]

    retention = RetentionJob(server.app[keys.STORE], server.app[keys.ATTACHMENTS], 30, time.time)
    assert await retention.run_once(time.time() + 31 * 86400)
    await ask(page, "are you still there?")
    note = await not_sent(page, "are you still there?")
    assert await note.text_content() == "Not sent.Retry"
    await page.screenshot(path=screenshot_path("widget-not-sent.png"))
    await note.locator("button.retry").click()
    # The conversation is gone: the widget opens a new one for the visitor and sends it.
    client_id = await delivered(page, "are you still there?")
    assert await stored(server, visitor) == [(client_id, "are you still there?")]
    assert [answer for _, answer in wire.attempts("are you still there?")] == [
        "not_found",
        "ok",
    ]
    await bot_replied(page, 0)  # in the new conversation: the reply is the only bot message
    # The message that is too long still says so, in the customer's language.
    await not_sent(page, rambling)
    await page.evaluate("() => Chatbot.setLocale('fi')")
    assert await page.locator(".unsent button.retry").all_text_contents() == ["Yritä uudelleen"]
