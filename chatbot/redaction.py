"""Secrets customers should never send: passwords, card numbers, IBANs.

Replaced by ``[redacted]`` before anything is stored, in all six languages' phrasings
("moja lozinka je ...", "salasanani on ...", "мой пароль ...").
"""

from __future__ import annotations

import re

__all__ = ["REDACTED", "redact"]

REDACTED = "[redacted]"

_PASSWORD_WORDS = (
    r"password|passwd|pass|pwd|passord|passordet|lozinka|lozinku|lozinke|šifra|sifra|šifru|"
    r"sifru|salasana|salasanani|salasanan|salasanaksi|пароль|пароля|паролем|jelszó|jelszo|"
    r"jelszavam|jelszót|jelszot|jelszavamat|kode|koden"
)
_OPEN = "[\"'«„“]?"
# "password is X", "lozinka je X", "salasanani on X", "пароль: X": any secret after a link.
_LINKED = re.compile(
    rf"(?i)\b(?:{_PASSWORD_WORDS})\b(?:\s+(?:mitt|min|moja|moj|minun|мой|nekem))*"
    rf"\s*(?:[:=]|-|—|\b(?:is|er|je|on|это|ist|:)\b)\s*{_OPEN}(\S{{3,}})"
)
# "мой пароль qwerty123", "a jelszavam Alma1234": without a link, only what looks like one.
_BARE = re.compile(rf"(?i)\b(?:{_PASSWORD_WORDS})\b\s+{_OPEN}((?=\S*[\d!@#$%^&*?])\S{{4,}})")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    text = candidate.replace(" ", "")
    if not 15 <= len(text) <= 34:
        return False
    moved = text[4:] + text[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def redact(text: str) -> tuple[str, bool]:
    """``text`` with secrets replaced, and whether anything was replaced."""
    changed = False

    def password(match: re.Match[str]) -> str:
        nonlocal changed
        if match.group(1) == REDACTED:
            return match.group(0)
        changed = True
        return match.group(0)[: match.start(1) - match.start(0)] + REDACTED

    def card(match: re.Match[str]) -> str:
        nonlocal changed
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            changed = True
            return REDACTED
        return match.group(0)

    def iban(match: re.Match[str]) -> str:
        nonlocal changed
        if _iban_valid(match.group(1)):
            changed = True
            return REDACTED
        return match.group(0)

    text = _LINKED.sub(password, text)
    text = _BARE.sub(password, text)
    text = _CARD.sub(card, text)
    text = _IBAN.sub(iban, text)
    return text, changed
