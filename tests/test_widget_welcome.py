"""The widget greets a new customer in their language, names who speaks and when, and is
usable with a screen reader: checked in a real Chromium, with axe-core on every view."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.browser import browser, screenshot_path
from tests.fixtures import add_agent, server_url
from tests.test_widget_browser import ask, bot_count, bot_replied

__all__ = ["browser"]

AXE = Path(__file__).resolve().parent.parent / "widget" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 760}

PAGE = """<!doctype html><html lang="LANG"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop</title></head><body><main><h1>A customer's shop</h1><p>Lorem ipsum.</p></main>
<script src="SERVER/widget.js" data-locale="LANG" async></script></body></html>"""

WIDGET_TEXTS = {
    "en": {"open": "Open chat", "close": "Close chat", "title": "Aurora Hosting support"},
    "fi": {"open": "Avaa chat", "close": "Sulje chat", "title": "Aurora Hosting – asiakaspalvelu"},
}


async def page_in(browser: Any, server: TestServer, lang: str, viewport: dict[str, int]) -> Any:
    """A host page of the given language with the widget on it (served from the chat
    server's origin, as a customer's site would be from its own)."""
    base = server_url(server)
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    html = PAGE.replace("SERVER", base).replace("LANG", lang)
    await page.route(
        f"{base}/shop-{lang}.html",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    await page.goto(f"{base}/shop-{lang}.html")
    await page.wait_for_selector("[data-chatbot] >> .launcher")
    return page


async def run_axe(page: Any, within: str | None = None) -> list[str]:
    """Serious and critical axe-core violations on the page (or inside ``within``)."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is required in CI but {AXE} is missing (make widget)")
        pytest.skip("axe-core is not installed (make widget)")
    if not await page.evaluate("() => Boolean(window.axe)"):
        await page.add_script_tag(path=str(AXE))
    results = await page.evaluate(
        """async (within) => {
            const context = within ? document.querySelector(within) : document;
            const result = await axe.run(context, { resultTypes: ['violations'] });
            return result.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.impact} ${v.id}: ${v.help} at `
                    + v.nodes.map((n) => JSON.stringify(n.target)).join(', '));
        }""",
        within,
    )
    return list(results)


@pytest.mark.parametrize("lang", ["en", "fi"])
async def test_a_new_customer_is_welcomed_in_the_pages_language(
    chat_server: TestServer, browser: Any, lang: str
) -> None:
    words = WIDGET_TEXTS[lang]
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = await page_in(browser, chat_server, lang, viewport)
        launcher = page.locator("[data-chatbot] >> .launcher")
        assert await launcher.get_attribute("aria-label") == words["open"]
        assert await launcher.get_attribute("aria-expanded") == "false"
        await launcher.click()
        welcome = page.locator(".msg.welcome")
        await welcome.wait_for()
        assert await launcher.get_attribute("aria-label") == words["close"]
        assert await launcher.get_attribute("aria-expanded") == "true"
        dialog = page.get_by_role("dialog", name=words["title"])
        assert await dialog.is_visible()
        text = await welcome.text_content() or ""
        assert "Aurora Hosting" in text and "SSL" in text
        hours = await page.locator(".msg.welcome .hours").text_content() or ""
        assert re.search(r"C(E|ES)T", hours), hours  # the company's zone, written out
        box = await welcome.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        await page.screenshot(path=screenshot_path(f"widget-welcome-{lang}-{size}.png"))
        await page.context.close()


async def test_answers_name_the_assistant_and_their_time_in_the_widgets_language(
    chat_server: TestServer, browser: Any
) -> None:
    page = await page_in(browser, chat_server, "fi", DESKTOP)
    await page.click("[data-chatbot] >> .launcher")
    await page.locator(".msg.welcome").wait_for()
    before = await bot_count(page)
    await ask(page, "miten vaihdan PHP-version")
    await bot_replied(page, before)
    speaker = page.locator(".log .who.bot").last
    assert await speaker.locator(".name").text_content() == "Avustaja"
    stamp = await speaker.locator("time").text_content() or ""
    assert re.fullmatch(r"\d{2}\.\d{2}", stamp), stamp  # Finnish "14.05", never "2:05 PM"
    # One name per run of the bot's messages, not one per bubble.
    assert await page.locator(".log .who.bot").count() == 2  # the welcome's and the answer's


async def test_axe_finds_nothing_serious_in_the_widget_and_the_console(
    chat_server: TestServer, browser: Any
) -> None:
    page = await page_in(browser, chat_server, "en", DESKTOP)
    closed = await run_axe(page)
    await page.click("[data-chatbot] >> .launcher")
    await page.locator(".msg.welcome").wait_for()
    opened = await run_axe(page)
    before = await bot_count(page)
    await ask(page, "Sending from ana@cvjecarna.hr fails with error 550, only outgoing")
    await bot_replied(page, before)
    await page.locator(".card strong").first.wait_for()
    await page.locator(".choices button:enabled").first.wait_for()
    answered = await run_axe(page)
    await page.screenshot(path=screenshot_path("widget-axe-article.png"))

    # axe is injected as a script tag: the console's strict CSP is bypassed for it alone.
    base = server_url(chat_server)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    console = await context.new_page()
    await console.goto(base + "/console")
    await console.wait_for_selector("#login-email")
    console_login = await run_axe(console)
    email, password = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    await console.fill("#login-email", email)
    await console.fill("#login-password", password)
    await console.click("#login-submit")
    await console.wait_for_selector("#app:not([hidden]) #me")
    console_main = await run_axe(console)
    assert {
        "closed": closed,
        "open": opened,
        "article": answered,
        "console login": console_login,
        "console": console_main,
    } == {"closed": [], "open": [], "article": [], "console login": [], "console": []}
