"""Redis hashes and JSON strings to records."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import cast

from chatbot.store.records import Agent, Conversation, Incident, Note, Sender, StoredMessage, Ticket

__all__ = ["agent", "conversation", "incident", "message", "note", "ticket"]


def conversation(found: Mapping[str, str]) -> Conversation:
    return Conversation(
        id=found["id"],
        visitor_id=found["visitor_id"],
        language=found["language"],
        state=json.loads(found["state"]),
        last_seq=int(found["last_seq"]),
        created_at=float(found["created_at"]),
        updated_at=float(found["updated_at"]),
    )


def message(conversation_id: str, seq: int, raw: str) -> StoredMessage:
    record = json.loads(raw)
    return StoredMessage(
        conversation_id=conversation_id,
        seq=seq,
        id=record["id"],
        sender=cast(Sender, record["sender"]),
        text=record["text"],
        at=float(record["at"]),
        data=record["data"],
    )


def ticket(found: Mapping[str, str]) -> Ticket:
    rating = found.get("rating")
    return Ticket(
        number=found["number"],
        conversation_id=found["conversation_id"],
        visitor_id=found["visitor_id"],
        status=found["status"],
        service=found["service"],
        title=found["title"],
        language=found["language"],
        priority=found["priority"],
        fields=json.loads(found["fields"]),
        missing=tuple(json.loads(found["missing"])),
        expected_response=found.get("expected_response"),
        created_at=float(found["created_at"]),
        updated_at=float(found["updated_at"]),
        customer=json.loads(found["customer"]),
        assignee=found.get("assignee"),
        claimed_at=_opt_float(found.get("claimed_at")),
        first_response_at=_opt_float(found.get("first_response_at")),
        closed_at=_opt_float(found.get("closed_at")),
        resolution=found.get("resolution"),
        rating=None if rating is None else int(rating),
        rating_comment=found.get("rating_comment"),
        emailed_seq=int(found.get("emailed_seq", "0")),
        incident=found.get("incident"),
    )


def agent(found: Mapping[str, str]) -> Agent:
    return Agent(
        id=found["id"],
        email=found["email"],
        name=found["name"],
        role=found["role"],
        created_at=float(found["created_at"]),
        disabled=found.get("disabled") == "1",
    )


def note(ticket: str, raw: str) -> Note:
    record = json.loads(raw)
    return Note(
        ticket=ticket,
        id=record["id"],
        agent_id=record["agent_id"],
        text=record["text"],
        at=float(record["at"]),
    )


def incident(found: Mapping[str, str]) -> Incident:
    return Incident(
        id=found["id"],
        service=found["service"],
        targets=tuple(json.loads(found["targets"])),
        messages=json.loads(found["messages"]),
        started_at=float(found["started_at"]),
        created_by=found["created_by"],
        created_at=float(found["created_at"]),
        resolved_at=_opt_float(found.get("resolved_at")),
        resolution=json.loads(found.get("resolution", "{}")),
    )


def _opt_float(value: str | None) -> float | None:
    return None if value is None else float(value)
