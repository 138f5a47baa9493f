"""Text folding shared by search, language identification and answer matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["contains_phrase", "fold", "phrase_at", "words"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Letters that NFKD does not decompose but customers type without the stroke.
_EXTRA = str.maketrans({"đ": "d", "ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "ı": "i"})


def fold(text: str) -> str:
    """Lower case without diacritics: ``"Sähköposti ÉS Đak"`` -> ``"sahkoposti es dak"``.

    Customers often type Croatian, Hungarian, Finnish and Norwegian without diacritics,
    so both sides of every comparison are folded the same way. Cyrillic ``й``/``ё`` fold
    to ``и``/``е``, which is how Russian speakers often type them anyway.
    """
    lowered = unicodedata.normalize("NFKC", text).casefold().translate(_EXTRA)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded word tokens of ``text`` (letters and digits; punctuation splits)."""
    return _WORD.findall(fold(text))


def phrase_at(
    tokens: Sequence[str], start: int, phrase: Sequence[str], whole_below: int = 3
) -> bool:
    """Whether ``phrase`` (folded words) starts at ``tokens[start]``, each part as the start
    of a word ("otkaz" matches "otkazati"); parts shorter than ``whole_below`` letters must
    be whole words ("i" is not the start of "innlogging")."""
    if not phrase or start + len(phrase) > len(tokens):
        return False
    return all(
        tokens[start + i] == part if len(part) < whole_below else tokens[start + i].startswith(part)
        for i, part in enumerate(phrase)
    )


def contains_phrase(tokens: Sequence[str], phrase: Sequence[str], whole_below: int = 3) -> bool:
    return any(
        phrase_at(tokens, start, phrase, whole_below)
        for start in range(len(tokens) - len(phrase) + 1)
    )
