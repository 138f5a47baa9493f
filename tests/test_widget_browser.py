"""The widget in a real Chromium: the customer's whole journey, hostile pages, hostile text."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestServer

from chatbot.web import keys
from tests.browser import browser, screenshot_path
from tests.fixtures import ServerFactory, server_url

__all__ = ["browser"]

HOSTILE_PAGE = """<!doctype html><html><head><style>
* { display: block !important; font-size: 40px !important; color: red !important;
    background: yellow !important; position: static !important; margin: 30px !important; }
button, textarea, div, section { visibility: hidden !important; width: 3px !important; }
</style></head><body><h1>Hostile host page</h1><p>Lorem ipsum</p>
<script src="SERVER/widget.js" data-server="SERVER" data-locale="en" async></script>
</body></html>"""


async def new_page(browser: Any, url: str, **context: Any) -> Any:
    context.setdefault("viewport", {"width": 1100, "height": 760})
    ctx = await browser.new_context(**context)
    page = await ctx.new_page()
    await page.goto(url)
    await page.wait_for_selector("[data-chatbot] >> .launcher")
    return page


async def bot_count(page: Any) -> int:
    count: int = await page.locator(".msg.bot").count()
    return count


async def bot_replied(page: Any, before: int) -> None:
    """Until the bot has said more than ``before`` messages and stopped typing."""
    await page.wait_for_function(
        """(before) => {
            const root = document.querySelector('[data-chatbot]').shadowRoot;
            return root.querySelectorAll('.msg.bot').length > before
                && root.querySelector('.typing').hidden;
        }""",
        arg=before,
    )


async def ask(page: Any, text: str) -> None:
    await page.fill(".panel textarea", text)
    await page.keyboard.press("Enter")


async def test_a_customer_asks_gets_an_article_and_ends_with_a_ticket(
    chat_server: TestServer, browser: Any
) -> None:
    page = await new_page(browser, server_url(chat_server) + "/")
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await page.click(".launcher")
    await ask(
        page, "Sending from ana@cvjecarna.hr fails since yesterday with error 550, only outgoing"
    )
    card = page.locator(".card strong").first
    await card.wait_for()
    assert "send" in (await card.text_content() or "").lower()
    await page.screenshot(path=screenshot_path("widget-article.png"))
    before = await bot_count(page)
    await page.click(".choices button[data-value=no]:enabled")
    await bot_replied(page, before)
    before = await bot_count(page)
    await page.click(".choices button[data-value=yes]:enabled")
    await bot_replied(page, before)
    for _ in range(12):
        if await page.locator(".banner:not([hidden])").count():
            break
        before = await bot_count(page)
        if await page.locator(".choices button:enabled").count():
            await page.locator(".choices button:enabled").first.click()
        else:
            await ask(page, "Thunderbird")
        await bot_replied(page, before)
    banner = page.locator(".banner")
    await banner.wait_for()
    text = await banner.text_content() or ""
    assert "HS-" in text and "Outgoing mail fails" in text
    assert re.search(r"Expected answer: \d\d \w{3} \d{4}, \d\d:\d\d CES?T", text), text
    # The ticket number never breaks over two lines, in the banner or in a message.
    for number in await page.locator(".banner .number, .msg .number").all():
        assert await number.evaluate(
            "n => getComputedStyle(n).whiteSpace === 'nowrap' && n.getClientRects().length === 1"
        )
    # The system's "our team answers by..." is not hidden under the banner.
    await page.locator(".msg.system").last.wait_for()
    await page.wait_for_function(
        """() => {
            const root = document.querySelector('[data-chatbot]').shadowRoot;
            const log = root.querySelector('.log').getBoundingClientRect();
            const last = [...root.querySelectorAll('.log > *')].pop().getBoundingClientRect();
            return last.top >= log.top && last.bottom <= log.bottom + 1;
        }"""
    )
    await page.screenshot(path=screenshot_path("widget-ticket.png"))
    assert violations == []  # the demo page's strict CSP: no inline script, style or eval


async def test_the_widget_works_on_a_page_with_hostile_css(
    chat_server: TestServer, browser: Any
) -> None:
    server = server_url(chat_server)
    ctx = await browser.new_context(viewport={"width": 1100, "height": 760})
    page = await ctx.new_page()
    await page.route(
        f"{server}/hostile-host-page.html",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=HOSTILE_PAGE.replace("SERVER", server)
        ),
    )
    # Same origin as the server, answered by the browser itself: Chromium refuses pages
    # of one local origin loading scripts from another without a permission prompt.
    await page.goto(f"{server}/hostile-host-page.html")
    launcher = page.locator("[data-chatbot] >> .launcher")
    await launcher.wait_for()
    box = await launcher.bounding_box()
    assert box is not None and 50 <= box["width"] <= 70 and 50 <= box["height"] <= 70
    await launcher.click()
    panel = await page.locator(".panel").bounding_box()
    assert panel is not None and panel["width"] >= 300 and panel["height"] >= 300
    await ask(page, "how do I change my php version")
    await page.locator(".card strong").first.wait_for()
    font = await page.locator(".msg.customer").first.evaluate("e => getComputedStyle(e).fontSize")
    assert font == "15px"
    await page.screenshot(path=screenshot_path("widget-hostile-css.png"))


async def test_markup_in_a_message_is_shown_as_text(chat_server: TestServer, browser: Any) -> None:
    page = await new_page(browser, server_url(chat_server) + "/")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.click(".launcher")
    hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold</b>"
    await ask(page, hostile)
    bubble = page.locator(".msg.customer").first
    await bubble.wait_for()
    await page.locator(".msg.bot").first.wait_for()
    assert await bubble.text_content() == hostile
    assert await page.locator("[data-chatbot] >> .log img, [data-chatbot] >> .log b").count() == 0
    assert dialogs == []


async def test_messages_written_offline_arrive_exactly_once(
    chat_server: TestServer, browser: Any
) -> None:
    page = await new_page(browser, server_url(chat_server) + "/")
    await page.click(".launcher")
    before = await bot_count(page)
    await ask(page, "hello")
    await bot_replied(page, before)
    await page.context.set_offline(True)
    await page.locator(".offline:not([hidden])").wait_for()
    await ask(page, "first message while offline")
    await ask(page, "second message while offline")
    assert await page.locator(".msg.pending").count() == 2
    await page.context.set_offline(False)
    await page.wait_for_function(
        "() => document.querySelector('[data-chatbot]').shadowRoot"
        ".querySelectorAll('.msg.pending').length === 0"
    )
    store = chat_server.app[keys.STORE]
    token = await page.evaluate("() => localStorage.getItem('chatbot.visitor_token')")
    visitor_id = chat_server.app[keys.TOKENS].verify(token)
    conversation = await store.conversation_for_visitor(visitor_id, "en", 0.0)
    texts = [
        m.text
        for m in await store.messages_after(conversation.id, 0, 100)
        if m.sender == "customer"
    ]
    assert texts.count("first message while offline") == 1
    assert texts.count("second message while offline") == 1
    assert texts.index("first message while offline") < texts.index("second message while offline")
    shown = await page.locator(".msg.customer").all_text_contents()
    assert shown.count("first message while offline") == 1
    assert shown.count("second message while offline") == 1


async def test_a_portal_customer_sees_the_same_conversation_on_a_second_device(
    make_server: ServerFactory, browser: Any
) -> None:
    server = await make_server(demo=True)
    laptop = await new_page(browser, server_url(server) + "/portal")
    await laptop.click(".launcher")
    before = await bot_count(laptop)
    await ask(laptop, "kako promijeniti PHP verziju?")
    await bot_replied(laptop, before)
    assert await laptop.locator(".card strong").count() >= 1
    phone = await new_page(
        browser, server_url(server) + "/portal", viewport={"width": 390, "height": 760}
    )
    await phone.click(".launcher")
    await phone.locator(".msg.customer").first.wait_for()
    assert await phone.locator(".msg.customer").all_text_contents() == [
        "kako promijeniti PHP verziju?"
    ]
    await phone.screenshot(path=screenshot_path("widget-portal-phone.png"))


async def test_a_forged_portal_identity_is_refused(
    make_server: ServerFactory, browser: Any
) -> None:
    server = await make_server(demo=True)
    base = server_url(server)
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vLWFuYSIsInBsYW4iOiJlbnRlcnByaXNlIn0."
    page_html = (
        f'<!doctype html><html><body><script src="{base}/widget.js" '
        f'data-user-token="{forged}" async></script></body></html>'
    )
    ctx = await browser.new_context()
    page = await ctx.new_page()
    await page.route(
        f"{base}/forged-portal.html",
        lambda route: route.fulfill(status=200, content_type="text/html", body=page_html),
    )
    await page.goto(f"{base}/forged-portal.html")
    await page.click("[data-chatbot] >> .launcher")
    notice = page.locator(".offline:not([hidden])")
    await notice.wait_for()
    assert "expired" in (await notice.text_content() or "")  # said plainly, not "offline"
    assert await page.evaluate("() => localStorage.getItem('chatbot.visitor_token')") is None
