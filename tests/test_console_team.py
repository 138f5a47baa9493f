"""The console for a busy team, in a real Chromium: the phone layout, the queue's filters,
two consoles on one chat, SLA timers against the server's clock, keyboard shortcuts and
the incidents panel; axe-core on every new view, screenshots at desktop and phone sizes."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestServer

from tests.browser import browser, screenshot_path
from tests.fixtures import (
    AgentClient,
    ChatClient,
    MovingClock,
    ServerFactory,
    add_agent,
    login,
    server_url,
)
from tests.test_console_browser import watch
from tests.test_widget_welcome import run_axe

__all__ = ["browser"]

PHONE = {"width": 390, "height": 844}
LONG = (
    "Since Monday every message sent from Thunderbird to addresses outside the company "
    "bounces after a minute with 'relay access denied'; webmail works, and the phone app "
    "sends fine over the same connection."
)
DIAGNOSIS = (
    "kafebar.no (email): smtp_unreachable host=mail.kafebar.no port=587; "
    "site_ok url=https://kafebar.no/ status=200 time_ms=85"
)
DESKTOP = {"width": 1280, "height": 800}


async def console_as(
    browser: Any,
    server: TestServer,
    who: tuple[str, str],
    viewport: dict[str, int] = DESKTOP,
    problems: list[str] | None = None,
    fake_clock: bool = False,
    hash: str = "",
) -> Any:
    """A logged-in console (axe is injected as a script tag: the CSP is bypassed for it)."""
    context = await browser.new_context(viewport=viewport, bypass_csp=True)
    page = await context.new_page()
    if problems is not None:
        watch(page, problems)
    if fake_clock:
        await page.clock.install()
    await page.goto(server_url(server) + "/console" + hash)
    await page.fill("#login-email", who[0])
    await page.fill("#login-password", who[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#app:not([hidden]) #me")
    await page.wait_for_selector("#connection[data-state=online]")
    return page


async def customer_ticket(
    server: TestServer,
    text: str = "I want to talk to a real person about kafebar.no",
    lang: str = "en",
) -> tuple[ChatClient, str]:
    customer = ChatClient(server_url(server))
    await customer.connect(locale=lang)
    await customer.ask_for_person(text)
    return customer, str(customer.tickets[-1]["number"])


async def visible(page: Any, selector: str) -> bool:
    return bool(await page.locator(selector).is_visible())


async def test_an_agent_on_a_phone_claims_replies_and_closes_one_pane_at_a_time(
    chat_server: TestServer, browser: Any
) -> None:
    problems: list[str] = []
    ana = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    customer, number = await customer_ticket(chat_server)
    # The bot's domain check and a long description, as the details pane must show them.
    lead = AgentClient(server_url(chat_server))
    await lead.connect(await login(chat_server, *ana))
    fields = {"domain": "kafebar.no", "description": LONG, "diagnosis": DIAGNOSIS}
    assert (await lead.call("update", {"ticket": number, "fields": fields}))["ok"]
    page = await console_as(browser, chat_server, ana, PHONE, problems)
    item = page.locator(f"#queue [data-ticket='{number}']")
    await item.wait_for()
    assert await visible(page, ".sidebar") and not await visible(page, "#conversation")
    queue_axe = await run_axe(page)
    await page.screenshot(path=screenshot_path("console-phone-queue.png"))

    await item.locator("button.claim").click()
    await page.wait_for_selector("#conversation #conv-main:not([hidden])")
    await page.wait_for_selector("#transcript .msg.customer")
    assert not await visible(page, ".sidebar") and not await visible(page, "#details")
    await page.fill("#reply-input", "Hi, Ana here on my phone. Which mail program do you use?")
    seen = len(customer.received)
    await page.click("#reply-send")
    reply = await customer.wait_for_messages(seen + 1)
    assert any("on my phone" in m["text"] for m in reply if m["from"] == "agent")
    await page.wait_for_selector("#transcript .msg.agent >> text=on my phone")
    conversation_axe = await run_axe(page)
    await page.screenshot(path=screenshot_path("console-phone-conversation.png"))
    box = await page.locator("#reply-send").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]

    await page.click("#pane-details")
    await page.wait_for_selector("#details-main:not([hidden])")
    assert not await visible(page, "#conversation")
    findings = await page.locator("#diagnosis-findings li").all_text_contents()
    assert findings == [
        "!Problem: The mail server mail.kafebar.no does not answer on port 587.",
        "✓Works: The website https://kafebar.no/ works (status 200, answered in 85 ms).",
    ]
    description = page.locator("#ticket-fields [data-field=description]")
    assert await description.input_value() == LONG
    # The whole value shows: the box grew to its text instead of cutting it off.
    assert await description.evaluate("(box) => box.scrollHeight <= box.clientHeight + 2")
    assert await description.evaluate("(box) => box.clientHeight > 80")
    details_axe = await run_axe(page)
    await page.locator("#diagnosis-panel").screenshot(
        path=screenshot_path("console-phone-diagnosis.png")
    )
    await page.screenshot(path=screenshot_path("console-phone-details.png"))
    await page.click("#details-back")
    await page.fill("#close-resolution", "Explained the SMTP settings")
    await page.click("#close-ticket")
    await page.wait_for_selector("#conv-status.status-closed")
    await page.click("#pane-back")
    assert await visible(page, ".sidebar")
    # The same closed ticket on a desktop: every pane at once, the domain check beside it.
    await page.set_viewport_size(DESKTOP)
    assert await visible(page, "#conversation") and await visible(page, "#diagnosis-panel")
    assert await description.evaluate("(box) => box.scrollHeight <= box.clientHeight + 2")
    await page.screenshot(path=screenshot_path("console-details-desktop.png"))
    assert {"queue": queue_axe, "conversation": conversation_axe, "details": details_axe} == {
        "queue": [],
        "conversation": [],
        "details": [],
    }
    assert problems == []


async def test_filters_narrow_the_lists_and_a_reload_keeps_them(
    chat_server: TestServer, browser: Any
) -> None:
    ana = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    bob = await add_agent(chat_server, "bob@support.example", "Bob")
    _, english = await customer_ticket(chat_server)
    _, second = await customer_ticket(chat_server, "I need a human about benbakery.example")
    _, third = await customer_ticket(chat_server, "Please let me talk to a person about pekarna.hr")
    lead = AgentClient(server_url(chat_server))
    await lead.connect(await login(chat_server, *ana))
    assert (await lead.call("update", {"ticket": second, "priority": "urgent"}))["ok"]
    bob_client = AgentClient(server_url(chat_server))
    await bob_client.connect(await login(chat_server, *bob))
    assert (await bob_client.call("claim", {"ticket": third}))["ok"]

    page = await console_as(browser, chat_server, ana)
    await page.locator(f"#team-chats [data-ticket='{third}']").wait_for()
    await page.locator(f"#queue [data-ticket='{english}']").wait_for()

    async def shown() -> set[str]:
        numbers = await page.eval_on_selector_all(
            ".ticket-list .ticket[data-ticket]", "(nodes) => nodes.map((n) => n.dataset.ticket)"
        )
        return set(numbers)

    assert await shown() == {english, second, third}
    await page.click("#filters summary")
    await page.select_option("#filter-priority", "urgent")
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 1"
    )
    assert await shown() == {second}
    assert "priority=urgent" in page.url
    filters_axe = await run_axe(page)
    await page.screenshot(path=screenshot_path("console-filters.png"))

    await page.select_option("#filter-priority", "")
    await page.select_option("#filter-lang", "fi")  # every ticket here is in English
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 0"
    )
    assert "None of 2 match" in (await page.text_content("#queue-empty") or "")
    await page.select_option("#filter-lang", "en")
    await page.select_option("#filter-service", "email")  # and about no service in particular
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 0"
    )
    await page.select_option("#filter-service", "")
    await page.select_option("#filter-lang", "")
    await page.select_option("#filter-assignee", label="Bob")
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 1"
    )
    assert await shown() == {third}
    await page.select_option("#filter-assignee", "")
    await page.select_option("#filter-status", "open")
    await page.fill("#filter-q", "benbakery")
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 1"
    )
    assert await shown() == {second}

    await page.reload()
    await page.wait_for_selector("#connection[data-state=online]")
    await page.locator(f"#queue [data-ticket='{second}']").wait_for()
    assert await page.input_value("#filter-q") == "benbakery"
    assert await page.input_value("#filter-status") == "open"
    assert await shown() == {second}
    assert "of 2" in (await page.text_content("#queue-count") or "")
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=screenshot_path("console-phone-filters.png"))
    await page.set_viewport_size(DESKTOP)
    await page.click("#filter-clear")
    await page.wait_for_function(
        "() => document.querySelectorAll('.ticket-list .ticket').length === 3"
    )
    assert filters_axe == []


async def test_two_consoles_on_one_chat_see_each_other_viewing_and_typing(
    chat_server: TestServer, browser: Any
) -> None:
    ana_login = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    bob_login = await add_agent(chat_server, "bob@support.example", "Bob")
    _, number = await customer_ticket(chat_server)
    ana = await console_as(browser, chat_server, ana_login)
    bob = await console_as(browser, chat_server, bob_login)
    await ana.locator(f"#queue [data-ticket='{number}'] button.claim").click()
    await ana.wait_for_selector("#reply-input")
    await bob.locator(f"#team-chats [data-ticket='{number}']").click()

    await ana.wait_for_selector("#conv-viewers:not([hidden]) >> text=Bob is viewing")
    await bob.wait_for_selector("#conv-viewers:not([hidden]) >> text=Ana is viewing")
    await ana.locator("#reply-input").press_sequentially("Let me check the mail server")
    await bob.wait_for_selector("#conv-viewers >> text=Ana is typing")
    await bob.screenshot(path=screenshot_path("console-viewers.png"))
    viewers_axe = await run_axe(bob)

    await bob.context.close()
    await ana.wait_for_selector("#conv-viewers", state="hidden")
    assert viewers_axe == []


def moment(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def test_sla_timers_turn_amber_and_red_as_the_servers_clock_moves(
    make_server: ServerFactory, browser: Any
) -> None:
    clock = MovingClock()
    # The expected answer may be days ahead (a weekend): sessions outlast the move.
    server = await make_server(clock=clock, agent_session_hours=24 * 14)
    ana = await add_agent(server, "ana@support.example", "Ana", "admin")
    _, number = await customer_ticket(server)
    lead = AgentClient(server_url(server))
    await lead.connect(await login(server, *ana))
    [ticket] = (await lead.call("snapshot", {}))["queue"]
    created, due = moment(ticket["created_at"]), moment(ticket["expected_response"])

    problems: list[str] = []
    page = await console_as(browser, server, ana, problems=problems, fake_clock=True)
    badge = page.locator(f"#queue [data-ticket='{number}'] .sla")
    assert await badge.get_attribute("data-sla") == "ok"
    title = await badge.get_attribute("title") or ""
    assert "amber from 75%" in title and "red when overdue" in title
    await page.locator(f"#queue [data-ticket='{number}']").click()
    header = page.locator("#conv-sla .sla")
    assert await header.get_attribute("data-sla") == "ok"

    async def move_to(at: float, level: str) -> None:
        clock.shift = at - time.time()
        # Jump past one tick of the console's timer; it fires once, after the jump (its
        # question to the server then has the whole ack timeout to be answered).
        await page.clock.fast_forward(16_000)
        await page.wait_for_selector(f"#queue [data-ticket='{number}'] .sla[data-sla={level}]")
        await page.wait_for_selector(f"#conv-sla .sla[data-sla={level}]", timeout=10_000)
        assert problems == []

    await move_to(created + 0.8 * (due - created), "amber")
    await page.screenshot(path=screenshot_path("console-sla-amber.png"))
    await move_to(due + 600, "red")
    assert "overdue" in (await header.text_content() or "")
    sla_axe = await run_axe(page)
    await page.screenshot(path=screenshot_path("console-sla-red.png"))
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=screenshot_path("console-phone-sla-red.png"))
    assert sla_axe == []


async def test_shortcuts_are_listed_on_question_mark_and_work_outside_text_fields(
    chat_server: TestServer, browser: Any
) -> None:
    ana = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    customer, number = await customer_ticket(chat_server)
    page = await console_as(browser, chat_server, ana)
    await page.locator(f"#queue [data-ticket='{number}']").wait_for()

    await page.keyboard.press("Shift+?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await dialog.wait_for()
    assert await page.evaluate("() => document.activeElement.id") == "shortcuts-close"
    for _ in range(3):  # the focus stays inside the dialog
        await page.keyboard.press("Tab")
        inside = await page.evaluate(
            "() => document.getElementById('shortcuts').contains(document.activeElement)"
        )
        assert inside
    dialog_axe = await run_axe(page)
    await page.screenshot(path=screenshot_path("console-shortcuts.png"))
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=screenshot_path("console-phone-shortcuts.png"))
    await page.set_viewport_size(DESKTOP)
    await page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")

    await page.keyboard.press("n")  # the next chat: the only one
    await page.wait_for_selector(f"#conv-title >> text={number}")
    await page.keyboard.press("c")  # claim it
    await page.wait_for_selector("#conv-status.status-in_progress")
    await page.locator("#transcript").click()  # away from the reply box that took the focus
    await page.keyboard.press("r")
    assert await page.evaluate("() => document.activeElement.id") == "reply-input"
    await page.keyboard.type("Is it about kafebar.no? n c ?")  # no shortcut while typing
    assert await page.locator("#shortcuts").is_hidden()
    seen = len(customer.received)
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector("#transcript .msg.agent >> text=kafebar.no? n c ?")
    sent = await customer.wait_for_messages(seen + 1)
    assert sent[-1]["text"] == "Is it about kafebar.no? n c ?"

    await page.locator("#transcript").click()
    await page.keyboard.press("i")  # an internal note
    assert await page.is_checked("#note-toggle")
    await page.keyboard.type("checked the MX")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector("#transcript .msg.note >> text=checked the MX")
    await page.locator("#transcript").click()
    await page.keyboard.press("x")
    assert await page.evaluate("() => document.activeElement.id") == "close-resolution"
    await page.keyboard.type("Answered")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#conv-status.status-closed")
    assert dialog_axe == []


async def test_an_admin_announces_an_incident_sees_its_tickets_and_resolves_it(
    chat_server: TestServer, browser: Any
) -> None:
    ana = await add_agent(chat_server, "ana@support.example", "Ana", "admin")
    for viewport, size in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = await console_as(browser, chat_server, ana, viewport)
        await page.click("#incidents-button")
        await page.wait_for_selector("#incidents-view:not([hidden])")
        if size == "desktop":
            await page.select_option("#incident-service", "email")
            await page.fill("#incident-targets", "mail3, kafebar.no")
            await page.fill(
                "#incident-message", "Mail on mail3 is down since 14:05; no mail is lost."
            )
            await page.click("#incident-create")
            await page.wait_for_selector("#incidents-list .incident.active")
            customer = ChatClient(server_url(chat_server))
            await customer.connect(locale="en")
            await customer.say("mail doesn't send from kafebar.no")
            number = customer.tickets[-1]["number"]
            await page.click("#incidents-close")
            await page.click("#incidents-button")
            await page.wait_for_selector(f"#incidents-list .linked-ticket >> text={number}")
        else:
            await page.wait_for_selector("#incidents-list .incident.active")
        incidents_axe = await run_axe(page)
        await page.screenshot(path=screenshot_path(f"console-incidents-{size}.png"))
        assert incidents_axe == []
        await page.context.close()

    page = await console_as(browser, chat_server, ana)
    await page.click("#incidents-button")
    await page.locator("#incidents-list .incident.active button.resolve").click()
    await page.wait_for_selector("#incidents-list .incident:not(.active) >> text=Resolved")
    await page.wait_for_selector(f"#incidents-list .linked-ticket >> text={number} · Closed")
