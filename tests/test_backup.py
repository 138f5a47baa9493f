"""Backups as an operator takes them: ``chatbot backup`` while customers chat, then
``chatbot restore`` into a new data directory and a server started on it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.fixtures import ChatClient, ServerFactory, server_url
from tests.test_attachments import png

CHATBOT = [sys.executable, "-m", "chatbot"]
CUSTOMERS = 4
#: Messages each customer sends before the backup starts, and at most in all.
WARM_UP, MOST = 10, 30


async def chatbot(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *CHATBOT, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def every_message(customer: ChatClient) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        page = await customer.call("history", {"after": messages[-1]["seq"] if messages else 0})
        assert page["ok"], page
        messages += page["messages"]
        if not page["more"]:
            return messages


async def test_a_backup_taken_under_load_keeps_every_acknowledged_message(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # Fair use would slow the customers down to a message a second.
    fast = {"message_burst": 10_000, "messages_per_second": 10_000}
    live = await make_server(data_dir=tmp_path / "live", **fast)
    customers = [ChatClient(server_url(live)) for _ in range(CUSTOMERS)]
    tokens = [(await customer.connect(locale="en"))["visitor_token"] for customer in customers]
    files = {}
    for n, customer in enumerate(customers):
        picture = png(n + 1, 2)
        ack = await customer.call("attach", {"id": f"shot{n}", "name": "s.png", "data": picture})
        assert ack["ok"], ack
        files[ack["message"]["attachment"]["id"]] = picture

    acked: list[str] = []
    sent_by: dict[str, int] = {}
    stop = asyncio.Event()
    warmed_up = [asyncio.Event() for _ in customers]

    async def chat(n: int, customer: ChatClient) -> None:
        for count in range(MOST):
            if stop.is_set():
                return
            message_id = f"c{n}-{count}"
            sent_by[message_id] = n
            ack = await customer.send(f"my mail to ana@kafebar.no bounces ({count})", id=message_id)
            assert ack["ok"], ack
            acked.append(message_id)
            if count + 1 == WARM_UP:
                warmed_up[n].set()

    # A long report holds a read transaction meanwhile, so no checkpoint moves the new
    # messages from the WAL into the database file, where a plain file copy would miss them.
    report_reader = sqlite3.connect(tmp_path / "live" / "chatbot.sqlite3", isolation_level=None)
    report_reader.execute("BEGIN")
    report_reader.execute("SELECT count(*) FROM messages").fetchone()
    load = [asyncio.create_task(chat(n, c)) for n, c in enumerate(customers)]
    try:
        for event in warmed_up:
            await asyncio.wait_for(event.wait(), 30)
        before = set(acked)
        report = await chatbot(
            "backup", str(tmp_path / "backup"), "--data-dir", str(tmp_path / "live")
        )
        during = len(acked) - len(before)
        stop.set()
        await asyncio.gather(*load)
    finally:
        stop.set()
        for task in load:
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)
        report_reader.close()
    print(
        f"\n{report.strip()}\n{len(before)} messages acknowledged before the backup,"
        f" {during} while it ran, {len(acked)} in all"
    )

    fresh = tmp_path / "restored"
    await chatbot("restore", str(tmp_path / "backup"), "--data-dir", str(fresh))
    with contextlib.closing(sqlite3.connect(fresh / "chatbot.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # No half-copied transaction: each conversation's counter matches its messages.
        assert (
            db.execute(
                "SELECT count(*) FROM conversations c WHERE last_seq !="
                " (SELECT coalesce(max(seq), 0) FROM messages m WHERE m.conversation_id = c.id)"
            ).fetchone()[0]
            == 0
        )

    restored = await make_server(data_dir=fresh, **fast)
    kept: set[str] = set()
    for n, token in enumerate(tokens):
        again = ChatClient(server_url(restored))
        session = await again.connect(visitor_token=token)
        assert session["conversation_id"] == customers[n].session["conversation_id"]  # type: ignore[index]
        for message in await every_message(again):
            if message["from"] == "customer" and message["id"] in sent_by:
                assert sent_by[message["id"]] == n  # in the conversation it was sent to
                kept.add(message["id"])
    assert before <= kept, f"lost: {sorted(before - kept)[:10]}"
    assert kept <= set(acked)

    async with aiohttp.ClientSession() as http:
        for file_id, picture in files.items():
            response = await http.get(restored.make_url(f"/attachments/{file_id}"))
            assert response.status == 200 and await response.read() == picture


async def test_restore_refuses_a_data_directory_in_use_and_moves_it_aside_when_forced(
    tmp_path: Path,
) -> None:
    data = str(tmp_path / "data")
    await chatbot("agents", "list", "--data-dir", data)  # creates the database
    await chatbot("backup", str(tmp_path / "b"), "--data-dir", data)
    (tmp_path / "data" / "chatbot.sqlite3-wal").write_bytes(b"stale")
    refused = await asyncio.create_subprocess_exec(
        *CHATBOT,
        "restore",
        str(tmp_path / "b"),
        "--data-dir",
        data,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await refused.communicate()
    assert refused.returncode == 1 and b"--force" in err
    out = await chatbot("restore", str(tmp_path / "b"), "--data-dir", data, "--force")
    aside = Path(out.split(" is in ")[1].split("\n")[0])
    assert (aside / "chatbot.sqlite3-wal").read_bytes() == b"stale"
    assert not (tmp_path / "data" / "chatbot.sqlite3-wal").exists()
    assert (tmp_path / "data" / "chatbot.sqlite3").stat().st_mode & 0o777 == 0o600
