"""A whole conversation with the engine alone, no server: for tests and benchmarks.

    chat = Conversation(engine, now=datetime(2026, 12, 2, 10, 30, tzinfo=oslo), locale="fi")
    replies = chat.say("sähköposti ei lähde")
    chat.say("Kyllä", value="yes")
    chat.tickets[-1].fields

It plays the runner's part the simple way: the state is kept between messages, tickets
get numbers (and ``{ticket}`` in the replies is filled in), a domain check the engine
asks for is answered with ``diagnose`` (by default: the check could not run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chatbot.engine.actions import AttachToTicket, CreateTicket, Diagnose
from chatbot.engine.context import EngineContext
from chatbot.engine.messages import Ask, DiagnosisNote, Inbound, Reply
from chatbot.engine.state import ConversationState
from chatbot.engine.turn import Turn, turn
from chatbot.identity import Identity
from chatbot.tickets.drafts import TicketDraft, TicketSummary

__all__ = ["Conversation", "NumberedTicket"]


@dataclass(frozen=True, slots=True)
class NumberedTicket:
    number: str
    draft: TicketDraft
    status: str = "open"


class Conversation:
    def __init__(
        self,
        engine: EngineContext,
        now: datetime,
        *,
        locale: str | None = None,
        identity: Identity | None = None,
        diagnose: Callable[[Diagnose], DiagnosisNote] | None = None,
        prefix: str = "HS",
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.engine = engine
        self.now = now
        self.locale = locale
        self.identity = identity
        self.diagnose = diagnose or (lambda action: DiagnosisNote(domain=action.domain))
        self.prefix = prefix
        self.state = ConversationState()
        self.tickets: list[NumberedTicket] = []
        self.attached: list[str] = []
        self.turns: list[Turn] = []
        self.transcript: list[tuple[str, str]] = []
        self._seq = 0

    @property
    def last_ask(self) -> Ask | None:
        """The question the bot waits an answer to, if its last reply asked one."""
        for turn_ in reversed(self.turns):
            for reply in reversed(turn_.replies):
                if reply.ask is not None:
                    return reply.ask
            if turn_.replies:
                return None
        return None

    def say(
        self,
        text: str = "",
        value: str | None = None,
        *,
        ask_id: str | None = None,
        after: timedelta = timedelta(seconds=20),
    ) -> list[Reply]:
        """The customer writes (or presses a button); the bot's replies come back."""
        self._seq += 1
        self.now += after
        self.transcript.append(("customer", text or value or ""))
        inbound = Inbound(
            text=text,
            value=value,
            ask_id=ask_id,
            seq=self._seq,
            locale=self.locale,
            at=self.now,
            identity=self.identity,
            tickets=tuple(
                TicketSummary(
                    t.number, t.status, t.draft.title, t.draft.service, dict(t.draft.fields)
                )
                for t in reversed(self.tickets)
            ),
        )
        result = turn(self.state, inbound, self.engine)
        replies = self._apply(result)
        for action in result.actions:
            if isinstance(action, Diagnose):
                note = self.diagnose(action)
                follow = turn(
                    self.state, replace(inbound, text="", value=None, diagnosis=note), self.engine
                )
                replies += self._apply(follow)
        return replies

    def _apply(self, result: Turn) -> list[Reply]:
        self.turns.append(result)
        self.state = result.state
        number = ""
        for action in result.actions:
            if isinstance(action, CreateTicket):
                number = f"{self.prefix}-{104233 + len(self.tickets)}"
                self.tickets.append(NumberedTicket(number, action.draft))
            elif isinstance(action, AttachToTicket):
                self.attached.append(action.number)
        replies = [
            replace(r, text=r.text.replace("{ticket}", number)) if number else r
            for r in result.replies
        ]
        self.transcript.extend(("bot", r.text) for r in replies)
        return replies
