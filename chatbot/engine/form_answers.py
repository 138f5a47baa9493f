"""The customer's answer while a ticket form is open: one small function per phase of
the form (what the bot is waiting for), chosen in one table.

The form itself (starting it, asking, the summary, creating the ticket) is
:mod:`chatbot.engine.form_flow`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatbot.engine.builder import TurnBuilder
from chatbot.engine.contact_flow import answer_contact
from chatbot.engine.form_flow import (
    MAX_ASKS,
    UNCLEAR,
    _apply_corrections,
    _ask,
    _ask_next,
    _ask_service,
    _choice_prefill,
    _chosen_service,
    _clip,
    _field,
    _read,
    _side_answer,
    _steps,
    _store,
    _summary,
    cancel_form,
    create_ticket,
)
from chatbot.engine.messages import Inbound, Option
from chatbot.intents.classifier import Prediction
from chatbot.text_normalise import words
from chatbot.tickets.forms import Field, prefill

__all__ = ["handle_form"]


@dataclass(frozen=True, slots=True)
class _Answer:
    """What the customer said, as every phase reads it."""

    inbound: Inbound
    entities: dict[str, list[str]]
    prediction: Prediction | None
    #: A fact of the form changed with this message (a correction, or one given out of turn).
    corrected: bool


def handle_form(
    t: TurnBuilder, inbound: Inbound, entities: dict[str, list[str]], prediction: Prediction | None
) -> None:
    """The customer's answer while a form is open."""
    form = dict(t.state.form or {})
    form["values"] = dict(form.get("values") or {})
    form["skipped"] = list(form.get("skipped") or [])
    form["times"] = dict(form.get("times") or {})
    phase = form.get("phase")
    if phase == "contact":
        # Before anything else reads the message: an address here is where to reach the
        # visitor, never a fact of the problem.
        if answer_contact(t, form, inbound) and create_ticket(t, form):
            t.next_request()
        return
    corrected = _note_facts(t, form, inbound, entities, phase)
    answer = _Answer(inbound, entities, prediction, corrected)
    _PHASES.get(phase, _on_field)(t, form, answer)


def _note_facts(
    t: TurnBuilder,
    form: dict[str, Any],
    inbound: Inbound,
    entities: dict[str, list[str]],
    phase: object,
) -> bool:
    """Facts the message gives besides its answer; whether the form changed."""
    # A fact named again replaces the earlier one only when the customer says it is a
    # correction, or while they check the summary; elsewhere it is just mentioned.
    correcting = phase == "confirm" or t.ctx.phrases.contains(inbound.text, "correction")
    corrected = correcting and _apply_corrections(t, form, entities)
    # Facts given out of turn ("Outlook on Windows" while asked about mailboxes) count.
    in_form = {step.field for step in _steps(t, form)}
    for known, fact in prefill(t.state.facts, t.ctx.forms.fields, inbound.identity).items():
        if known in in_form and known != form.get("asking") and known not in form["values"]:
            said = (t.state.facts.get("time_said") or [""])[-1] if known == "started" else ""
            _store(t, form, known, fact, said)
            corrected = True
    return corrected


def _on_still_open(t: TurnBuilder, form: dict[str, Any], answer: _Answer) -> None:
    """Asked whether the problem is still there after a notice."""
    inbound = answer.inbound
    reading = t.ctx.understander.answers.yes_no(inbound.text, inbound.value, "offer")
    if reading.act == "cancel" or (reading.act == "answer" and reading.value == "no"):
        t.say("ticket_cancelled")
        t.state = t.state.evolve(form=None)
        t.next_request()
        return
    _ask_next(t, form)


def _on_confirm(t: TurnBuilder, form: dict[str, Any], answer: _Answer) -> None:
    """The summary shown: yes, no (which field?), a correction, or cancel."""
    inbound = answer.inbound
    reading = t.ctx.understander.answers.yes_no(inbound.text, inbound.value, "agree")
    if reading.act == "cancel":
        cancel_form(t)
        return
    if answer.corrected and inbound.value is None:
        _summary(t, form)
        return
    if reading.act == "answer" and reading.value == "no":
        filled = [s.field for s in _steps(t, form) if form["values"].get(s.field)]
        options = tuple(Option(n, _field(t, n).text(_field(t, n).label, t.lang)) for n in filled)
        form.update(phase="which")
        t.say("form_which_field", ask=t.ask("correct_field", "choice", options))
        t.state = t.state.evolve(form=form)
        return
    if reading.act == "unclear" and int(form.get("asked", {}).get("confirm", 0)) < MAX_ASKS:
        _summary(t, form)
        return
    # Yes, a person, "don't know", or unclear twice: the team gets it as it is.
    if create_ticket(t, form):
        t.next_request()


