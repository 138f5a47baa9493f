"""Where an anonymous visitor can be reached: asked once, just before their ticket is made.

A verified customer's address comes with their identity. A visitor the portal did not
sign in is asked for one (``ask.field == "contact_email"``, the question and its labels
in ``data/ticket_forms.yml``), so that the confirmation with the ticket number and the
team's later answers can be mailed. The question is optional: an address is kept (found
inside a sentence too), anything else means none and the ticket is made at once. An
address that looks mistyped is asked once more, saying what is wrong; no answer leads to
a third ask. An address the visitor already gave as theirs is not asked for.

While the question waits, the form's ``phase`` is ``contact``.
"""

from __future__ import annotations

from typing import Any

from chatbot.engine.builder import TurnBuilder
from chatbot.engine.messages import Inbound, Option
from chatbot.intents.contact_address import AddressReading, read_address
from chatbot.intents.entities import extract_entities

__all__ = ["CONTACT_FIELD", "answer_contact", "ask_before_ticket"]

CONTACT_FIELD = "contact_email"
#: The same question is never asked more often than this.
_MAX_ASKS = 2
#: What a typo notice quotes of the customer's words.
_QUOTED_CHARS = 60
#: The form field an address in the conversation fills when it is the problem's subject
#: (the mailbox that fails), not the visitor's own.
_SUBJECT_FIELDS = ("email_account",)


def _given(t: TurnBuilder, form: dict[str, Any]) -> str | None:
    """An address the visitor already gave: one said as theirs ("my address is ..."), or
    any address of the conversation that is not the subject of the problem."""
    values = form.get("values") or {}
    said = (t.inbound.text, t.state.query or "", str(values.get("description") or ""))
    for text in said:
        if text and t.ctx.phrases.contains(text, "contact_cue"):
            reading = read_address(text)
            if reading.address:
                return reading.address
    subjects = {str(values.get(name) or "").lower() for name in _SUBJECT_FIELDS}
    return next((a for a in t.state.facts.get("email", []) if a.lower() not in subjects), None)


def _keep(t: TurnBuilder, form: dict[str, Any], address: str) -> None:
    form["values"][CONTACT_FIELD] = address
    t.state = t.state.evolve(contact_email=address, form=form)


def ask_before_ticket(t: TurnBuilder, form: dict[str, Any]) -> bool:
    """Settle the contact address before ``form`` becomes a ticket. True when the
    question was asked and the ticket waits for the answer."""
    if t.inbound.identity is not None or CONTACT_FIELD not in t.ctx.forms.fields:
        return False
    if CONTACT_FIELD in form["values"] or CONTACT_FIELD in form["skipped"]:
        return False
    known = t.state.contact_email
    if known is not None:
        # Given (or declined) for an earlier ticket of this conversation.
        if known:
            _keep(t, form, known)
        return False
    given = _given(t, form)
    if given:
        _keep(t, form, given)
        return False
    _ask(t, form, None)
    return True


def _ask(t: TurnBuilder, form: dict[str, Any], typo: AddressReading | None) -> None:
    field = t.ctx.forms.fields[CONTACT_FIELD]
    asked = dict(form.get("asked") or {})
    asked[CONTACT_FIELD] = int(asked.get(CONTACT_FIELD, 0)) + 1
    form.update(phase="contact", asking=CONTACT_FIELD, asked=asked)
    if typo is None:
        question = field.text(field.question, t.lang)
    else:
        # Once more, saying what is wrong: "“ana@firma” is missing the ending...".
        written = typo.written[:_QUOTED_CHARS]
        problem = t.ctx.phrases.say(t.lang, f"contact_email_{typo.typo}", written=written)
        question = f"{problem} {field.text(field.hint, t.lang)}"
    skip = Option("skip", t.ctx.phrases.label(t.lang, "skip"))
    t.say_text(" ".join(question.split()), t.ask(CONTACT_FIELD, "text", (skip,)))
    t.state = t.state.evolve(form=form)


def _not_facts(t: TurnBuilder, form: dict[str, Any], text: str) -> None:
    """The answer's address (and its domain) is where to reach the visitor, not a fact
    of a problem: a later ticket's form must not take it for the mailbox or the domain."""
    found = extract_entities(text)
    said = {v.lower() for kind in ("email", "domain") for v in found[kind]}
    if not said:
        return
    kept = {str(v).lower() for v in form["values"].values()}
    facts = {
        kind: [v for v in values if v.lower() not in said or v.lower() in kept]
        for kind, values in t.state.facts.items()
    }
    t.state = t.state.evolve(facts={kind: values for kind, values in facts.items() if values})


def answer_contact(t: TurnBuilder, form: dict[str, Any], inbound: Inbound) -> bool:
    """The visitor's answer to the contact question. True when the ticket can be made
    now (with or without an address); False when the question was asked once more."""
    _not_facts(t, form, inbound.text)
    reading = AddressReading() if inbound.value == "skip" else read_address(inbound.text)
    if reading.address:
        _keep(t, form, reading.address)
        t.say("contact_email_noted", email=reading.address)
        return True
    if reading.typo is not None and int(form["asked"].get(CONTACT_FIELD, 0)) < _MAX_ASKS:
        _ask(t, form, reading)
        return False
    # "No", "I'd rather not", "ne znam", Skip, a person please, a second typo: none.
    form["skipped"].append(CONTACT_FIELD)
    form.update(asking=None)
    t.state = t.state.evolve(contact_email="", form=form)
    t.say("contact_email_none")
    return True
