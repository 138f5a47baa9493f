"""The console's Reports pane in a real Chromium: the honest knowledge-base figures per
language, times per priority and CSAT per agent as tables with headers, checked with
axe-core, at desktop and phone sizes."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestServer

from tests.browser import browser, screenshot_path
from tests.fixtures import ServerFactory, add_agent, server_url
from tests.test_reports_server import (
    EN_QUESTION,
    FI_QUESTION,
    SteppedClock,
    agent,
    answer_and_close,
    confirm,
    shown_article,
)
from tests.test_widget_welcome import PHONE, run_axe

__all__ = ["browser"]


async def some_support(server: TestServer, clock: SteppedClock) -> None:
    """A Finnish customer confirms an article; an English one says it did not help and
    asks for a person, whom Ana answers in 3 minutes and closes 10 later; rated 4."""
    fi, ask = await shown_article(server, "fi", FI_QUESTION)
    await confirm(fi, ask, "Kyllä")
    en, _ = await shown_article(server, "en", EN_QUESTION)
    await en.say("no, that did not help")
    await en.ask_for_person("I want to talk to a person please")
    number = en.tickets[-1]["number"]
    ana, _ = await agent(server, "Ana")
    await answer_and_close(clock, ana, number, reply_after=180, close_after=600)
    assert (await en.call("rate", {"ticket": number, "score": 4}))["ok"]


async def table_rows(page: Any, heading: str) -> dict[str, dict[str, str]]:
    """The table named by ``heading``: row header -> column header -> cell text."""
    return dict(
        await page.evaluate(
            """(heading) => {
                const h = [...document.querySelectorAll('#reports-body h2')]
                    .find((e) => e.textContent === heading);
                const table = document.querySelector(`table[aria-labelledby="${h.id}"]`);
                const cols = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
                return [...table.querySelectorAll('tbody tr')].map((tr) => {
                    const cells = [...tr.children].map((c) => c.textContent);
                    const row = {};
                    cols.forEach((name, i) => { row[name] = cells[i]; });
                    return [cells[0], row];
                });
            }""",
            heading,
        )
    )


async def test_the_reports_pane_shows_the_honest_figures_accessibly(
    make_server: ServerFactory, browser: Any
) -> None:
    clock = SteppedClock()
    server = await make_server(clock=clock)
    await some_support(server, clock)
    email, password = await add_agent(server, "lead@support.example", "Lead", "admin")

    found: dict[str, Any] = {}
    for size, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        # axe-core is injected as a script tag: the console's CSP is bypassed for it alone.
        context = await browser.new_context(viewport=viewport, bypass_csp=True)
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
        await page.goto(server_url(server) + "/console")
        await page.fill("#login-email", email)
        await page.fill("#login-password", password)
        await page.click("#login-submit")
        await page.wait_for_selector("#app:not([hidden]) #me")
        await page.click("#reports-button")
        await page.wait_for_selector("#reports-body table")
        found[size] = {
            "languages": await table_rows(page, "Knowledge base answers by language"),
            "priorities": await table_rows(page, "Response times by priority"),
            "agents": await table_rows(page, "Customer satisfaction by agent"),
            "axe": await run_axe(page, "#reports-view"),
            "errors": problems,
        }
        await page.screenshot(path=screenshot_path(f"console-reports-{size}.png"), full_page=True)
        await context.close()

    assert found["phone"] == found["desktop"]
    shown = found["desktop"]
    assert (shown["axe"], shown["errors"]) == ([], [])
    finnish, english = shown["languages"]["Finnish (fi)"], shown["languages"]["English (en)"]
    kb = ["Article shown", "Confirmed", "Left without asking more", "Shown, not helpful"]
    assert [finnish[k] for k in kb] == ["1", "1", "0", "0"]
    assert [english[k] for k in kb] == ["1", "0", "0", "1"]
    assert (finnish["Answered by KB"], english["Answered by KB"]) == ("100%", "0%")
    assert shown["languages"]["Total"]["Answered by KB"] == "50%"
    normal = shown["priorities"]["Normal"]
    assert normal["First reply median (min)"] == "3"
    assert normal["Resolution p90 (min)"] == "13"
    assert shown["agents"]["Ana"] == {
        "Agent": "Ana",
        "Ratings": "1",
        "Average (of 5)": "4.00",
        "Good (4–5)": "100%",
    }
