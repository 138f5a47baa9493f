"""Ticket forms as data (``data/ticket_forms.yml``): fields, options, steps.

Pure: what a field is and which fields the facts already given fill. Reading a field's
value out of an answer is ``chatbot.intents.field_values``; the conversation around it
lives in ``chatbot.engine.form_flow``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from chatbot.identity import Identity
from chatbot.text_normalise import words

__all__ = ["Field", "FormStep", "Sense", "TicketForms", "prefill"]

FieldKind = Literal["text", "choice", "yes_no"]
Validation = Literal["domain", "email", "ip", "url", "time", "account", "any"]
Sense = Literal["works", "agree", "offer"]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    labels: Mapping[str, str]
    #: lang -> folded word-start phrases customers type for this option
    words: Mapping[str, tuple[tuple[str, ...], ...]]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldKind
    validate: Validation
    question: Mapping[str, str]
    hint: Mapping[str, str]
    label: Mapping[str, str]
    options: tuple[Option, ...] = ()
    #: How a yes/no question reads "it works": ``works`` ("does it work in webmail?")
    #: or ``agree`` ("may we change settings?").
    sense: Sense = "agree"

    def text(self, part: Mapping[str, str], lang: str) -> str:
        return part.get(lang) or part.get("en") or self.name


@dataclass(frozen=True, slots=True)
class FormStep:
    field: str
    required: bool = True
    first: bool = False
    #: answer value -> phrase key said after that answer
    notice: Mapping[str, str] | None = None


def _texts(raw: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (raw or {}).items()}


class TicketForms:
    def __init__(
        self, fields: Mapping[str, Field], forms: Mapping[str, tuple[FormStep, ...]]
    ) -> None:
        self.fields = dict(fields)
        self.forms = dict(forms)
        for service, steps in self.forms.items():
            for step in steps:
                if step.field not in self.fields:
                    raise ValueError(f"form {service!r} uses unknown field {step.field!r}")
        if "general" not in self.forms:
            raise ValueError("ticket_forms.yml needs a 'general' form")

    @classmethod
    def load(cls, path: Path) -> TicketForms:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        fields: dict[str, Field] = {}
        for name, raw in (data.get("fields") or {}).items():
            options = tuple(
                Option(
                    value=str(value),
                    labels=_texts(spec.get("label")),
                    words={
                        str(lang): tuple(tuple(words(str(w))) for w in items or [])
                        for lang, items in (spec.get("words") or {}).items()
                    },
                )
                for value, spec in (raw.get("options") or {}).items()
            )
            fields[str(name)] = Field(
                name=str(name),
                kind=raw.get("kind", "text"),
                validate=raw.get("validate", "any"),
                question=_texts(raw.get("question")),
                hint=_texts(raw.get("hint")),
                label=_texts(raw.get("label")),
                options=options,
                sense=raw.get("sense", "agree"),
            )
        forms = {
            str(service): tuple(
                FormStep(
                    field=str(step["field"]),
                    required=bool(step.get("required", True)),
                    first=bool(step.get("first", False)),
                    notice={str(k): str(v) for k, v in (step.get("notice") or {}).items()} or None,
                )
                for step in steps or []
            )
            for service, steps in (data.get("forms") or {}).items()
        }
        return cls(fields, forms)

    def form(self, service: str | None) -> tuple[FormStep, ...]:
        return self.forms.get(service or "general") or self.forms["general"]

    def step(self, service: str | None, field: str) -> FormStep | None:
        return next((s for s in self.form(service) if s.field == field), None)


def prefill(
    facts: Mapping[str, list[str]], fields: Mapping[str, Field], identity: Identity | None = None
) -> dict[str, str]:
    """Field values the facts already given answer (entity kind -> field), and what a
    verified identity tells: the account, and the domain when the customer has one."""
    mapping = {
        "domain": "domain",
        "email": "email_account",
        "ip": "ip_address",
        "url": "url",
        "time": "started",
        "mail_client": "email_client",
        "os": "os",
        "server": "server_name",
    }
    values: dict[str, str] = {}
    for kind, field in mapping.items():
        found = [v for v in facts.get(kind, []) if not (kind == "mail_client" and v == "Webmail")]
        if found and field in fields:
            values[field] = found[0]
    codes = facts.get("error_code")
    if codes and "error_message" in fields:
        values["error_message"] = " ".join(codes)
    if identity is not None:
        account = identity.customer_number or identity.email
        if account and "account" in fields:
            values["account"] = account
        if len(identity.domains) == 1 and "domain" in fields:
            values.setdefault("domain", identity.domains[0])
    return values
