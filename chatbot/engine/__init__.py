"""The pure conversation engine: state and a message in, replies and new state out."""

from chatbot.engine.context import EngineContext
from chatbot.engine.messages import ArticleRef, Ask, Inbound, Option, Reply
from chatbot.engine.state import ConversationState
from chatbot.engine.turn import Turn, Understanding, turn

__all__ = [
    "ArticleRef",
    "Ask",
    "ConversationState",
    "EngineContext",
    "Inbound",
    "Option",
    "Reply",
    "Turn",
    "Understanding",
    "turn",
]
