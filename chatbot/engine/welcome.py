"""The widget's welcome: who we are, what the bot helps with, and when people answer."""

from __future__ import annotations

from datetime import datetime

from chatbot.engine.context import EngineContext

__all__ = ["welcome"]


def welcome(ctx: EngineContext, lang: str, at: float) -> dict[str, str]:
    """``title``, ``text`` and ``hours`` in ``lang``, for a customer arriving at ``at``.

    ``hours`` says until when the support team is in today, or, outside the support
    hours, by when a message left now is answered; times are in the company's zone,
    written the language's way.
    """
    phrases, hours = ctx.phrases, ctx.hours
    company = ctx.company_name
    now = datetime.fromtimestamp(at, hours.timezone)
    today = hours.opening(now.date(), priority=False)
    if today is not None and today[0] <= now.time() < today[1]:
        until = datetime.combine(now.date(), today[1], hours.timezone)
        line = phrases.say(lang, "welcome_open", until=phrases.format_clock(lang, until))
    else:
        expected = hours.expected_response(now, priority=False)
        line = phrases.say(lang, "welcome_closed", expected=phrases.format_time(lang, expected))
    return {
        "title": phrases.say(lang, "welcome_title", company=company),
        "text": phrases.say(lang, "welcome", company=company),
        "hours": line,
    }
