"""A customer's data: export it, erase it, and forget closed conversations after a while.

A customer is named by their ``visitor_id``: ``user:<portal user id>`` for verified
customers, else the anonymous id inside their signed visitor token. Erasure and retention
also delete the attachment files the deleted messages point at; the store does not know
about files, so their ids are read from the messages before the messages go.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from chatbot.attachments import AttachmentStore
from chatbot.errors import ChatbotError
from chatbot.records import iso_time, message_record, ticket_record
from chatbot.store import Conversations, Privacy, Reports, StoredMessage

__all__ = [
    "NOT_EXPORTED",
    "PrivacyStore",
    "RetentionJob",
    "erase_visitor",
    "export_visitor",
    "sweep_empty_conversations",
]

log = logging.getLogger(__name__)

#: Said in every export: what is stored about the customer but not handed out, and why.
NOT_EXPORTED = {
    "internal_notes": "the support team's internal notes on tickets are not included: they are"
    " the team's working notes, not the customer's data",
}
#: Messages read per call while collecting attachment ids.
_PAGE = 1000


class PrivacyStore(Privacy, Conversations, Reports, Protocol):
    """What export, erasure and retention need of the store: the visitor's data, their
    conversations' messages (for attachment ids) and which conversations hold messages."""


def _attachment_ids(messages: Iterable[StoredMessage]) -> list[str]:
    ids: list[str] = []
    for message in messages:
        attachment = message.data.get("attachment")
        if isinstance(attachment, dict) and isinstance(attachment.get("id"), str):
            ids.append(attachment["id"])
    return ids


async def _discard(attachments: AttachmentStore, file_ids: Iterable[str]) -> int:
    """Delete the files that exist; how many there were."""

    def discard(ids: list[str]) -> int:
        found = 0
        for file_id in ids:
            if attachments.find(file_id) is not None:
                attachments.discard(file_id)
                found += 1
        return found

    return await asyncio.to_thread(discard, sorted(set(file_ids)))


async def export_visitor(
    store: PrivacyStore, attachments: AttachmentStore, visitor_id: str
) -> dict[str, Any]:
    """Everything stored about one customer, as JSON-able data (times in ISO 8601, UTC)."""
    data = await store.visitor_data(visitor_id)
    by_conversation: dict[str, list[dict[str, Any]]] = {c.id: [] for c in data.conversations}
    for message in data.messages:
        by_conversation.setdefault(message.conversation_id, []).append(message_record(message))
    files = []
    for message in data.messages:
        attachment = message.data.get("attachment")
        if isinstance(attachment, dict) and isinstance(attachment.get("id"), str):
            files.append(
                {
                    **attachment,
                    "conversation_id": message.conversation_id,
                    "seq": message.seq,
                    "stored": attachments.find(attachment["id"]) is not None,
                }
            )
    return {
        "visitor_id": visitor_id,
        "conversations": [
            {
                "id": c.id,
                "language": c.language,
                "created_at": iso_time(c.created_at),
                "updated_at": iso_time(c.updated_at),
                # What the bot had gathered (form answers, language): the customer's too.
                "state": dict(c.state),
                "messages": by_conversation.get(c.id, []),
            }
            for c in data.conversations
        ],
        "tickets": [ticket_record(t) for t in data.tickets],
        "ratings": [
            {"ticket": t.number, "score": t.rating, "comment": t.rating_comment or ""}
            for t in data.tickets
            if t.rating is not None
        ],
        "attachments": files,
        "not_included": dict(NOT_EXPORTED),
    }


async def erase_visitor(
    store: PrivacyStore, attachments: AttachmentStore, visitor_id: str
) -> dict[str, Any]:
    """Delete one customer's conversations, messages, tickets, notes and attachment files."""
    data = await store.visitor_data(visitor_id)
    file_ids = _attachment_ids(data.messages)
    deleted = await store.delete_visitor(visitor_id)
    files = await _discard(attachments, file_ids)
    return {
        "visitor_id": visitor_id,
        "conversations": deleted,
        "tickets": [t.number for t in data.tickets],
        "messages": len(data.messages),
        "attachments": files,
    }


class RetentionJob:
    """Deletes conversations last active more than ``retention_days`` ago whose tickets are
    all closed, with their tickets, notes and attachment files."""

    def __init__(
        self,
        store: PrivacyStore,
        attachments: AttachmentStore,
        retention_days: float,
        clock: Callable[[], float],
        interval: float = 3600.0,
    ) -> None:
        if retention_days <= 0:
            raise ValueError("retention_days must be positive (0 means keep for ever)")
        self.store = store
        self.attachments = attachments
        self.retention_days = retention_days
        self.clock = clock
        self.interval = interval

    async def _files_of_candidates(self, before: float) -> dict[str, list[str]]:
        """Attachment ids of every conversation the purge may delete, by conversation.

        A conversation that gets a message after this has a fresh ``updated_at``, so the
        purge keeps it: the ids read here cover everything the purge deletes.
        """
        found: dict[str, list[str]] = {}
        # Only conversations with messages are counted; the others hold no files.
        for stat in await self.store.conversation_stats(0.0, before):
            conversation = await self.store.get_conversation(stat.id)
            if conversation is None or conversation.updated_at >= before:
                continue
            ids: list[str] = []
            after = 0
            while True:
                page = await self.store.messages_after(conversation.id, after, _PAGE)
                ids.extend(_attachment_ids(page))
                if len(page) < _PAGE:
                    break
                after = page[-1].seq
            if ids:
                found[conversation.id] = ids
        return found

    async def run_once(self, now: float) -> list[str]:
        """One pass; the ids of the deleted conversations."""
        before = now - self.retention_days * 86400
        files = await self._files_of_candidates(before)
        deleted = await self.store.purge_conversations(before)
        removed = await _discard(
            self.attachments, (f for cid in deleted for f in files.get(cid, ()))
        )
        log.log(
            logging.INFO if deleted else logging.DEBUG,
            "retention: deleted %d conversations and %d attachment files last active before %s",
            len(deleted),
            removed,
            iso_time(before),
        )
        return deleted

    async def loop(self) -> None:
        """Run every ``interval`` seconds until cancelled; a failed pass is logged and retried
        at the next one."""
        while True:
            try:
                await self.run_once(self.clock())
            except ChatbotError as exc:
                log.warning("retention: the store failed: %s", exc.message)
            except Exception:
                log.exception("retention: the pass failed")
            await asyncio.sleep(self.interval)


#: A conversation nobody wrote in (a page view with the widget) is kept this long.
EMPTY_CONVERSATION_SECONDS = 86400.0


async def sweep_empty_conversations(
    store: PrivacyStore, clock: Callable[[], float], interval: float = 3600.0
) -> None:
    """Every page view opens a conversation; those without a single message are deleted a
    day later (they hold no files), whatever the retention setting. Runs until cancelled."""
    while True:
        try:
            deleted = await store.purge_conversations(
                clock() - EMPTY_CONVERSATION_SECONDS, empty_only=True
            )
            if deleted:
                log.info("deleted %d conversations without messages", len(deleted))
        except ChatbotError as exc:
            log.warning("empty conversations: the store failed: %s", exc.message)
        except Exception:
            log.exception("empty conversations: the sweep failed")
        await asyncio.sleep(interval)
