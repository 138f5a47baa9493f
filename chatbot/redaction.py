"""Secrets customers should never send: passwords, card numbers, IBANs.

Replaced by ``[redacted]`` before anything is stored, in all six languages' phrasings
("moja lozinka je ...", "salasanani on ...", "мой пароль ..."). Customers write in lower
case, without punctuation and with typos, and what support needs sits right next to the
secret (the domain, the address, the error, ticket, phone and order numbers), so every
guess is checked: cards by Luhn, IBANs by their mod-97 checksum, passwords by the words in
front of them. No pattern nests unbounded repeats, so long messages cannot backtrack badly.
"""

from __future__ import annotations

import re

__all__ = ["REDACTED", "redact"]

REDACTED = "[redacted]"

# "Password" with the inflections customers use. Norwegian, Finnish and Hungarian glue it
# into compounds ("e-postpassordet", "sähköpostisalasana"). The Finnish ending is bounded
# so "salasananvaihto" (password change) is not a password word; Croatian forms are listed
# because "šifr..." also starts "šifrirano" (encrypted). "pass" counts only before ":".
# Common typos count too: "pasword", "passwrod", "pasordet", "пороль".
_WORD = r"""
    pass?wo?rds? | passwrod | passowrd | passwd | pwd | pw | passcode | pass(?=\s*[:=])
  | \w*pass?ord(?:et|ene|a)?
  | lozink(?:a|e|i|u|om|ama) | [šs]ifr(?:a|e|i|u|om|ama)
  | \w*salasan\w{0,6}
  | п[ао]рол\w*
  | \w*jelsz(?:ó|o|av)\w*
"""
# Words that sit between "password" and the secret: "passordet mitt er", "lozinka mi je".
_OWNER = r"mitt|min|mi|moja|moj|moju|такой"
# Whose password: "for info@kafebar.no", "til webmail", "za mail", "от почты", "для входа";
# or what it became: "changed my password to x", "promijenio lozinku u x".
_FOR = r"for|to|of|til|på|za|od|na|u|от|для|к|на|у"
# What links the password to its value: a colon, a dash ("пароль — x", but not the hyphen
# of "password-reset"), or the verb "is" (or "was") of each language.
_VERB = r"is|was|er|var|je|glasi|on|oli|это|был"
_LINK = rf"\s*[:=] | \s*[–—] | \s+- | \s+(?:{_VERB})\b(?:\s*:)?"
# "my password is now x": a word of time between the verb and the secret.
_NOW = r"now|nå|sada|sad|nyt|теперь|сейчас|most"
# After "is", the first word describing the password rather than being it:
# "password is wrong", "passordet er feil", "lozinka je kriva", "salasana on väärä".
_NOT_A_SECRET = r"""
    not|wrong|incorrect|invalid|correct|right|expired|blocked|locked|broken|too|the|an?
  | same|still|now|no|ok|okay|fine|rejected|changed|reset|empty|missing|case|required
  | accepted|working|also|in|being|very|weak|short|long|saved|stored
  | ikke|feil|riktig|korrekt|ugyldig|utløpt|sperret|låst|endret|byttet|den|det|samme
  | fortsatt|nå|for|godtatt|tomt|også|helt|gammelt|nytt
  | ne|nije|pogrešna|pogresna|kriva|kriv|ispravna|točna|tocna|istekla|blokirana
  | zaključana|zakljucana|promijenjena|ista|isto|prekratka|sada|sad|još|jos|i
  | ei|väärä|vaara|oikea|vanhentunut|lukittu|sama|liian|nyt|vielä|viela|edelleen|rikki
  | vaihdettu|muuttunut|hyväksytty|virheellinen
  | не|неверный|неправильный|верный|правильный|устарел|заблокирован|тот|тоже|сейчас
  | теперь|уже|слишком
  | nem|rossz|hibás|hibas|helyes|jó|jo|lejárt|zárolt|ugyanaz|túl|most|még|is|az|a|egy
"""
# A quoted secret may hold spaces: "passordet er 'kaffe og kake'".
_QUOTED = r"""["'«„“”‘’][^"'«»„“”‘’\n]{1,100}["'»“”‘’]"""
# Sentence punctuation right after a secret stays: "... er Sommer2024." keeps its full stop.
_TOKEN = r"\S*[^\s.,;:)]"
# Without a linking word only what looks like a password is one: letters with a digit or a
# symbol ("qwerty123", "p@ss"), never an address, domain, error code or ticket number
# support needs, nor what the sentence goes on to describe ("password for ftp12 is wrong").
_LOOKS_LIKE_ONE = rf"""
    (?=\S*[^\W\d_])(?=\S*[\d#$%&*+=~^@])
    (?!
        \S*@[\w-]+\.\w | \w+://                     # info@kafebar.no, https://...
      | (?:[\w-]+\.)+[^\W\d_]{{2,}}(?!\w|\.\w)      # kafe24.no
      | [^\W\d_]{{1,4}}-\d+\b | 0x[0-9a-f]+\b         # HS-104233, 0x800CCC0E
    )
    (?=\S{{5}}) (?>{_TOKEN}) (?!\s+(?:{_VERB})\b)
"""
_PASSWORD = re.compile(
    rf"""
    \b(?:{_WORD})\b
    (?:\s+(?:{_OWNER})\b)?
    (?:\s+(?:{_FOR})\b(?:\s+[^\s:=]+){{0,3}}?)?
    (?:\s+(?:{_OWNER})\b)?
    (?:
        (?:{_LINK}) (?:\s+(?:{_NOW})\b)? \s*
        (?P<linked>{_QUOTED} | (?!(?:{_NOT_A_SECRET})(?!\w)|\[redacted\]){_TOKEN})
      | \s+ (?P<bare>{_QUOTED} | {_LOOKS_LIKE_ONE})
        # "salasana sähköpostiin on x": a word or two before the link, then only a likely one
      | (?:\s+[^\s:=]+){{1,2}}? (?:{_LINK}) \s* (?P<later>{_QUOTED} | {_LOOKS_LIKE_ONE})
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# 4-4-4-4 (Visa, Mastercard, also run together up to 19 digits) and 4-6-5 (Amex), each with
# one kind of separator; phone, order and ticket numbers are shorter, and Luhn decides.
_CARD = re.compile(
    r"(?<!\d) (?: \d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7} | \d{4}([ -]?)\d{6}\2\d{4,5} ) (?!\d)",
    re.VERBOSE,
)
# Country, check digits, then up to 30 letters and digits, spaced in fours or not. The
# match may run into the next word ("... 0000 ok"); the checksum finds where it ends.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\ ?[A-Z0-9]){11,30}\b", re.IGNORECASE)


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

    def iban(match: re.Match[str]) -> str:
        nonlocal changed
        found = match.group(0)
        words = found.split(" ")
        for n in range(len(words), 0, -1):
            candidate = " ".join(words[:n])
            if _iban_valid(candidate):
                changed = True
                return REDACTED + found[len(candidate) :]
        return found

    def card(match: re.Match[str]) -> str:
        nonlocal changed
        if _luhn(re.sub(r"\D", "", match.group(0))):
            changed = True
            return REDACTED
        return match.group(0)

    def password(match: re.Match[str]) -> str:
        nonlocal changed
        changed = True
        # The secret is the last group the pattern matches: keep what leads up to it.
        return match.group(0)[: match.start(match.lastgroup or 0) - match.start()] + REDACTED

    text = _IBAN.sub(iban, text)
    text = _CARD.sub(card, text)
    text = _PASSWORD.sub(password, text)
    return text, changed
