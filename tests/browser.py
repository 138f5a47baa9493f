"""A real Chromium (Debian's ``chromium``) driven by playwright, for widget tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
# Without these, Chromium tries to reach Google's services, which this network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Test pages and the chat server all live on loopback; real sites are public and
    # never meet these local-network checks.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
    "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
]


def require_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).is_file():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        await instance.close()


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / name)
