"""A turn's ticket actions: open the ticket the engine drafted (its priority after fair
use; parked with a known outage when it is a symptom of one), or touch the one the
customer's message was added to."""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.engine.actions import Action, AttachToTicket, CreateTicket
from chatbot.handoff.fair_use import FairUse
from chatbot.identity import Identity
from chatbot.store import Conversation, NewTicket, Store, StoredMessage, Ticket

__all__ = ["run_ticket_actions"]


async def run_ticket_actions(
    store: Store,
    fair_use: FairUse,
    ticket_prefix: str,
    conversation: Conversation,
    message: StoredMessage,
    identity: Identity | None,
    actions: Sequence[Action],
    now: float,
) -> list[Ticket]:
    """Run the ticket actions; the tickets opened."""
    conversation_id = conversation.id
    created: list[Ticket] = []
    for action in actions:
        if isinstance(action, CreateTicket):
            draft = action.draft
            priority = await fair_use.priority_for(conversation.visitor_id, draft.priority)
            created.append(
                await store.create_ticket(
                    NewTicket(
                        conversation_id=conversation_id,
                        visitor_id=conversation.visitor_id,
                        service=draft.service,
                        title=draft.title,
                        language=draft.language,
                        priority=priority,
                        fields=dict(draft.fields),
                        missing=draft.missing,
                        expected_response=draft.expected_response,
                        created_at=now,
                        source=f"{conversation_id}#{message.seq}",
                        customer=identity.to_dict() if identity else {},
                    ),
                    ticket_prefix,
                )
            )
            if action.incident is not None:
                # A symptom of a known outage: parked with it, not queued.
                await store.update_ticket(created[-1].number, now, status="waiting")
                created[-1] = await store.link_ticket(created[-1].number, action.incident, now)
        elif isinstance(action, AttachToTicket):
            await store.touch_ticket(action.number, now)
    return created
