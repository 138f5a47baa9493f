"""Requests only the account owner may make (``data/account_actions.yml``).

Changing the owner, cancelling, billing details, control-panel password or two-factor
resets: an anonymous visitor, or a contact who is not the owner, gets general information
and is told how the owner can authorise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from chatbot.text_normalise import contains_phrase, words

__all__ = ["AccountAction", "AccountActions"]


@dataclass(frozen=True, slots=True)
class AccountAction:
    name: str
    #: The help-centre article that explains how the owner does it.
    article: str | None


class AccountActions:
    def __init__(self, actions: dict[str, tuple[str | None, tuple[tuple[str, ...], ...]]]) -> None:
        self._actions = actions

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
        tokens = words(text)
        for name, (article, phrases) in self._actions.items():
            if any(contains_phrase(tokens, phrase, whole_below=4) for phrase in phrases):
                return AccountAction(name, article)
        return None
