"""An e-mail address given as an answer: found in a sentence, or seen to be mistyped.

Pure. "sure, it's ana.k@firma.hr thanks" gives ``ana.k@firma.hr``; "ana@firma" and
"ana@@firma.hr" look like an address with a typo, which the bot names once; anything
with no ``@`` at all ("no", "I'd rather not", "ne znam") holds no address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from chatbot.intents.entities import extract_entities

__all__ = ["AddressReading", "Typo", "read_address"]

#: What is wrong with an address that was meant as one.
Typo = Literal["two_at", "no_tld", "no_name", "incomplete"]

# "ana (at) firma.hr", "ana [at] firma.hr", "ana @ firma.hr": written apart, meant as one.
_SPELLED_AT = re.compile(r"\s*[\[(]\s*at\s*[\])]\s*", re.IGNORECASE)
_SPACED_AT = re.compile(r"(?<=[\w.])\s+@\s*(?=\w)|(?<=[\w.])\s*@\s+(?=\w)")
_EDGES = ".,;:!?()[]{}<>\"'«»„“”‘’`*"
_TLD = re.compile(r"\.[^\W\d_]{2,24}$|\.xn--[a-z0-9-]{2,59}$", re.IGNORECASE)
#: Longer than this, a word with an @ is no address someone typed by mistake.
_MAX_TOKEN = 254


@dataclass(frozen=True, slots=True)
class AddressReading:
    """``address`` when one was given; else ``typo`` (and ``written``, what was typed)
    when something was meant as an address but cannot be one; else neither."""

    address: str | None = None
    typo: Typo | None = None
    written: str = ""


def _typo(token: str) -> Typo:
    local, _, domain = token.partition("@")
    if "@" in domain:
        return "two_at"
    if not local:
        return "no_name"
    if not domain:
        return "incomplete"
    if "." not in domain or not _TLD.search(domain):
        return "no_tld"
    return "incomplete"


def read_address(text: str) -> AddressReading:
    """The last address in ``text``, or what is wrong with the one meant as an address."""
    joined = _SPACED_AT.sub("@", _SPELLED_AT.sub("@", text))
    meant = [
        token
        for token in (t.strip(_EDGES) for t in joined.split())
        if "@" in token and len(token) <= _MAX_TOKEN and token.strip("@")
    ]
    found = extract_entities(joined)["email"]
    # "ana@firma.hr@gmail.com" holds a valid-looking tail, but two @ are a typo.
    if found and not any(token.count("@") > 1 and found[-1] in token.lower() for token in meant):
        return AddressReading(address=found[-1])
    if meant:
        return AddressReading(typo=_typo(meant[-1]), written=meant[-1])
    return AddressReading()
