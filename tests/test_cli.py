"""The command line as people use it: ``chatbot ask`` and ``chatbot serve`` in processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures import free_port

CHATBOT = [sys.executable, "-m", "chatbot"]
REPORT_KEYS = {"text", "language", "intent", "service", "entities", "articles", "answer"}
ENTITY_KEYS = {"domain", "email", "ip", "url", "error_code", "ticket", "time"}

UNSEEN_KB = {
    "en/vpn.md": """---
id: vpn-setup
lang: en
title: Connecting to the office VPN
tags: [vpn, wireguard, remote access]
---
Install WireGuard, import the profile from the portal and switch the tunnel on.
""",
    "fi/vpn.md": """---
id: vpn-setup
lang: fi
title: Yhdistäminen toimiston VPN-verkkoon
tags: [vpn, wireguard, etäyhteys]
---
Asenna WireGuard, tuo profiili portaalista ja kytke tunneli päälle.
""",
    "en/printer.md": """---
id: printer-jam
title: Clearing a paper jam in the printer
---
Open the front cover, pull the jammed paper out slowly and close the cover.
""",
    "broken.md": "no front matter at all",
}


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [*CHATBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=True,
    )
    return done.stdout


def test_ask_json_has_every_key() -> None:
    report = json.loads(run("ask", "mail from ana@cvjecarna.hr bounces with 550 5.7.1", "--json"))
    assert set(report) >= REPORT_KEYS
    assert set(report["entities"]) >= ENTITY_KEYS
    assert report["entities"]["email"] == ["ana@cvjecarna.hr"]
    assert report["articles"][0].keys() == {"id", "lang", "title", "score"}
    assert report["answer"]["article_id"] == report["articles"][0]["id"]
    assert report["answer"]["text"]


def test_ask_reads_one_message_per_line_and_writes_json_lines() -> None:
    lines = ["sähköposti ei lähde puhelimesta", "", "как продлить домен", "hvala"]
    out = run("ask", "-", "--json", stdin="\n".join(lines) + "\n").splitlines()
    reports = [json.loads(line) for line in out]
    assert [r["text"] for r in reports] == [line for line in lines if line]
    assert [r["language"] for r in reports] == ["fi", "ru", "hr"]
    assert reports[1]["answer"]["article_id"] == "domain-renewal"
    assert reports[2]["answer"]["article_id"] is None


def test_an_unseen_knowledge_base_replaces_the_demo(tmp_path: Path) -> None:
    for name, text in UNSEEN_KB.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    questions = "miten yhdistän vpn:ään kotoa\nthe printer has a paper jam again\n"
    out = run("ask", "-", "--json", "--kb", str(tmp_path), stdin=questions).splitlines()
    vpn, printer = (json.loads(line) for line in out)
    assert vpn["answer"]["article_id"] == "vpn-setup"
    assert vpn["articles"][0]["lang"] == "fi"
    assert printer["answer"]["article_id"] == "printer-jam"
    ids = {a["id"] for r in (vpn, printer) for a in r["articles"]}
    assert not ids & {"email-outgoing", "website-down"}, "the demo KB leaked in"


def test_human_output_names_the_article() -> None:
    out = run("ask", "how do I restore yesterday's backup")
    assert "backup-restore" in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_health_checks_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*CHATBOT, "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)  # polling a process we do not control: nothing to await
        assert health["status"] == "ok" and health["checks"]["store"] == "ok"
        assert health["kb_articles"] >= 150
        assert (tmp_path / "data" / "chatbot.sqlite3").is_file()
        process.send_signal(sig)
        assert process.wait(timeout=20) == 0, log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_agents_are_added_from_stdin_and_can_then_log_in(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    out = run(
        "agents",
        "add",
        "Ana@Support.example",
        "--name",
        "Ana",
        "--role",
        "admin",
        "--data-dir",
        data,
        stdin="correct horse battery\n",
    )
    assert "added admin Ana <ana@support.example>" in out
    weak = subprocess.run(
        [*CHATBOT, "agents", "add", "ivan@support.example", "--name", "Ivan", "--data-dir", data],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    again = subprocess.run(
        [*CHATBOT, "agents", "add", "ana@support.example", "--name", "Ana", "--data-dir", data],
        input="another long password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1 and "already has an account" in again.stderr
    assert run("agents", "list", "--data-dir", data).split() == [
        "ana@support.example",
        "admin",
        "Ana",
    ]
    import sqlite3

    stored = (
        sqlite3.connect(Path(data) / "chatbot.sqlite3")
        .execute("SELECT password_hash FROM agents")
        .fetchone()[0]
    )
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
