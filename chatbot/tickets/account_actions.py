"""Requests only the account owner may make (``data/account_actions.yml``).

Changing the owner, cancelling, billing details, control-panel password or two-factor
resets: an anonymous visitor, or a contact who is not the owner, gets general information
and is told how the owner can authorise it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from chatbot.text_normalise import words

__all__ = ["AccountAction", "AccountActions"]


@dataclass(frozen=True, slots=True)
class AccountAction:
    name: str
    #: The help-centre article that explains how the owner does it.
    article: str | None


#: Parts shorter than this must be whole words (see ``contains_phrase``).
_WHOLE_BELOW = 4


def _pattern(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    """All of one action's phrases as one expression over the space-joined folded words:
    the same matches as ``contains_phrase`` for each phrase, in one scan per message
    instead of one per phrase and position."""

    def part(text: str) -> str:
        return re.escape(text) + ("(?= |$)" if len(text) < _WHOLE_BELOW else "[^ ]*")

    alternatives = [" ".join(part(p) for p in phrase) for phrase in phrases if phrase]
    return re.compile(r"(?<![^ ])(?:" + ("|".join(alternatives) or r"(?!x)x") + ")")


class AccountActions:
    def __init__(self, actions: dict[str, tuple[str | None, tuple[tuple[str, ...], ...]]]) -> None:
        self._actions = actions
        self._patterns = {name: _pattern(phrases) for name, (_, phrases) in actions.items()}

    @classmethod
    def load(cls, path: Path) -> AccountActions:
        if not path.is_file():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        actions = {}
        for name, spec in (data.get("actions") or {}).items():
            phrases = tuple(
                tuple(words(str(entry)))
                for entries in (spec.get("words") or {}).values()
                for entry in entries or []
                if words(str(entry))
            )
            actions[str(name)] = (spec.get("article"), phrases)
        return cls(actions)

    def match(self, text: str) -> AccountAction | None:
        """The account-critical action ``text`` asks for, in any of the languages."""
        joined = " ".join(words(text))
        for name, (article, _) in self._actions.items():
            if self._patterns[name].search(joined):
                return AccountAction(name, article)
        return None
