"""``chatbot reports`` in a process, on a database the test fills through the store."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from chatbot.store import NewAgent, NewMessage, NewTicket
from chatbot.store.sqlite import SQLiteStore

CHATBOT = [sys.executable, "-m", "chatbot"]


async def fill(database: Path, now: float) -> None:
    store = SQLiteStore(database)
    await store.open()
    try:
        ana = await store.add_agent(
            NewAgent(
                email="ana@x.example", name="Ana", role="agent", password_hash="x", created_at=now
            )
        )
        article = {"articles": [{"id": "php-version"}]}
        confirmed = await store.conversation_for_visitor("v1", "fi", now)
        await store.append_messages(
            confirmed.id,
            [
                NewMessage(id="q", sender="customer", text="php?", at=now),
                NewMessage(id="#b1.0", sender="bot", text="See", at=now + 1, data=article),
                NewMessage(id="y", sender="customer", text="yes", at=now + 2),
                NewMessage(
                    id="#b3.0",
                    sender="bot",
                    text="Good",
                    at=now + 3,
                    data={"feedback": "confirmed"},
                ),
            ],
        )
        refused = await store.conversation_for_visitor("v2", "en", now)
        await store.append_messages(
            refused.id,
            [
                NewMessage(id="q", sender="customer", text="php?", at=now),
                NewMessage(id="#b1.0", sender="bot", text="See", at=now + 1, data=article),
                NewMessage(id="n", sender="customer", text="no", at=now + 2),
            ],
        )
        ticket = await store.create_ticket(
            NewTicket(
                conversation_id=refused.id,
                visitor_id="v2",
                service="website",
                title="PHP",
                language="en",
                priority="high",
                fields={},
                missing=(),
                expected_response=None,
                created_at=now + 3,
                source="s",
            ),
            "HS",
        )
        await store.claim_ticket(ticket.number, ana.id, 3, now + 4)
        await store.mark_first_response(ticket.number, now + 3 + 240)
        await store.close_ticket(ticket.number, "done", now + 3 + 900)
        await store.rate_ticket(ticket.number, 4, "", now + 1000)
    finally:
        await store.close()


def reports(data: Path, *args: str) -> str:
    done = subprocess.run(
        [*CHATBOT, "reports", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


async def test_the_report_is_printed_as_tables_and_as_json(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    await fill(data / "chatbot.sqlite3", time.time() - 3600)
    report = json.loads(reports(data, "--json", "--days", "7"))
    assert report["days"] == 7
    assert report["per_language"]["fi"]["kb_confirmed"] == 1
    assert report["per_language"]["en"]["kb_not_helpful"] == 1
    assert report["total"]["answered_by_kb"] == 0.5
    high = next(row for row in report["per_priority"] if row["priority"] == "high")
    assert high["first_response_median_minutes"] == 4.0
    assert high["resolution_p90_minutes"] == 15.0
    assert report["per_agent"][0]["agent_name"] == "Ana"
    text = reports(data).splitlines()
    assert text[0] == "Conversations started in the last 30 days"
    row = next(line.split() for line in text if line.startswith("fi "))
    # conversations, article shown, confirmed, left without more, not helpful, answered...
    assert row[1:7] == ["1", "1", "1", "0", "0", "100.0%"]
    high_row = next(line.split() for line in text if line.startswith("high "))
    assert high_row[1:] == ["1", "4.0", "4.0", "0", "15.0", "15.0", "0"]
    ana = next(line.split() for line in text if line.startswith("Ana "))
    assert ana == ["Ana", "1", "4.0", "100.0%"]


def test_a_missing_database_is_said_plainly(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CHATBOT, "reports", "--data-dir", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no database" in done.stderr
