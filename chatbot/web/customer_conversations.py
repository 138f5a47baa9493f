"""The customer's earlier conversations and help-centre articles, in the widget.

``conversations`` lists the customer's own conversations (a verified customer's by their
portal identity, on any device; an anonymous visitor's by this browser's visitor), a page
at a time; ``open_conversation`` continues one of them and ``new_conversation`` starts a
fresh one, both by moving the socket's session and sending ``session`` again; ``article``
reads a help-centre article in the customer's language. Nobody lists, opens or reads into
a conversation that is not theirs: another visitor's id is answered like an unknown one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chatbot.errors import NotFound
from chatbot.kb_search import Article
from chatbot.protocol import (
    ok_ack,
    parse_article_request,
    parse_conversation_ref,
    parse_conversations,
)
from chatbot.records import iso_time
from chatbot.settings import LANGUAGES
from chatbot.store import Conversation, ConversationSummary, Ticket
from chatbot.web import keys
from chatbot.web.namespace import Namespace, acked

__all__ = ["MAX_ARTICLE_CHARS", "ConversationEvents", "article_view", "conversation_title"]

#: An article's Markdown sent to the widget is cut at a paragraph before this length (the
#: link to the help centre has it all).
MAX_ARTICLE_CHARS = 20_000
#: A conversation's title in the list: the customer's first words, up to this length.
TITLE_CHARS = 80


def conversation_title(first_message: str) -> str:
    """The customer's first words on one line, cut at a word with an ellipsis."""
    text = " ".join(first_message.split())
    if len(text) <= TITLE_CHARS:
        return text
    cut = text[: TITLE_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def article_view(article: Article) -> dict[str, Any]:
    """The ``article`` ack's article: the Markdown as written (the widget renders it to
    text nodes), bounded."""
    body, truncated = article.body, False
    if len(body) > MAX_ARTICLE_CHARS:
        cut = body[:MAX_ARTICLE_CHARS]
        body, truncated = (cut.rsplit("\n\n", 1)[0] if "\n\n" in cut else cut) + "\n\n…", True
    view: dict[str, Any] = {
        "id": article.id,
        "lang": article.lang,
        "title": article.title,
        "body": body,
        "truncated": truncated,
    }
    if article.url:
        view["url"] = article.url
    return view


class ConversationEvents(Namespace):
    """The customer namespace's events about conversations other than the one on screen,
    and articles. :class:`~chatbot.web.customer.CustomerNamespace` provides the session."""

    async def _session(self, sid: str) -> dict[str, Any]:
        raise NotImplementedError

    async def _spend(self, sid: str, event: str) -> None:
        raise NotImplementedError

    async def _show(
        self, sid: str, session: dict[str, Any], conversation: Conversation, token: str | None
    ) -> None:
        raise NotImplementedError

    async def _own_conversation(self, visitor_id: str, conversation_id: str) -> Conversation:
        """The conversation, if it is the visitor's; :class:`NotFound` for another's
        exactly as for one that does not exist."""
        conversation = await self.app[keys.STORE].get_conversation(conversation_id)
        if conversation is None or conversation.visitor_id != visitor_id:
            raise NotFound("no such conversation")
        return conversation

    def _language(self, session: dict[str, Any], wanted: str | None) -> str:
        return wanted or session.get("language") or self.app[keys.SETTINGS].default_language

    @acked
    async def on_conversations(self, sid: str, data: Any = None) -> dict[str, Any]:
        request = parse_conversations(data, LANGUAGES)
        session = await self._session(sid)
        await self._spend(sid, "browse")
        visitor_id = session["visitor_id"]
        store = self.app[keys.STORE]
        found = await store.conversations_of(visitor_id, request.offset, request.limit + 1)
        tickets: dict[str, Ticket] = {}
        if found:
            for ticket in await store.tickets_for_visitor(visitor_id):  # newest first
                tickets.setdefault(ticket.conversation_id, ticket)
        lang = self._language(session, request.lang)
        rows = [
            self._summary(c, tickets.get(c.id), lang, session["conversation_id"])
            for c in found[: request.limit]
        ]
        return ok_ack(conversations=rows, more=len(found) > request.limit)

    def _summary(
        self, conversation: ConversationSummary, ticket: Ticket | None, lang: str, current: str
    ) -> dict[str, Any]:
        engine = self.app[keys.ENGINE]
        phrases, zone = engine.phrases, engine.hours.timezone
        title = conversation_title(conversation.first_message)
        if not title and ticket is not None:
            title = engine.titles.customer_title(ticket.service, ticket.fields, lang)
        row: dict[str, Any] = {
            "id": conversation.id,
            "title": title,
            "updated_at": iso_time(conversation.updated_at),
            # Written by the server, the language's way, in the company's zone.
            "date": phrases.format_time(
                lang, datetime.fromtimestamp(conversation.updated_at, zone)
            ),
            "current": conversation.id == current,
            "ticket": None,
        }
        if ticket is not None:
            row["ticket"] = {
                "number": ticket.number,
                "status": ticket.status,
                "status_text": phrases.status_name(lang, ticket.status),
            }
        return row

    @acked
    async def on_open_conversation(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Continue one of the customer's conversations: it becomes the one on screen."""
        conversation_id = parse_conversation_ref(data)
        session = await self._session(sid)
        await self._spend(sid, "browse")
        conversation = await self._own_conversation(session["visitor_id"], conversation_id)
        await self._show(sid, session, conversation, None)
        return ok_ack(conversation_id=conversation.id)

    @acked
    async def on_new_conversation(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A fresh conversation, with the welcome; the earlier ones stay in the list."""
        session = await self._session(sid)
        await self._spend(sid, "browse")
        language = self._language(session, None)
        conversation = await self.app[keys.STORE].start_conversation(
            session["visitor_id"], language, self.app[keys.CLOCK]()
        )
        await self._show(sid, session, conversation, None)
        return ok_ack(conversation_id=conversation.id)

    @acked
    async def on_article(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A help-centre article to read inside the widget: in the language asked for (or
        the conversation's), else in English, else in any it is written in."""
        request = parse_article_request(data, LANGUAGES)
        session = await self._session(sid)
        await self._spend(sid, "article")
        kb = self.app[keys.ENGINE].index.kb
        article = kb.translation(request.id, self._language(session, request.lang))
        if article is None:
            raise NotFound("no such article")
        return ok_ack(article=article_view(article))
