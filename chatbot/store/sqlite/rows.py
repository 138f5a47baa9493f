"""Rows to records, and the row lookups several roles share."""

from __future__ import annotations

import json
import sqlite3
from typing import cast

from chatbot.errors import Conflict, NotFound
from chatbot.store.records import Agent, Conversation, Incident, Note, Sender, StoredMessage, Ticket

__all__ = [
    "active_chats",
    "agent",
    "conversation",
    "incident",
    "message",
    "note",
    "one_incident",
    "one_ticket",
    "ticket",
    "unclosed_ticket",
    "visitor_tickets",
]


def conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        visitor_id=row["visitor_id"],
        language=row["language"],
        state=json.loads(row["state"]),
        last_seq=row["last_seq"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        id=row["id"],
        sender=cast(Sender, row["sender"]),
        text=row["text"],
        at=row["at"],
        data=json.loads(row["data"]),
    )


def ticket(row: sqlite3.Row) -> Ticket:
    return Ticket(
        number=row["number"],
        conversation_id=row["conversation_id"],
        visitor_id=row["visitor_id"],
        status=row["status"],
        service=row["service"],
        title=row["title"],
        language=row["language"],
        priority=row["priority"],
        fields=json.loads(row["fields"]),
        missing=tuple(json.loads(row["missing"])),
        expected_response=row["expected_response"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        customer=json.loads(row["customer"]),
        assignee=row["assignee"],
        claimed_at=row["claimed_at"],
        first_response_at=row["first_response_at"],
        closed_at=row["closed_at"],
        resolution=row["resolution"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        emailed_seq=row["emailed_seq"],
        incident=row["incident"],
    )


def agent(row: sqlite3.Row) -> Agent:
    return Agent(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        created_at=row["created_at"],
        disabled=bool(row["disabled"]),
    )


def note(row: sqlite3.Row) -> Note:
    return Note(
        ticket=row["ticket"], id=row["id"], agent_id=row["agent_id"], text=row["text"], at=row["at"]
    )


def incident(row: sqlite3.Row) -> Incident:
    return Incident(
        id=row["id"],
        service=row["service"],
        targets=tuple(json.loads(row["targets"])),
        messages=json.loads(row["messages"]),
        started_at=row["started_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        resolution=json.loads(row["resolution"]),
    )


def one_ticket(db: sqlite3.Connection, number: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM tickets WHERE number = ?", (number,)).fetchone()
    if row is None:
        raise NotFound(f"no ticket {number}")
    return cast(sqlite3.Row, row)


def unclosed_ticket(db: sqlite3.Connection, number: str) -> sqlite3.Row:
    row = one_ticket(db, number)
    if row["status"] == "closed":
        raise Conflict(f"{number} is closed", code="ticket_closed")
    return row


def active_chats(db: sqlite3.Connection, agent_id: str) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM tickets WHERE assignee = ? AND status IN ('in_progress', 'waiting')",
        (agent_id,),
    ).fetchone()
    return int(row[0])


def one_incident(db: sqlite3.Connection, incident_id: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return cast(sqlite3.Row, row)


def visitor_tickets(db: sqlite3.Connection, visitor_id: str) -> list[sqlite3.Row]:
    """The visitor's tickets and every ticket on one of their conversations, oldest first."""
    return db.execute(
        "SELECT * FROM tickets WHERE visitor_id = ? OR conversation_id IN"
        " (SELECT id FROM conversations WHERE visitor_id = ?) ORDER BY created_at, number",
        (visitor_id, visitor_id),
    ).fetchall()
