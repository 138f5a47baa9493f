"""Collecting a ticket in conversation: ask only what is missing, one field at a time.

The form state lives in ``ConversationState.form`` as plain data::

    {"service": "email", "values": {...}, "skipped": [...], "asking": "domain",
     "retries": 0, "phase": "asking" | "confirm" | "which" | "still_open"}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chatbot.engine.messages import Ask, Inbound, Option, yes_or_no
from chatbot.handoff.forms import Field, FormStep, choose_option, parse_answer, prefill
from chatbot.handoff.tickets import TicketDraft
from chatbot.redaction import REDACTED

if TYPE_CHECKING:
    from chatbot.engine.turn import _Turn
    from chatbot.identity import Identity
    from chatbot.intents.classifier import Prediction

__all__ = [
    "AttachToTicket",
    "CreateTicket",
    "create_ticket",
    "handle_form",
    "handoff_now",
    "start_form",
]

_MAX_RETRIES = 2
#: Entities that correct a field when the customer names them mid-form.
_CORRECTIONS = {"domain": "domain", "email": "email_account", "ip": "ip_address", "url": "url"}


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """Open a ticket; the runner numbers it and fills ``{ticket}`` in the replies."""

    draft: TicketDraft
    #: A symptom of this known incident: linked to it, not queued.
    incident: str | None = None


@dataclass(frozen=True, slots=True)
class AttachToTicket:
    number: str


def _form(t: _Turn) -> dict[str, Any]:
    return dict(t.state.form or {})


def _steps(t: _Turn, form: dict[str, Any]) -> tuple[FormStep, ...]:
    return t.ctx.forms.form(form.get("service"))


def _field(t: _Turn, name: str) -> Field:
    return t.ctx.forms.fields[name]


def _choice_prefill(t: _Turn, form: dict[str, Any], text: str) -> None:
    """Choice fields the customer's own words already answer ("only outgoing")."""
    for step in _steps(t, form):
        field = _field(t, step.field)
        if field.kind == "choice" and step.field not in form["values"]:
            chosen = choose_option(field, text, t.lang)
            if chosen is not None:
                form["values"][step.field] = chosen


def _new_form(
    t: _Turn, service: str | None, text: str, identity: Identity | None
) -> dict[str, Any]:
    """A form pre-filled with every fact the conversation and the identity told."""
    values = prefill(t.state.facts, t.ctx.forms.fields, identity)
    if text and REDACTED not in text:
        values.setdefault("description", text)
    return {
        "service": service or "general",
        "values": values,
        "skipped": [],
        "asking": None,
        "retries": 0,
        "phase": "asking",
    }


def start_form(t: _Turn, service: str | None, text: str, identity: Identity | None = None) -> None:
    """Begin the ticket for ``service``, asking only what is still missing."""
    form = _new_form(t, service, text, identity)
    _choice_prefill(t, form, text)
    t.say("form_intro")
    _ask_next(t, form)


def handoff_now(t: _Turn, inbound: Inbound) -> None:
    """A human now: a ticket with what is known, the rest marked missing."""
    text = t.state.query or inbound.text
    create_ticket(t, _new_form(t, t.state.service, text, inbound.identity), inbound)


def _ask_next(t: _Turn, form: dict[str, Any]) -> None:
    steps = _steps(t, form)
    ordered = [s for s in steps if s.first] + [s for s in steps if not s.first]
    for step in ordered:
        if step.field in form["values"] or step.field in form["skipped"]:
            continue
        _ask(t, form, step.field)
        return
    _summary(t, form)


def _ask(t: _Turn, form: dict[str, Any], name: str, retry: bool = False) -> None:
    field = _field(t, name)
    form.update(asking=name, phase="asking")
    if not retry:
        form["retries"] = 0
    question = field.text(field.question, t.lang)
    if field.kind == "yes_no":
        ask = t.yes_no(name)
    elif field.kind == "choice":
        options = tuple(
            Option(o.value, o.labels.get(t.lang) or o.labels.get("en") or o.value)
            for o in field.options
        )
        ask = Ask(name, "choice", options)
    else:
        ask = Ask(name, "text")
    t.say_text(question, ask)
    t.state = t.state.evolve(form=form)


def _display(t: _Turn, field: Field, value: str) -> str:
    if field.kind == "yes_no":
        return t.ctx.phrases.label(t.lang, value)
    for option in field.options:
        if option.value == value:
            return option.labels.get(t.lang) or option.labels.get("en") or value
    return value


def _summary(t: _Turn, form: dict[str, Any]) -> None:
    lines = []
    for step in _steps(t, form):
        value = form["values"].get(step.field)
        if value:
            field = _field(t, step.field)
            lines.append(f"{field.text(field.label, t.lang)}: {_display(t, field, value)}")
    text = t.ctx.phrases.say(t.lang, "form_summary") + "\n\n" + "\n".join(lines)
    form.update(phase="confirm", asking=None)
    t.say_text(text, t.yes_no("confirm"))
    t.state = t.state.evolve(form=form)


def _apply_corrections(t: _Turn, form: dict[str, Any], entities: dict[str, list[str]]) -> bool:
    """ "Actually the domain is kafebar.no": a named fact replaces the earlier one."""
    in_form = {s.field for s in _steps(t, form)}
    changed = False
    for kind, name in _CORRECTIONS.items():
        if entities.get(kind) and name in in_form and name != form.get("asking"):
            value = entities[kind][-1]
            if form["values"].get(name) != value:
                form["values"][name] = value
                changed = True
    return changed


