"""The wheel as an operator installs it: built from a clean clone of the repository,
installed into a fresh virtualenv, and run from ``/`` with no checkout in reach.

Slow (a wheel build with npm, a server start): ``pytest -m 'not wheel'`` leaves it out
locally; CI runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import ChatClient, free_port

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent

UNSEEN_ARTICLE = """---
id: printer-jam
lang: en
title: Clearing a paper jam in the printer
---
Open the front cover, pull the jammed paper out slowly and close the cover.
"""


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"building the wheel needs {tool}, which CI must have")
        pytest.skip(f"building the wheel needs {tool}")


def clone(dest: Path) -> Path:
    """A clean copy of the committed tree (what CI and a release build see)."""
    _require("git")
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True, timeout=120)
    return dest


def build_wheel(
    source: Path, out: Path, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``pip wheel`` of a source tree; the backend comes from this environment (the test
    extra has hatchling), so the build fetches nothing but the widget's npm packages."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--wheel-dir", str(out), str(source)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": path or os.environ["PATH"]},
    )


def without_npm(tmp_path: Path) -> str:
    """A PATH on which only this Python is found."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    return str(bin_dir)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel built from a clone of the committed tree."""
    _require("npm")
    work = tmp_path_factory.mktemp("wheel")
    source = clone(work / "clone")
    built = build_wheel(source, work / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("chatbot-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The project's dependencies are already installed here: the fresh venv sees them
    # behind its own site-packages instead of downloading them again.
    Path(site, "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--no-index", str(wheel)),
        ],
        check=True,
        timeout=120,
    )
    shutil.rmtree(source)  # nothing of the source tree stays in reach
    return venv


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``chatbot serve`` from the virtualenv, started in ``/``; its base URL."""
    data = tmp_path_factory.mktemp("served")
    port = free_port()
    log = data / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [venv / "bin" / "chatbot", "serve", "--data-dir", data / "var", "--port", str(port)],
            cwd="/",
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    health = json.loads(response.read())
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)  # polling a process we do not control: nothing to await
        assert health["kb_articles"] >= 150, health
        yield url
        process.terminate()
        assert process.wait(timeout=30) == 0, log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_the_installed_package_reads_its_content_from_inside_the_virtualenv(venv: Path) -> None:
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import chatbot.bundled as b; print(b.CONTENT_DIR); print(b.WIDGET_DIR)",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    content, widget = (Path(line) for line in where)
    assert content.is_relative_to(venv) and widget.is_relative_to(venv), where
    assert (content / "kb_vectors.npz").is_file()
    assert (content / "phrases" / "fi.yml").is_file()
    assert (widget / "dist" / "widget.js").is_file()


def test_the_installed_package_loads_every_redis_script(venv: Path) -> None:
    """The Redis store's Lua scripts are files in the package, read with importlib.resources:
    the wheel must carry every one."""
    shipped = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from chatbot.store.redis.scripts import SCRIPTS; print(' '.join(sorted(SCRIPTS)))",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    lua = ROOT / "chatbot" / "store" / "redis" / "lua"
    expected = sorted(p.stem for p in lua.glob("*.lua") if p.name != "prelude.lua")
    assert len(expected) > 40 and shipped == expected


def test_the_widget_and_the_console_are_served(served: str) -> None:
    status, kind, body = get(f"{served}/widget.js")
    assert status == 200 and kind.startswith("application/javascript")
    assert b"window.Chatbot" in body and b"socket.io" in body, body[:200]
    status, kind, body = get(f"{served}/console")
    assert status == 200 and kind.startswith("text/html")
    assert b"/console/console.js" in body
    status, kind, body = get(f"{served}/console/console.js")
    assert status == 200 and kind.startswith("application/javascript") and body


def test_the_front_page_is_the_neutral_one_not_the_demo_company(served: str) -> None:
    status, kind, body = get(f"{served}/")
    assert status == 200 and kind.startswith("text/html")
    assert b'<script src="/widget.js"' in body
    assert b"Aurora" not in body and b"/demo/demo.css" not in body


async def test_a_help_centre_question_gets_its_article(served: str) -> None:
    client = ChatClient(served)
    try:
        await client.connect(locale="en")
        replies = await client.say(
            "I can't send emails from Outlook, it keeps saying authentication required"
        )
    finally:
        await client.disconnect()
    cards = [m for m in replies if m.get("articles")]
    assert cards, replies
    assert cards[0]["articles"][0]["id"] == "email-outgoing"


def test_kb_points_the_installed_bot_at_another_help_centre(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "printer.md").write_text(UNSEEN_ARTICLE, encoding="utf-8")
    out = subprocess.run(
        [
            *(str(venv / "bin" / "chatbot"), "ask", "the printer has a paper jam again"),
            *("--json", "--kb", str(tmp_path)),
        ],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    report = json.loads(out)
    assert report["answer"]["article_id"] == "printer-jam"
    assert {a["id"] for a in report["articles"]} == {"printer-jam"}


def test_building_without_npm_says_what_is_missing(tmp_path: Path) -> None:
    built = build_wheel(clone(tmp_path / "clone"), tmp_path / "dist", path=without_npm(tmp_path))
    assert built.returncode != 0
    assert "needs npm to bundle the chat widget" in built.stderr, built.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))


def test_the_sdist_carries_the_bundles_so_its_wheel_needs_no_npm(tmp_path: Path) -> None:
    _require("npm")
    source = clone(tmp_path / "clone")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "sdist"],
        cwd=source,
        capture_output=True,
        check=True,
        timeout=300,
    )
    (sdist,) = (source / "dist").glob("chatbot-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    built = build_wheel(unpacked, tmp_path / "dist", path=without_npm(tmp_path))
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("chatbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        "chatbot/_content/widget/dist/widget.js",
        "chatbot/_content/widget/dist/console.js",
        "chatbot/_content/widget/console/index.html",
        "chatbot/_content/data/kb_vectors.npz",
        "chatbot/_content/data/phrases/hu.yml",
    } <= names
