"""In a real Chromium: an anonymous visitor gives an e-mail address in the widget, and the
confirmation with the ticket number reaches a local SMTP server."""

from __future__ import annotations

from typing import Any

from tests.browser import browser, screenshot_path
from tests.fixtures import ServerFactory, server_url
from tests.test_contact_email_mail import mailbox
from tests.test_notify import Inbox
from tests.test_widget_browser import ask, bot_count, bot_replied, new_page

__all__ = ["browser", "mailbox"]


async def test_an_anonymous_visitor_gives_an_address_and_the_confirmation_is_mailed(
    make_server: ServerFactory, mailbox: tuple[Inbox, int], browser: Any
) -> None:
    inbox, port = mailbox
    server = await make_server(smtp_host="127.0.0.1", smtp_port=port)
    page = await new_page(browser, server_url(server) + "/")
    await page.click(".launcher")
    before = await bot_count(page)
    await ask(page, "I want to talk to a person about kafebar.no")
    await bot_replied(page, before)
    # The question says why, and can be skipped with a button.
    question = page.locator(".msg.bot").last
    assert "ticket number" in (await question.text_content() or "")
    skip = page.locator(".choices button[data-value=skip]:enabled")
    assert await skip.text_content() == "Skip"
    await page.screenshot(path=screenshot_path("widget-contact-email.png"))

    await ask(page, "sure, it's ana.k@firma.hr thanks")
    banner = page.locator(".banner:not([hidden])")
    await banner.wait_for()
    number = await banner.locator(".number").first.text_content()
    assert number and number.startswith("HS-")
    # The chat says where the answer goes; the button under the question is spent.
    await page.locator(".msg.system", has_text="ana.k@firma.hr").wait_for()
    assert await skip.count() == 0

    [mail] = await inbox.wait(1)
    assert mail["To"] == "ana.k@firma.hr"
    assert number in mail["Subject"]
    assert number in mail.get_body().get_content()  # type: ignore[union-attr]
