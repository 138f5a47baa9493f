"""One language per conversation, from the widget's locale and what the customer writes.

A message switches the conversation language only when it is long enough to be sure:
"ok", "hei" (Norwegian and Finnish), "bok" or "moi" never flip it.
"""

from __future__ import annotations

from collections.abc import Mapping

from chatbot.engine.state import ConversationState
from chatbot.text_normalise import words

__all__ = ["choose_language"]

_SWITCH_MIN_WORDS = 3
_SWITCH_MIN_PROB = 0.8
_FIRST_MIN_PROB = 0.6
_ANSWER_SWITCH_MIN_WORDS = 5
_ANSWER_SWITCH_MIN_PROB = 0.9


def choose_language(
    state: ConversationState,
    text: str,
    probabilities: Mapping[str, float],
    lexicon_languages: set[str],
    *,
    answering: bool = False,
) -> ConversationState:
    """The state with the conversation language updated for one customer message.

    ``lexicon_languages`` are the languages in which the whole message is a known short
    expression (a greeting, "yes", "thanks"): they settle an unknown language when
    they agree on one, and never override a known one. ``answering``: the message
    answers the bot's question; answers are short and technical ("Outlook Windows
    10:llä"), so only a real sentence in another language switches.
    """
    if not probabilities:
        return state
    count = len(words(text))
    best = max(probabilities, key=probabilities.__getitem__)
    prob = probabilities[best]
    if lexicon_languages:
        if state.language_source == "default" and len(lexicon_languages) == 1:
            (only,) = lexicon_languages
            return state.evolve(language=only, language_source="detected")
        return state
    if state.language_source == "default":
        if (count >= 2 and prob >= _FIRST_MIN_PROB) or prob >= 0.95:
            return state.evolve(language=best, language_source="detected")
        return state
    if best == state.language:
        return state if count < 2 else state.evolve(language_source="detected")
    needed_words = _ANSWER_SWITCH_MIN_WORDS if answering else _SWITCH_MIN_WORDS
    needed_prob = _ANSWER_SWITCH_MIN_PROB if answering else _SWITCH_MIN_PROB
    if count >= needed_words and prob >= needed_prob:
        return state.evolve(language=best, language_source="detected")
    return state
