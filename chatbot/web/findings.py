"""A ticket's one-line diagnosis (``fields.diagnosis``) as sentences an agent reads.

The line is written by :mod:`chatbot.web.diagnosis` as ``domain (service): code k=v k=v;
code ...``; its values may hold spaces and commas (``mail_hosts=mx1.x, mx2.x``), so each
finding is split by the parameter names that :data:`~chatbot.diagnostics.FINDINGS` gives
its code. The sentences are the bot's own phrases (``diag_<code>`` in ``data/phrases``),
in the agent's language.
"""

from __future__ import annotations

import re
from typing import Any

from chatbot.diagnostics import FINDINGS
from chatbot.phrases import Phrasebook

__all__ = ["readable_diagnosis"]

_HEAD = re.compile(r"^(?P<domain>[^\s()]+) \((?P<service>[^)]*)\): (?P<rest>.*)$", re.S)


def _finding(part: str, domain: str) -> tuple[str, dict[str, str]] | None:
    code, _, rest = part.strip().partition(" ")
    names = FINDINGS.get(code)
    if names is None:
        return None
    params = {"domain": domain}
    wanted = [n for n in names if n != "domain"]
    if wanted:
        pattern = r"(?:^|\s)(" + "|".join(re.escape(n) for n in wanted) + r")="
        pieces = re.split(pattern, rest)
        # ["", name, value, name, value, ...]
        for name, value in zip(pieces[1::2], pieces[2::2], strict=True):
            params[name] = value.strip()
    return code, params


def readable_diagnosis(line: object, phrases: Phrasebook, lang: str) -> dict[str, Any] | None:
    """``{"domain", "service", "findings": [{"code", "ok", "text"}]}``, or ``None`` when the
    value is not such a line (an agent may have edited it)."""
    if not isinstance(line, str):
        return None
    head = _HEAD.match(line.strip())
    if head is None:
        return None
    domain = head["domain"]
    findings = []
    for part in head["rest"].split("; "):
        found = _finding(part, domain)
        if found is None:
            continue
        code, params = found
        findings.append(
            {
                "code": code,
                "ok": code.endswith("_ok"),
                "text": phrases.say(lang, f"diag_{code}", **params),
            }
        )
    return {"domain": domain, "service": head["service"], "findings": findings}
