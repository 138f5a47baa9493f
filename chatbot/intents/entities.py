"""Facts a customer states: domains, addresses, IPs, URLs, error codes, ticket numbers.

Pure functions over text. Domains inside e-mail addresses and URLs count as domains.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["ENTITY_KINDS", "extract_entities", "without_entities"]

ENTITY_KINDS = ("domain", "email", "ip", "url", "error_code", "ticket", "time", "server")

_CH = r"a-z0-9\u00c0-\u024f\u0400-\u04ff"  # letters of internationalised domain names
_LABEL = rf"[{_CH}](?:[{_CH}-]{{0,61}}[{_CH}])?"
_TLD = r"(?:[a-z]{2,24}|xn--[a-z0-9-]{2,59}|рф)"
_DOMAIN = rf"(?:{_LABEL}\.)+{_TLD}"
_EMAIL_RE = re.compile(rf"(?<![\w.+-])([a-z0-9._%+-]{{1,64}}@{_DOMAIN})(?![\w-])", re.IGNORECASE)
_URL_RE = re.compile(r"\b((?:https?://|www\.)[^\s<>\"'`]+)", re.IGNORECASE)
# "kafebar.no-domenet", "kahvila.fi-verkkotunnuksen": a case ending or compound after a
# hyphen ends the domain; "foo.com-bar.net" is one longer name.
_DOMAIN_RE = re.compile(
    rf"(?<![\w@.-])({_DOMAIN})(?!\w|-(?![^\W\d_]+(?![\w.-]))|\.[a-z0-9])", re.IGNORECASE
)
_IPV4_RE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]*\d)")
_IPV6_RE = re.compile(r"(?<![\w:])([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])", re.IGNORECASE)
_CODE_RE = re.compile(r"(?<![\d.,])([245]\d\d)(?:[ -]+([245]\.\d{1,3}\.\d{1,3}))?(?![\d.,]*\d)")
_ENHANCED_RE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
# Words near a number that make it an error code rather than a count or a price.
_CODE_CONTEXT = re.compile(
    r"error|code|smtp|http|status|fail|denied|forbidden|internal|server|relay|reject|bounce|"
    r"gre[sš]k|kod|virhe|koodi|ошибк|код|hib[aá]|kód|feil|"
    r"not found|unavailable|gateway|login incorrect|mailbox",
    re.IGNORECASE,
)
# Browser, TLS and mail client codes: NET::ERR_CERT_DATE_INVALID, DNS_PROBE_FINISHED_NXDOMAIN,
# SSL_ERROR_NO_CYPHER_OVERLAP, Outlook's 0x800CCC0E; and WordPress's one sentence.
_SYMBOLIC_RE = re.compile(
    r"\b((?:NET::)?(?:ERR|DNS_PROBE|SSL_ERROR|SEC_ERROR|PR)_[A-Z0-9_]{3,}|0x[0-9A-F]{8})\b"
    r"|(error establishing a database connection)",
    re.IGNORECASE,
)
# "The server is called web-prod-02", "nimi on tuotanto-web-01", "называется db-msk-03":
# a name after words that introduce one, with a digit or a hyphen in it (not a word).
_SERVER_RE = re.compile(
    r"(?:called|named|name is|name's|hostname|heter|navnet er|navn|zove se|naziv|ime mu je|"
    r"nimi on|nimeltään|nimelta|называется|под названием|имя|neve|nevű|nevu)"
    r"\s*:?\s*[\"'«„]?([a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+|[a-z]+\d+[a-z0-9-]*)",
    re.IGNORECASE,
)
# File names look like domains: "index.php" is not a website.
_FILE_ENDINGS = {
    "php", "html", "htm", "js", "css", "txt", "log", "jpg", "jpeg", "png", "gif", "pdf",
    "zip", "gz", "sql", "exe", "json", "xml", "yml", "yaml", "md", "ini", "conf", "py",
    "htaccess", "doc", "docx", "xls", "xlsx", "csv", "tar", "bak", "sh", "svg", "webp",
}  # fmt: skip
_TRAILING = ".,;:!?)]}'\""


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _domain_of_url(url: str) -> str | None:
    host = re.sub(r"^(?:https?://)", "", url, flags=re.IGNORECASE).split("/")[0].split("?")[0]
    host = host.split("@")[-1].split(":")[0].lower()
    return host if re.fullmatch(_DOMAIN, host, re.IGNORECASE) else None


def _is_domain(candidate: str) -> bool:
    tld = candidate.rsplit(".", 1)[-1].lower()
    return tld not in _FILE_ENDINGS and not candidate.replace(".", "").isdigit()


def _error_codes(text: str) -> list[str]:
    found: list[str] = []
    for match in _CODE_RE.finditer(text):
        window = text[max(0, match.start() - 30) : match.end() + 30]
        if match.group(2) or _CODE_CONTEXT.search(window):
            found.append(match.group(1))
            if match.group(2):
                found.append(match.group(2))
    found.extend(m.group(1) for m in _ENHANCED_RE.finditer(text))
    found.extend(m.group(1) or m.group(2) for m in _SYMBOLIC_RE.finditer(text))
    return _unique(found)


def _ips(text: str) -> list[str]:
    found: list[str] = []
    for pattern in (_IPV4_RE, _IPV6_RE):
        for match in pattern.finditer(text):
            try:
                found.append(str(ipaddress.ip_address(match.group(1))))
            except ValueError:
                continue
    return _unique(found)


def extract_entities(text: str, ticket_prefix: str = "HS") -> dict[str, list[str]]:
    """Every entity kind -> the values found, in order of appearance, without repeats."""
    urls = [u.rstrip(_TRAILING) for u in _URL_RE.findall(text)]
    emails = [e.lower() for e in _EMAIL_RE.findall(text)]
    domains: list[str] = []
    for url in urls:
        if (host := _domain_of_url(url)) is not None:
            domains.append(host.removeprefix("www."))
    domains.extend(e.split("@", 1)[1] for e in emails)
    masked = _URL_RE.sub(" ", _EMAIL_RE.sub(" ", text))
    domains.extend(d.lower() for d in _DOMAIN_RE.findall(masked) if _is_domain(d))
    prefix = re.escape(ticket_prefix)
    tickets = [
        f"{ticket_prefix.upper()}-{n}"
        for n in re.findall(rf"(?<![\w-]){prefix}[- #]?(\d{{4,8}})\b", text, re.IGNORECASE)
    ]
    return {
        "domain": _unique(domains),
        "email": _unique(emails),
        "ip": _ips(text),
        "url": _unique(urls),
        "error_code": _error_codes(text),
        "ticket": _unique(tickets),
        "time": [],
        "server": _unique(
            [
                m.group(1)
                for m in _SERVER_RE.finditer(masked)
                if not _IPV4_RE.fullmatch(m.group(1)) and m.group(1).lower() not in domains
            ]
        ),
    }


def without_entities(text: str) -> str:
    """``text`` with URLs, e-mail addresses and domains removed.

    Names such as ``cvjećarna.hr`` say nothing about the language the customer writes.
    """
    masked = _URL_RE.sub(" ", _EMAIL_RE.sub(" ", text))
    return " ".join(_DOMAIN_RE.sub(" ", masked).split())
