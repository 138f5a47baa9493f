"""Earlier conversations and help-centre articles inside the widget, in a real Chromium:
a returning visitor finds their conversation and starts a new one, a portal customer
finds theirs on another device, an article is read in the panel and a hostile one stays
inert; axe-core on each view, screenshots at desktop and phone sizes."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatbot.kb_search import Article
from chatbot.web import keys
from tests.browser import browser, screenshot_path
from tests.fixtures import ServerFactory, server_url
from tests.test_widget_browser import ask, bot_count, bot_replied, new_page
from tests.test_widget_welcome import DESKTOP, PHONE, page_in, run_axe

__all__ = ["browser"]

QUESTION = "I want to talk to a person about kafebar.no"
MAIL_QUESTION = "Sending from ana@cvjecarna.hr fails with error 550, only outgoing"

HOSTILE = """<script>window.__pwned = 1</script>

## Step <img src=x onerror="window.__pwned = 2">

Click [here](javascript:window.__pwned=3) or [the panel](https://panel.example/ok),
never [this](data:text/html,<script>alert(1)</script>) or [that](//evil.example/x).

**<b>bold</b> words** and `<i>code</i>`

| What | <iframe src="javascript:window.__pwned=4"></iframe> |
|---|---|
| x | [row](vbscript:msgbox) |
"""


async def open_list(page: Any) -> None:
    await page.click("[data-chatbot] >> button.history")
    await page.locator(".pane ul.conversations[aria-busy=false]").wait_for()


async def shots(page: Any, name: str) -> None:
    """The view at desktop size, then at phone size, then back."""
    await page.screenshot(path=screenshot_path(f"widget-{name}-desktop.png"))
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=screenshot_path(f"widget-{name}-phone.png"))
    await page.set_viewport_size(DESKTOP)


async def test_a_returning_visitor_sees_the_earlier_conversation_and_starts_a_new_one(
    chat_server: TestServer, browser: Any
) -> None:
    page = await page_in(browser, chat_server, "en", DESKTOP)
    await page.click("[data-chatbot] >> .launcher")
    before = await bot_count(page)
    await ask(page, QUESTION)
    await bot_replied(page, before)
    await page.click(".choices button[data-value=skip]:enabled")  # no contact address
    banner = page.locator(".banner:not([hidden])")
    await banner.wait_for()
    number = await banner.locator(".number").first.text_content()
    assert number and number.startswith("HS-")

    # The visitor comes back later: the same browser, a new page load.
    await page.reload()
    await page.click("[data-chatbot] >> .launcher")
    await page.locator(".msg.customer", has_text=QUESTION).wait_for()
    await open_list(page)
    item = page.locator("button.conversation").first
    assert await item.locator(".title").text_content() == QUESTION
    assert await item.get_attribute("aria-current") == "true"
    assert (await item.locator(".date").text_content() or "").endswith(("CET", "CEST"))
    status = await item.locator(".status").text_content() or ""
    assert status.startswith(number) and "open" in status, status
    await page.click("button.new-conversation")
    await page.locator(".msg.welcome").wait_for()
    assert await page.locator(".pane").is_hidden()
    assert await page.locator(".msg.customer").count() == 0
    assert await page.locator(".banner").is_hidden()  # the new conversation has no ticket
    assert await page.locator("textarea").is_visible()

    await open_list(page)
    earlier = page.locator("button.conversation")
    assert await earlier.count() == 1  # the new one has no message yet
    assert await earlier.first.get_attribute("aria-current") is None
    listed = await run_axe(page)
    await shots(page, "conversations")
    # Escape goes back to the chat first, then closes the panel.
    await page.keyboard.press("Escape")
    assert await page.locator(".pane").is_hidden()
    assert await page.locator(".panel").is_visible()

    await open_list(page)
    await page.click("button.conversation")
    await page.locator(".msg.customer", has_text=QUESTION).wait_for()
    assert await page.locator(".pane").is_hidden()
    assert await banner.locator(".number").first.text_content() == number
    # Continued: a reload comes back to the conversation now open.
    await page.reload()
    await page.click("[data-chatbot] >> .launcher")
    await page.locator(".msg.customer", has_text=QUESTION).wait_for()
    assert listed == []


async def test_a_portal_customer_sees_their_conversation_from_a_second_browser(
    make_server: ServerFactory, browser: Any
) -> None:
    server = await make_server(demo=True)
    laptop = await new_page(browser, server_url(server) + "/portal")
    await laptop.click(".launcher")
    before = await bot_count(laptop)
    await ask(laptop, "kako promijeniti PHP verziju?")
    await bot_replied(laptop, before)
    await laptop.click("button.history")
    await laptop.click("button.new-conversation")
    await laptop.locator(".msg.welcome").wait_for()

    # Another browser (no shared storage): the same portal login.
    # axe-core is injected as a script tag: the portal page's CSP is bypassed for it alone.
    phone = await new_page(browser, server_url(server) + "/portal", viewport=PHONE, bypass_csp=True)
    await phone.click(".launcher")
    await phone.locator(".msg.welcome").wait_for()
    await open_list(phone)
    item = phone.locator("button.conversation")
    assert await item.count() == 1
    assert await item.locator(".title").text_content() == "kako promijeniti PHP verziju?"
    axe = await run_axe(phone)
    await phone.screenshot(path=screenshot_path("widget-conversations-portal-phone.png"))
    await item.click()
    await phone.locator(".msg.customer", has_text="kako promijeniti").wait_for()
    assert axe == []


async def test_an_article_opens_inside_the_widget(chat_server: TestServer, browser: Any) -> None:
    page = await page_in(browser, chat_server, "en", DESKTOP)
    await page.click("[data-chatbot] >> .launcher")
    await ask(page, MAIL_QUESTION)
    card = page.locator(".card").first
    await card.wait_for()
    title = await card.locator("strong").text_content()
    await card.locator("button.read").click()
    body = page.locator(".pane .article")
    await body.locator("p, li").first.wait_for()
    assert await page.locator(".pane h3").text_content() == title
    assert await body.locator("li, p").count() >= 3
    full = page.locator(".pane .full a")
    assert (await full.get_attribute("href") or "").startswith("https://help.")
    assert "noopener" in (await full.get_attribute("rel") or "")
    assert await page.locator("textarea").is_hidden()
    axe = await run_axe(page)
    await shots(page, "article")
    await page.click(".pane button.back")
    assert await page.locator(".pane").is_hidden()
    assert await page.locator("textarea").is_visible()
    assert axe == []


async def test_a_hostile_article_renders_inert(
    chat_server: TestServer, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = chat_server.app[keys.ENGINE].index.kb

    def hostile(article_id: str, lang: str, fallback: str = "en") -> Article:
        return Article(
            id=article_id,
            lang="en",
            title='<img src=x onerror="window.__pwned = 5">Evil',
            body=HOSTILE,
            summary="",
            url="javascript:window.__pwned=6",
        )

    monkeypatch.setattr(kb, "translation", hostile)
    page = await page_in(browser, chat_server, "en", DESKTOP)
    await page.click("[data-chatbot] >> .launcher")
    await ask(page, MAIL_QUESTION)
    await page.locator(".card button.read").first.click()
    body = page.locator(".pane .article")
    await body.locator("table").wait_for()
    assert await page.evaluate("() => window.__pwned") is None
    inside = ".pane script, .pane img, .pane iframe, .pane b, .pane i"
    assert await page.locator(inside).count() == 0
    text = await body.text_content() or ""
    assert "<script>window.__pwned = 1</script>" in text and "<b>bold</b>" in text
    assert (
        await page.locator(".pane h3").text_content()
        == '<img src=x onerror="window.__pwned = 5">Evil'
    )
    hrefs = [await a.get_attribute("href") for a in await page.locator(".pane a").all()]
    assert hrefs == ["https://panel.example/ok"]  # no javascript:, data:, vbscript: or //
    assert await page.locator(".pane a").get_attribute("rel") == "noopener noreferrer"
    assert await page.locator(".pane .article strong").text_content() == "<b>bold</b> words"
    await page.screenshot(path=screenshot_path("widget-article-hostile-desktop.png"))
