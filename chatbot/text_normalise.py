"""Text folding shared by search, language identification and answer matching."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "words"]

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
