"""Payment card and bank account (IBAN) numbers in a message, found by their shape and
confirmed by their checksum (Luhn, mod 97), so an order or phone number is left alone.
:mod:`chatbot.redaction` replaces what these find."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["cards", "ibans"]

Span = tuple[int, int]


# A card's groups: one kind of separator, though a line may break between any two groups.
_CARD_SEP = r"([ .-]|[ \t]*\r?\n[ \t]*)?"
_CARD = re.compile(
    rf"""(?<!\d)(?<!\d[.-]) \d{{4}} (?:
        {_CARD_SEP}\d{{4}}{_CARD_SEP}\d{{4}}{_CARD_SEP}\d{{1,7}}    # Visa, Mastercard
      | {_CARD_SEP}\d{{6}}{_CARD_SEP}\d{{4,5}}                     # Amex, Diners
    ) (?!\d|[.-]\d)""",
    re.VERBOSE,
)
# Country, check digits, then up to 30 letters and digits, in groups or not. The match may
# run into the next word ("... 0000 ok"); the checksum finds where it ends.
_IBAN = re.compile(
    r"(?<![\w-])[A-Z]{2}\d{2}(?:(?:[ -]|[ \t]*\r?\n[ \t]*)?[A-Z0-9]){11,30}(?!\w)",
    re.IGNORECASE,
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    text = re.sub(r"[^0-9A-Za-z]", "", candidate)
    if not 15 <= len(text) <= 34:
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def cards(text: str) -> Iterator[Span]:
    pos = 0
    while (match := _CARD.search(text, pos)) is not None:
        separators = {s for s in match.groups() if s is not None and "\n" not in s}
        if len(separators) <= 1 and _luhn(re.sub(r"\D", "", match.group(0))):
            yield match.span()
            pos = match.end()
        else:
            # A failed guess may have started a group early ("order 1234 4111 1111 ...").
            pos = match.start() + 1


def ibans(text: str) -> Iterator[Span]:
    pos = 0
    while (match := _IBAN.search(text, pos)) is not None:
        found = match.group(0)
        ends = [len(found)] + [i for i in range(len(found) - 1, 0, -1) if not found[i].isalnum()]
        end = next((e for e in ends if _iban_valid(found[:e])), None)
        if end is None:
            pos = match.start() + 1
        else:
            yield match.start(), match.start() + end
            pos = match.start() + end
