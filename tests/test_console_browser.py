"""The widget and the agent console together in a real Chromium: question to rating."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestServer

from tests.browser import browser, screenshot_path
from tests.fixtures import add_agent, server_url
from tests.test_widget_browser import ask, bot_count, bot_replied, new_page

__all__ = ["browser"]


def watch(page: Any, problems: list[str]) -> None:
    """Collect script errors and CSP violations of a page."""
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )


async def log_in(browser: Any, base: str, email: str, password: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    console = await context.new_page()
    await console.goto(base + "/console")
    await console.fill("#login-email", email)
    await console.fill("#login-password", password)
    await console.click("#login-submit")
    await console.wait_for_selector("#app:not([hidden]) #me")
    return console


async def ticket_from_widget(customer: Any) -> str:
    """The customer asks, the article does not help, the bot collects the fields."""
    await customer.click(".launcher")
    await ask(
        customer,
        "Sending from ana@cvjecarna.hr fails since yesterday with error 550, only outgoing",
    )
    await customer.locator(".card strong").first.wait_for()
    before = await bot_count(customer)
    await customer.click(".choices button[data-value=no]:enabled")  # the article did not help
    await bot_replied(customer, before)
    before = await bot_count(customer)
    await customer.click(".choices button[data-value=yes]:enabled")  # yes, pass it on
    await bot_replied(customer, before)
    for _ in range(12):
        if await customer.locator(".banner:not([hidden])").count():
            break
        before = await bot_count(customer)
        if await customer.locator(".choices button:enabled").count():
            await customer.locator(".choices button:enabled").first.click()
        else:
            await ask(customer, "Thunderbird")
        await bot_replied(customer, before)
    banner = await customer.locator(".banner").text_content() or ""
    found = re.search(r"HS-\d+", banner)
    assert found, banner
    return found.group(0)


async def customer_sees(customer: Any, selector: str, text: str) -> None:
    await customer.wait_for_function(
        """([selector, text]) => {
            const root = document.querySelector('[data-chatbot]').shadowRoot;
            return [...root.querySelectorAll(selector)].some((m) => m.textContent.includes(text));
        }""",
        arg=[selector, text],
    )


async def test_a_customer_and_an_agent_from_question_to_rating(
    chat_server: TestServer, browser: Any
) -> None:
    base = server_url(chat_server)
    email, password = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    problems: list[str] = []
    console = await log_in(browser, base, email, password)
    watch(console, problems)
    customer = await new_page(browser, base + "/")
    watch(customer, problems)

    number = await ticket_from_widget(customer)
    item = console.locator(f"#queue [data-ticket='{number}']")
    await item.wait_for()
    await console.screenshot(path=screenshot_path("console-queue.png"))
    await item.locator("button.claim").click()
    await customer_sees(customer, ".msg.system", "Ana")  # "Ana from our support team has joined"

    await console.locator(f"#mine [data-ticket='{number}']").click()
    await console.wait_for_selector("#transcript .msg.bot")  # the bot's part is there too
    title = await console.input_value("#ticket-title")
    assert title.startswith("Outgoing mail fails")
    assert await console.locator("#ticket-fields [data-field]").count() >= 3

    await console.fill("#reply-input", "Hi, Ana here. <b>Port</b> 587 please, not 25.")
    await console.click("#reply-send")
    await customer_sees(customer, ".msg.agent", "<b>Port</b> 587")  # shown as text, not markup
    assert await customer.locator(".msg.agent b").count() == 0

    await ask(customer, "Thanks! I had port 25 in Thunderbird")
    await console.wait_for_selector("#transcript .msg.customer >> text=port 25 in Thunderbird")

    await console.check("#note-toggle")
    await console.fill("#reply-input", "NOTE: client on port 25, explained 587")
    await console.click("#reply-send")
    await console.wait_for_selector("#transcript .msg.note >> text=explained 587")
    await console.screenshot(path=screenshot_path("console-conversation.png"))

    await console.fill("#close-resolution", "Client used port 25; switched to 587")
    await console.click("#close-ticket")
    stars = customer.locator(".rating .stars button")
    await stars.nth(4).wait_for()
    await stars.nth(4).click()
    await customer.fill(".rating textarea", "Fast and friendly")
    await customer.screenshot(path=screenshot_path("widget-rating.png"))
    await customer.click(".rating .send-rating")
    await customer_sees(customer, ".msg.system", "Thank you for your feedback")
    assert await customer.locator(".rating").count() == 0  # the stars are gone once rated
    await customer.screenshot(path=screenshot_path("widget-rated.png"))
    await console.wait_for_function(
        "() => (document.querySelector('#ticket-rating')?.textContent || '').includes('5')"
    )
    await console.screenshot(path=screenshot_path("console-rated.png"))

    transcript = await customer.evaluate(
        "() => document.querySelector('[data-chatbot]').shadowRoot.querySelector('.log').textContent"
    )
    assert "NOTE:" not in transcript  # internal notes never reach the customer
    assert problems == []