def _side_answer(t: _Turn, inbound: Inbound, prediction: Prediction) -> bool:
    """A question asked in the middle of the form: answer it from the knowledge base."""
    if prediction.intent not in ("question", "problem") or len(inbound.text.split()) < 3:
        return False
    result = t.ctx.index.search(inbound.text)
    if result.top is None or result.confidence < t.ctx.answer_threshold:
        return False
    t.search = result
    return t.article_card(result.top.article_id)


def create_ticket(t: _Turn, form: dict[str, Any], inbound: Inbound) -> None:
    ctx = t.ctx
    service = form.get("service") or "general"
    values = {k: v for k, v in form["values"].items() if v}
    missing = tuple(s.field for s in _steps(t, form) if s.required and s.field not in values)
    if t.state.diagnosis:
        values.setdefault("diagnosis", t.state.diagnosis)
    at = inbound.at or datetime.now(UTC)
    identity = inbound.identity
    vip = identity is not None and identity.plan in ctx.hours.priority_plans
    # "Urgent" raises the priority only where the plan allows it; floods never do.
    priority = ("urgent" if t.state.urgent else "vip") if vip else "normal"
    expected = ctx.hours.expected_response(at, priority=vip)
    draft = TicketDraft(
        service=service,
        title=ctx.titles.title(service, values),
        language=t.lang,
        priority=priority,
        fields=values,
        missing=missing,
        expected_response=expected.isoformat(),
        description=values.get("description", ""),
    )
    t.actions.append(CreateTicket(draft))
    when = expected.strftime(ctx.phrases.date_format(t.lang))
    # {ticket} stays a placeholder: the runner knows the number once the store gave it.
    t.say("ticket_created", expected=when)
    if t.state.urgent and not vip:
        t.say("urgent_noted")
    t.state = t.state.evolve(form=None)


def handle_form(
    t: _Turn, inbound: Inbound, entities: dict[str, list[str]], prediction: Prediction | None
) -> None:
    """The customer's answer while a form is open."""
    form = _form(t)
    form["values"] = dict(form.get("values") or {})
    form["skipped"] = list(form.get("skipped") or [])
    phrases = t.ctx.phrases
    answer = yes_or_no(inbound, phrases)
    phase = form.get("phase")
    corrected = _apply_corrections(t, form, entities)
    # Facts given out of turn ("Outlook on Windows" while asked about mailboxes) count.
    in_form = {step.field for step in _steps(t, form)}
    for known, fact in prefill(t.state.facts, t.ctx.forms.fields, inbound.identity).items():
        if known in in_form and known != form.get("asking") and known not in form["values"]:
            form["values"][known] = fact
            corrected = True

    if phase == "still_open":
        if answer == "no":
            t.say("ticket_cancelled")
            t.state = t.state.evolve(form=None)
            t.next_request()
            return
        _ask_next(t, form)
        return
    if phase == "confirm":
        if answer == "yes":
            create_ticket(t, form, inbound)
            t.next_request()
            return
        if corrected:
            _summary(t, form)
            return
        filled = [s.field for s in _steps(t, form) if form["values"].get(s.field)]
        options = tuple(Option(n, _field(t, n).text(_field(t, n).label, t.lang)) for n in filled)
        form.update(phase="which")
        t.say("form_which_field", ask=Ask("correct_field", "choice", options))
        t.state = t.state.evolve(form=form)
        return
    if phase == "which":
        name = inbound.value if inbound.value in t.ctx.forms.fields else None
        if name is None:
            for step in _steps(t, form):
                field = _field(t, step.field)
                if inbound.text.strip().casefold() == field.text(field.label, t.lang).casefold():
                    name = step.field
        if name is None:
            _summary(t, form)
            return
        form["values"].pop(name, None)
        _ask(t, form, name)
        return

    name = form.get("asking")
    if name is None:
        _ask_next(t, form)
        return
    field = _field(t, name)
    current = t.ctx.forms.step(form.get("service"), name)
    required = current.required if current else True
    value = parse_answer(
        field, inbound.text, inbound.value, t.lang, entities.get("time", []), answer
    )
    if value is None and inbound.value is None and phrases.matches(inbound.text, "dont_know"):
        # Not known: skip it; a required field is marked missing on the ticket.
        form["skipped"].append(name)
        _ask_next(t, form)
        return
    if value is None and corrected:
        _ask(t, form, name, retry=True)
        return
    if value is None and prediction is not None and _side_answer(t, inbound, prediction):
        t.say("form_resume")
        _ask(t, form, name, retry=True)
        return
    if value is None:
        retries = int(form.get("retries", 0)) + 1
        if retries > _MAX_RETRIES and field.kind == "text" and inbound.text.strip():
            value = inbound.text.strip()  # asked three times: take their words as they are
        elif retries > _MAX_RETRIES and not required:
            form["skipped"].append(name)
            _ask_next(t, form)
            return
        else:
            form["retries"] = retries
            hint = field.text(field.hint, t.lang) if field.hint else ""
            t.say("form_retry", hint=hint)
            _ask(t, form, name, retry=True)
            return
    form["values"][name] = value
    notice = current.notice.get(value) if current and current.notice else None
    if notice:
        t.say(notice)
        form.update(phase="still_open", asking=None)
        t.say("form_still_open", ask=t.yes_no("still_open"))
        t.state = t.state.evolve(form=form)
        return
    _ask_next(t, form)
