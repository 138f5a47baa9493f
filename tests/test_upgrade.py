"""An installation of an older release upgrades in place: the current server starts on
its database, migrates it, and everyone carries on where they were."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from chatbot.store.sqlite import MIGRATIONS
from chatbot.web import keys
from tests.fixtures import AgentClient, ChatClient, ServerFactory, login, server_url
from tests.test_incidents import MESSAGES, api

#: Made by the release of commit d8edf56 itself (see the file's header).
OLD_DATABASE = Path(__file__).parent / "data" / "schema_v3.sql"
VISITOR = "OimElwEMKyfmXjLkzNAJAA"
CONVERSATION = "c_QoQ0wFPcya62JYj5"


def user_version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def test_a_database_of_an_older_release_is_migrated_and_keeps_its_conversations(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    database = data / "chatbot.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.executescript(OLD_DATABASE.read_text(encoding="utf-8"))
    assert user_version(database) == 3 < len(MIGRATIONS)

    server = await make_server(data_dir=data)
    assert user_version(database) == len(MIGRATIONS)
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    # The customer comes back to their conversation and sees all of it.
    token = server.app[keys.TOKENS].issue(VISITOR)[1]
    customer = ChatClient(server_url(server))
    session = await customer.connect(visitor_token=token)
    assert session["conversation_id"] == CONVERSATION and session["last_seq"] == 14
    history = await customer.call("history", {"after": 0})
    texts = [(m["seq"], m["from"], m["text"]) for m in history["messages"]]
    assert texts[0] == (1, "customer", "my mail to ana@kafebar.no bounces with 550 5.7.1")
    assert any("HS-104201" in text for _, sender, text in texts if sender == "bot")
    assert texts[-1][1:] == (
        "agent",
        "Hi Ana, your server's address is on a blocklist; I have asked for its removal.",
    )
    assert [seq for seq, _, _ in texts] == list(range(1, 15))

    # The agent of the old release logs in with their password and finds the ticket
    # they claimed, with their note; the customer's new message reaches them.
    agent_token = await login(server, "ana@support.example", "old-release-password")
    status, ticket = await api(server, "GET", "/api/tickets/HS-104201", agent_token)
    assert status == 200, ticket
    assert ticket["status"] == "in_progress" and ticket["assignee"]["name"] == "Ana"
    assert ticket["fields"]["error_message"] == "550 5.7.1" and ticket["incident"] is None
    assert [n["text"] for n in ticket["notes"]] == [
        "Listed on a DNSBL since Friday; removal requested."
    ]
    console = AgentClient(server_url(server))
    await console.connect(agent_token)
    ack = await customer.send("thanks, mail is going out again")
    assert ack["ok"] and ack["seq"] == 15
    seen = await console.wait_for("message", lambda m: m.get("seq") == 15)
    assert seen["text"] == "thanks, mail is going out again"

    # What schema 4 added works: incidents, and ticket numbers go on from the old counter.
    status, created = await api(
        server,
        "POST",
        "/api/incidents",
        agent_token,
        {"service": "email", "targets": [], "messages": MESSAGES},
    )
    assert status == 201 and created["incident"]["id"] == "INC-1", created
    newcomer = ChatClient(server_url(server))
    await newcomer.connect(locale="en")
    await newcomer.ask_for_person("I want to talk to a person about kafebar.no")
    assert newcomer.tickets and newcomer.tickets[0]["number"] == "HS-104202"
