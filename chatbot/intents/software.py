"""Mail clients and operating systems a customer mentions, under their canonical names."""

from __future__ import annotations

import re

__all__ = ["mail_clients", "operating_systems", "without_technical_words"]

_CLIENTS = (
    ("Outlook", r"outlook|ms\s*mail"),
    ("Thunderbird", r"thunder\s*bird|thunderbirdi?\w*|тандерб\w*"),
    ("Apple Mail", r"apple\s*mail|mail\.app|mac\s*mail"),
    ("iOS Mail", r"iphone\w*|ipad\w*|ios\s*mail|айфон\w*"),
    ("Gmail", r"gmail\w*|g-mail"),
    ("Android", r"android\w*|андроид\w*|samsung\s*e-?mail"),
    ("Webmail", r"webmail\w*|web-mail|roundcube|вебмейл\w*|веб-почт\w*"),
    ("Windows Mail", r"windows\s*mail"),
)
_SYSTEMS = (
    ("Windows", r"windows|win\s*1[01]|виндовс\w*"),
    ("macOS", r"mac\s*os|macos|macbook|imac|\bmac\b|мак\b|макбук\w*"),
    ("Linux", r"linux|ubuntu|debian|fedora|линукс\w*"),
    # The device tells the agent more than the system's name.
    ("iPhone (iOS)", r"iphone\w*|айфон\w*"),
    ("iPad (iOS)", r"ipad\w*|айпад\w*"),
    ("iOS", r"\bios\b"),
    ("Android", r"android\w*|андроид\w*"),
)


def _find(text: str, table: tuple[tuple[str, str], ...]) -> list[str]:
    hits = []
    for name, pattern in table:
        match = re.search(rf"(?<!\w)(?:{pattern})", text, re.IGNORECASE)
        if match:
            hits.append((match.start(), name))
    return [name for _, name in sorted(hits)]


def mail_clients(text: str) -> list[str]:
    return _find(text, _CLIENTS)


def operating_systems(text: str) -> list[str]:
    return _find(text, _SYSTEMS)


_TECHNICAL = re.compile(
    "|".join(rf"(?<!\w)(?:{pattern})" for _, pattern in _CLIENTS + _SYSTEMS), re.IGNORECASE
)
#: Tokens with digits or code-like punctuation: "10:llä", "0x800ccc0e", "/var/www", "5.7.1".
_CODE_LIKE = re.compile(r"\S*[\d/\\_@#<>=]\S*")


def without_technical_words(text: str) -> str:
    """``text`` without product names, error codes and paths: "Outlook Windows 10:llä"
    says nothing about the language the customer writes in."""
    return " ".join(_CODE_LIKE.sub(" ", _TECHNICAL.sub(" ", text)).split())
