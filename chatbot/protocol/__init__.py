"""Payloads of the customer protocol (v1): parsing what clients send, shaping acks.

Everything a client sends passes through one of the ``parse_*`` functions, which return a
typed object or raise :class:`~chatbot.errors.InvalidPayload` with a stable code. See
``docs/protocol.md`` for the wire format.

The payloads live by side: :mod:`chatbot.protocol.customer` (namespace ``/``),
:mod:`chatbot.protocol.agent` (namespace ``/agent`` and the REST API) and
:mod:`chatbot.protocol.common` (ids, text cleaning, acks, attachments); this package
re-exports them.
"""

from __future__ import annotations

from chatbot.protocol.agent import (
    PRESENCE_STATUSES,
    AgentText,
    IncidentRequest,
    TicketChange,
    parse_agent_history,
    parse_agent_text,
    parse_agent_typing,
    parse_close,
    parse_incident,
    parse_incident_messages,
    parse_presence,
    parse_search,
    parse_ticket_change,
    parse_ticket_ref,
    parse_transfer,
    parse_view,
)
from chatbot.protocol.common import (
    CLIENT_ID,
    PROTOCOL_VERSION,
    Upload,
    error_ack,
    ok_ack,
    parse_upload,
)
from chatbot.protocol.customer import (
    ArticleRequest,
    ConnectAuth,
    ConversationsRequest,
    HistoryRequest,
    InboundMessage,
    Rating,
    normalise_locale,
    parse_article_request,
    parse_auth,
    parse_conversation_ref,
    parse_conversations,
    parse_history,
    parse_message,
    parse_rating,
    parse_typing,
)

__all__ = [
    "CLIENT_ID",
    "PRESENCE_STATUSES",
    "PROTOCOL_VERSION",
    "AgentText",
    "ArticleRequest",
    "ConnectAuth",
    "ConversationsRequest",
    "HistoryRequest",
    "InboundMessage",
    "IncidentRequest",
    "Rating",
    "TicketChange",
    "Upload",
    "error_ack",
    "normalise_locale",
    "ok_ack",
    "parse_agent_history",
    "parse_agent_text",
    "parse_agent_typing",
    "parse_article_request",
    "parse_auth",
    "parse_close",
    "parse_conversation_ref",
    "parse_conversations",
    "parse_history",
    "parse_incident",
    "parse_incident_messages",
    "parse_message",
    "parse_presence",
    "parse_rating",
    "parse_search",
    "parse_ticket_change",
    "parse_ticket_ref",
    "parse_transfer",
    "parse_typing",
    "parse_upload",
    "parse_view",
]
