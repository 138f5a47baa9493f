"""A free-text ticket field's value read out of a customer's answer, by the field's type."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from chatbot.intents.entities import extract_entities
from chatbot.tickets.forms import Field

__all__ = ["parse_answer"]


_ACCOUNT_NUMBER = re.compile(r"(?<![\w.-])\d{4,12}(?![\w.-])")
_URL = re.compile(r"^(https?://)?[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)


Found = Mapping[str, list[str]]


def _domain(text: str, found: Found) -> str | None:
    if found["domain"]:
        return found["domain"][-1]
    # "it's info@kafebar.no": the address names the domain.
    emails = found["email"]
    return emails[-1].rsplit("@", 1)[1] if emails else None


def _email(text: str, found: Found) -> str | None:
    return found["email"][-1] if found["email"] else None


def _ip(text: str, found: Found) -> str | None:
    # "the IP is 91.120.23.145, sorry, 91.120.23.154": the last one said.
    said: list[str] = []
    for token in re.split(r"[\s,;]+", text):
        try:
            said.append(str(ipaddress.ip_address(token.strip("[]()."))))
        except ValueError:
            continue
    if said:
        return said[-1]
    return found["ip"][-1] if found["ip"] else None


def _url(text: str, found: Found) -> str | None:
    if found["url"]:
        return found["url"][0]
    if found["domain"]:
        # "shop.no/booking, the front page works": the page, with its path.
        domain = found["domain"][0]
        page = re.search(re.escape(domain) + r"(/[^\s,;]*[^\s,;.!?)])", text, re.IGNORECASE)
        return domain + page.group(1) if page else domain
    return text if _URL.match(text) else None


def _account(text: str, found: Found) -> str | None:
    # "Our customer number is 20471835, it's on the invoice": the number, or the login.
    numbers: list[str] = _ACCOUNT_NUMBER.findall(text)
    if numbers:
        return numbers[-1]
    return found["email"][-1] if found["email"] else text


#: How each kind of field reads its value out of the text and the entities found in it.
_READERS: dict[str, Callable[[str, Found], str | None]] = {
    "domain": _domain,
    "email": _email,
    "ip": _ip,
    "url": _url,
    "account": _account,
}


def parse_answer(field: Field, text: str, entities: Mapping[str, list[str]]) -> str | None:
    """A free-text field's value from an answer, or ``None`` when the answer does not fit
    the field's type. ``entities`` are what was read out of ``text`` (``time`` already
    resolved against the clock)."""
    text = text.strip()
    if not text:
        return None
    if field.validate == "time":
        times = entities.get("time") or []
        return times[0] if times else None
    reader = _READERS.get(field.validate)
    return reader(text, extract_entities(text)) if reader is not None else text
