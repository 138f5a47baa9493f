"""The bot's "many customers are writing, I answer in a moment" while a turn waits for an
engine slot (:mod:`chatbot.handoff.engine_slots`): stored, so the agent's transcript
shows it too, once per wait."""

from __future__ import annotations

import logging

from chatbot.engine import ConversationState, EngineContext
from chatbot.errors import ChatbotError
from chatbot.handoff.broadcast import Broadcaster
from chatbot.store import Conversation, NewMessage, Store

__all__ = ["say_busy"]

log = logging.getLogger(__name__)


async def say_busy(
    store: Store,
    engine: EngineContext,
    broadcaster: Broadcaster,
    now: float,
    conversation: Conversation,
    locale: str | None,
) -> None:
    """Store and send the busy notice in the conversation's language (the widget's locale
    while the conversation has none of its own yet); a store error is logged, never
    raised: the turn goes on without it."""
    conversation_id = conversation.id
    try:
        state = ConversationState.from_dict(conversation.state)
        lang = state.language
        if state.language_source == "default" and locale in engine.supported_languages:
            lang = locale
        busy = NewMessage(
            id=f"#wait{conversation.last_seq}",
            sender="bot",
            text=engine.phrases.say(lang, "busy"),
            at=now,
            data={"lang": lang},
        )
        stored = await store.append_messages(conversation_id, [busy])
        fresh = [m for m, was_created in stored if was_created]
        if fresh:
            await broadcaster.messages(conversation_id, fresh)
    except ChatbotError as exc:
        log.warning("busy notice for %s not sent: %s", conversation_id, exc.message)
