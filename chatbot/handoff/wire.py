"""Stored records -> the JSON shapes sent on the wire (see docs/protocol.md)."""

from __future__ import annotations

from typing import Any, Protocol

from chatbot.engine import Reply
from chatbot.records import iso_time
from chatbot.store import StoredMessage, Ticket

__all__ = ["ArticleLike", "article_card", "iso_time", "reply_data", "wire_message", "wire_ticket"]


class ArticleLike(Protocol):
    """A help-centre article as the bot or an agent shows it."""

    @property
    def id(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def url(self) -> str | None: ...


def article_card(article: ArticleLike) -> dict[str, Any]:
    """The card the customer sees for an article, from the bot or an agent."""
    card: dict[str, Any] = {
        "id": article.id,
        "lang": article.lang,
        "title": article.title,
        "summary": article.summary,
    }
    if article.url:
        card["url"] = article.url
    return card


def reply_data(reply: Reply) -> dict[str, Any]:
    """The optional parts of a bot reply, as stored beside its text."""
    data: dict[str, Any] = {"lang": reply.lang}
    if reply.articles:
        data["articles"] = [article_card(a) for a in reply.articles]
    if reply.ask is not None:
        ask: dict[str, Any] = {"field": reply.ask.field, "kind": reply.ask.kind}
        if reply.ask.id:
            ask["id"] = reply.ask.id
        if reply.ask.options:
            ask["options"] = [{"value": o.value, "label": o.label} for o in reply.ask.options]
        data["ask"] = ask
    if reply.feedback is not None:
        # For the reports only: the wire message leaves it out.
        data["feedback"] = reply.feedback
    return data


def wire_message(message: StoredMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "seq": message.seq,
        "id": message.id,
        "from": message.sender,
        "text": message.text,
        "at": iso_time(message.at),
    }
    for key in ("lang", "articles", "ask", "value", "redacted", "event", "attachment"):
        if key in message.data:
            payload[key] = message.data[key]
    agent = message.data.get("agent")
    if isinstance(agent, dict):
        # The customer sees who answers, by first name; never the agent's account.
        payload["agent"] = {"name": agent.get("name")}
    return payload


def wire_ticket(ticket: Ticket) -> dict[str, Any]:
    """The ``ticket`` event: what the customer may see of their ticket."""
    return {
        "number": ticket.number,
        "status": ticket.status,
        "priority": ticket.priority,
        "title": ticket.title,
        "expected_response": ticket.expected_response,
    }
