"""The widget's size and how fast it is usable.

    python benchmarks/widget.py [--loads 20]

Prints the bundle size (raw and gzipped, socket.io-client included) and, in Debian's
Chromium against a local server, the time from navigation start to a usable widget
(launcher drawn and the chat session open), median and p95 over fresh page loads.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestServer  # noqa: E402

from chatbot.app import create_app  # noqa: E402
from chatbot.settings import Settings  # noqa: E402
from tests.browser import ARGS, CHROMIUM  # noqa: E402

BUNDLE = ROOT / "widget" / "dist" / "widget.js"


async def measure(loads: int) -> list[float]:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = TestServer(create_app(Settings(data_dir=Path(tmp))), host="127.0.0.1")
        await server.start_server()
        url = str(server.make_url("/"))
        timings: list[float] = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(loads):
                context = await browser.new_context()
                page = await context.new_page()
                await page.goto(url)
                await page.wait_for_function(
                    "() => localStorage.getItem('chatbot.visitor_token') !== null"
                )
                timings.append(await page.evaluate("() => performance.now()"))
                await context.close()
            await browser.close()
        await server.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    if not BUNDLE.is_file():
        print("build the widget first: make widget")
        return 1
    raw = BUNDLE.read_bytes()
    print(
        f"bundle: {len(raw) / 1024:.1f} KB raw, {len(gzip.compress(raw, 9)) / 1024:.1f} KB gzipped"
        " (socket.io-client included; target under 60 KB gzipped)"
    )
    timings = sorted(asyncio.run(measure(args.loads)))
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(
        f"page load to usable widget (session open), {len(timings)} fresh loads: "
        f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