def _on_service(t: TurnBuilder, form: dict[str, Any], answer: _Answer) -> None:
    """Asked which service the problem is about."""
    inbound = answer.inbound
    answers = t.ctx.understander.answers
    escape = answers.escape(inbound.text) if inbound.value is None else None
    if escape is not None and escape.act == "cancel":
        cancel_form(t)
        return
    service = _chosen_service(t, inbound, answer.prediction)
    text = str(form.pop("pending_text", "") or "")
    if service is None and (escape is None or escape.act != "dont_know"):
        _ask_service(t, form, text)
        return
    form["service"] = service or "general"
    t.state = t.state.evolve(service=form["service"])
    _choice_prefill(t, form, text)
    _ask_next(t, form)


def _on_which(t: TurnBuilder, form: dict[str, Any], answer: _Answer) -> None:
    """Asked which field of the summary to change."""
    name = _which_field(t, form, answer.inbound)
    if name is None:
        if int(form.get("asked", {}).get("confirm", 0)) >= MAX_ASKS:
            create_ticket(t, form)
            return
        _summary(t, form)
        return
    form["values"].pop(name, None)
    form["times"].pop(name, None)
    asked = dict(form.get("asked") or {})
    asked[name] = min(int(asked.get(name, 0)), MAX_ASKS - 1)
    form["asked"] = asked
    _ask(t, form, name)


def _on_field(t: TurnBuilder, form: dict[str, Any], answer: _Answer) -> None:
    """Asked for a field's value: the value, a side question, "don't know", a person,
    cancel, or something unclear."""
    name = form.get("asking")
    if name is None:
        _ask_next(t, form)
        return
    inbound = answer.inbound
    field = _field(t, name)
    text = inbound.text.strip()
    side = field.kind == "text" and inbound.value is None and text.endswith("?")
    if side and t.ctx.phrases.contains(text, "side_question"):
        # "By the way, how do I set up an autoreply?" is a question, not the mail program:
        # its article if there is one (the transcript keeps it for the team if not).
        if not _side_answer(t, inbound, answer.prediction):
            t.say("no_article")
        t.say("form_resume")
        _ask(t, form, name)
        return
    reading = _read(t, field, inbound, answer.entities)
    if reading.act == "cancel":
        cancel_form(t)
    elif reading.act == "human":
        t.intent = "human_agent"
        t.say("form_human")
        create_ticket(t, form)
    elif reading.act == "dont_know":
        # Not known: skip it; a required field is marked missing on the ticket.
        form["skipped"].append(name)
        _ask_next(t, form)
    elif reading.act == "unclear":
        _on_unclear(t, form, field, answer)
    else:
        _on_value(t, form, name, reading.value or "", inbound.text)


def _on_unclear(t: TurnBuilder, form: dict[str, Any], field: Field, answer: _Answer) -> None:
    """An answer that does not fit the field: maybe a question, maybe a fact given for
    another field; asked twice at most."""
    inbound = answer.inbound
    if inbound.value is None and _side_answer(t, inbound, answer.prediction):
        t.say("form_resume")
        _ask(t, form, field.name)
        return
    if answer.corrected:
        _ask_next(t, form)
        return
    if int(form.get("asked", {}).get(field.name, 0)) >= MAX_ASKS:
        _give_up(t, form, field, inbound.text)
        _ask_next(t, form)
        return
    _ask(t, form, field.name)


def _on_value(t: TurnBuilder, form: dict[str, Any], name: str, value: str, said: str) -> None:
    """A field answered; an answer with a notice ("it works now") asks whether the
    problem is still there."""
    _store(t, form, name, value, said)
    current = t.ctx.forms.step(form.get("service"), name)
    notice = current.notice.get(value) if current and current.notice else None
    if notice:
        t.say(notice)
        form.update(phase="still_open", asking=None)
        t.say("form_still_open", ask=t.yes_no("still_open"))
        t.state = t.state.evolve(form=form)
        return
    _ask_next(t, form)


#: What the bot is waiting for -> how it reads the answer (a field's value otherwise).
_PHASES: dict[object, Callable[[TurnBuilder, dict[str, Any], _Answer], None]] = {
    "still_open": _on_still_open,
    "confirm": _on_confirm,
    "service": _on_service,
    "which": _on_which,
}


def _give_up(t: TurnBuilder, form: dict[str, Any], field: Field, text: str) -> None:
    """Asked twice and still unclear: keep the customer's words for the agent."""
    said = " ".join(text.split())
    if not said:
        form["skipped"].append(field.name)
    elif field.kind == "text" and field.validate in ("any", "account"):
        form["values"][field.name] = said
    else:
        form["values"][field.name] = UNCLEAR + _clip(said, 20)


def _which_field(t: TurnBuilder, form: dict[str, Any], inbound: Inbound) -> str | None:
    """The field the customer wants to change: a button, or its name in their words."""
    if inbound.value in t.ctx.forms.fields:
        return inbound.value
    said = set(words(inbound.text))
    for step in _steps(t, form):
        field = _field(t, step.field)
        label = set(words(field.text(field.label, t.lang)))
        if label and label <= said | {w for w in said for x in label if x.startswith(w)}:
            return step.field
    return None
