"""What a customer sends as a file, the agent sees in the console: the picture, the log."""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp.test_utils import TestServer

from chatbot.store.base import NewMessage
from chatbot.web import keys
from tests.browser import browser, screenshot_path
from tests.fixtures import ChatClient, add_agent, server_url
from tests.test_attachments import png
from tests.test_console_browser import log_in, watch

__all__ = ["browser"]

MARKUP = "<img src=x onerror=alert(1)>"
# A mail log of exactly 12 KiB: the console calls it "12 KB".
LOG = (b"Jan 12 09:14:02 smtp: 550 5.7.1 relay access denied for ana@cvjecarna.hr\n" * 200)[
    : 12 * 1024
]


async def stored_attachment(server: TestServer, conversation_id: str, attachment: Any) -> None:
    """A customer's file message as the store may hold it (the markup name is not one an
    upload can make today: the server cleans names; the console must not rely on that)."""
    message = NewMessage(
        id=f"old-{attachment['name']}",
        sender="customer",
        text=attachment["name"],
        at=time.time(),
        data={"attachment": attachment},
    )
    await server.app[keys.STORE].append_messages(conversation_id, [message])


async def natural_width(console: Any, file_id: str) -> int:
    thumbnail = console.locator(f"#transcript img[src='/attachments/{file_id}']").first
    await thumbnail.scroll_into_view_if_needed()
    await console.wait_for_function(
        """(id) => {
            const img = document.querySelector(`#transcript img[src='/attachments/${id}']`);
            return img && img.complete && img.naturalWidth > 0;
        }""",
        arg=file_id,
    )
    return int(await thumbnail.evaluate("(img) => img.naturalWidth"))


async def test_an_agent_sees_the_customers_screenshot_and_log_in_the_console(
    chat_server: TestServer, browser: Any
) -> None:
    base = server_url(chat_server)
    customer = ChatClient(base)
    session = await customer.connect(locale="en")
    await customer.ask_for_person("I want to talk to a person about kafebar.no")
    number = customer.tickets[0]["number"]
    screenshot = png(160, 96)
    ack = await customer.call(
        "attach", {"id": "up1", "name": "Outlook error.png", "data": screenshot}
    )
    assert ack["ok"], ack
    image = ack["message"]["attachment"]
    await stored_attachment(
        chat_server,
        session["conversation_id"],
        {**image, "name": MARKUP + ".png"},
    )
    await stored_attachment(
        chat_server,
        session["conversation_id"],
        {"id": "../api/agents", "name": "elsewhere.png", "type": "image/png", "size": 10},
    )

    erased = {"id": "f_" + "A" * 22, "name": "erased.png", "type": "image/png", "size": 10}
    await stored_attachment(chat_server, session["conversation_id"], erased)

    email, password = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    console = await log_in(browser, base, email, password)
    problems: list[str] = []
    watch(console, problems)
    dialogs: list[str] = []
    console.on("dialog", lambda dialog: dialogs.append(dialog.message))
    item = console.locator(f"#queue [data-ticket='{number}']")
    await item.locator("button.claim").click()
    await console.locator(f"#mine [data-ticket='{number}']").click()
    transcript = console.locator("#transcript")

    # The screenshot, from the history: a thumbnail whose bytes really loaded, lazily.
    picture = transcript.get_by_role("link", name="Outlook error.png", exact=True)
    await picture.wait_for()
    assert await picture.get_attribute("href") == f"/attachments/{image['id']}"
    thumbnail = picture.locator("img")
    assert await thumbnail.get_attribute("alt") == "Outlook error.png"
    assert await thumbnail.get_attribute("loading") == "lazy"
    assert await natural_width(console, image["id"]) == 160
    box = await thumbnail.bounding_box()
    assert box is not None and box["width"] <= 240 and box["height"] <= 180

    # The log, sent while the agent has the chat open: a link with its name and size.
    sent = await customer.call("attach", {"id": "up2", "name": "mail.log", "data": LOG})
    log = sent["message"]["attachment"]
    assert log["type"] == "text/plain" and log["size"] == 12 * 1024
    file_link = transcript.get_by_role("link", name=re.compile(r"^mail\.log\b"))
    await file_link.wait_for()
    assert await file_link.get_attribute("href") == f"/attachments/{log['id']}"
    label = await file_link.text_content() or ""
    assert "mail.log" in label and "12 KB" in label and "Text" in label

    # A name with markup is the customer's text, whether the server cleaned it or not.
    hostile = await customer.call(
        "attach", {"id": "up3", "name": MARKUP + ".txt", "data": b"hello\n"}
    )
    cleaned = hostile["message"]["attachment"]["name"]
    await transcript.get_by_role("link", name=re.compile("^" + re.escape(cleaned))).wait_for()
    marked = transcript.get_by_role("link", name=MARKUP + ".png", exact=True)
    assert await marked.locator("img").get_attribute("alt") == MARKUP + ".png"
    assert MARKUP + ".png" in (await transcript.text_content() or "")
    assert (
        await console.locator("img[src='x'], #transcript img:not([src^='/attachments/'])").count()
        == 0
    )
    assert await natural_width(console, image["id"]) == 160

    # An id that is not one of ours never becomes a URL.
    elsewhere = transcript.locator(".msg.customer", has_text="elsewhere.png")
    assert "not available" in (await elsewhere.text_content() or "")
    assert await elsewhere.locator("a, img").count() == 0

    # A file erased since (a privacy request): said in words, not a broken-image icon.
    gone = transcript.locator(".msg.customer", has_text="erased.png")
    await gone.scroll_into_view_if_needed()
    await gone.get_by_text("Picture not available").wait_for()
    assert await gone.locator("a, img").count() == 0
    problems[:] = [p for p in problems if "status of 404" not in p]  # Chromium logs it

    # Keyboard: the thumbnail is a link in the tab order; Enter opens the full picture.
    assert await picture.evaluate("(a) => a.tabIndex") == 0
    await picture.focus()
    assert await picture.evaluate("(a) => document.activeElement === a")
    async with console.context.expect_page() as opened:
        await console.keyboard.press("Enter")
    full = await opened.value
    await full.wait_for_load_state()
    assert full.url == f"{base}/attachments/{image['id']}"
    await full.close()

    await console.set_viewport_size({"width": 1280, "height": 1000})
    await picture.evaluate("(a) => a.closest('.msg').scrollIntoView({block: 'start'})")
    await console.screenshot(path=screenshot_path("console-attachments.png"))
    assert dialogs == []
    assert problems == []
