"""Collecting a ticket in conversation: ask only what is missing, one field at a time.

The form state lives in ``ConversationState.form`` as plain data::

    {"service": "email", "values": {...}, "skipped": [...], "unclear": {...},
     "asked": {"domain": 1}, "asking": "domain",
     "phase": "asking" | "confirm" | "which" | "still_open"}

Every answer is read by the one answer layer (:mod:`chatbot.intents.answers`); here
only what follows from it is decided. No question is asked more than twice: after a
second unclear answer a free-text field keeps the customer's words, a yes/no or choice
field is recorded as unclear with their words for the agent, and the form moves on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chatbot.engine.actions import CreateTicket
from chatbot.engine.builder import TurnBuilder
from chatbot.engine.contact_flow import ask_before_ticket
from chatbot.engine.messages import Ask, Inbound, Option
from chatbot.identity import Identity
from chatbot.intents.answers import Reading
from chatbot.intents.classifier import Prediction
from chatbot.intents.entities import extract_entities
from chatbot.intents.field_values import parse_answer
from chatbot.redaction import REDACTED
from chatbot.text_normalise import words
from chatbot.tickets.drafts import TicketDraft
from chatbot.tickets.forms import Field, FormStep, prefill

__all__ = ["MAX_ASKS", "UNCLEAR", "cancel_form", "create_ticket", "handoff_now", "start_form"]

#: No question is asked more often than this.
MAX_ASKS = 2
#: Entities that correct a field when the customer names them mid-form.
_CORRECTIONS = {"domain": "domain", "email": "email_account", "ip": "ip_address", "url": "url"}
#: How an unclear yes/no or choice answer is kept for the agent.
UNCLEAR = "unclear: "
#: "nema greške", "no error": an error-message answer that says there is none.
_NO_ERROR_MAX_WORDS = 4
_SUMMARY_WORDS = 12
_DESCRIBED_WORDS = 15


def _steps(t: TurnBuilder, form: dict[str, Any]) -> tuple[FormStep, ...]:
    return t.ctx.forms.form(form.get("service"))


def _field(t: TurnBuilder, name: str) -> Field:
    return t.ctx.forms.fields[name]


def _choice_prefill(t: TurnBuilder, form: dict[str, Any], text: str) -> None:
    """Choice fields the customer's own words already answer ("only outgoing")."""
    answers = t.ctx.understander.answers
    for step in _steps(t, form):
        field = _field(t, step.field)
        if field.kind == "choice" and step.field not in form["values"]:
            reading = answers.choice(field, text, None, t.lang)
            if reading.act == "answer" and reading.value and reading.confidence >= 0.9:
                form["values"][step.field] = reading.value


def _new_form(
    t: TurnBuilder, service: str | None, text: str, identity: Identity | None
) -> dict[str, Any]:
    """A form pre-filled with every fact the conversation and the identity told."""
    values = prefill(t.state.facts, t.ctx.forms.fields, identity)
    times: dict[str, str] = {}
    if "started" in values:
        times["started"] = values["started"]
        said = (t.state.facts.get("time_said") or [""])[0]
        values["started"] = _time_value(t, values["started"], said)
    if text and REDACTED not in text and len(words(text)) >= _DESCRIBED_WORDS:
        # A first message that says what happened is the description; "a question
        # about my invoice" is not, and the form asks for one.
        values.setdefault("description", text)
    return {
        "service": service or "general",
        "values": values,
        "times": times,
        "skipped": [],
        "unclear": {},
        "asked": {},
        "asking": None,
        "phase": "asking",
    }


def start_form(
    t: TurnBuilder,
    service: str | None,
    text: str,
    identity: Identity | None = None,
    chosen: bool = False,
) -> None:
    """Begin the ticket for ``service``, asking only what is still missing. With no
    service known, the first question is which one: each has its own form. ``chosen``:
    the customer picked ``service`` (even "something else"): not asked again."""
    if (service is None or service == "general") and not chosen:
        service = _likely_service(t, text)
    form = _new_form(t, service, text, identity)
    t.say("form_intro")
    if service is None:
        _ask_service(t, form, text)
        return
    _choice_prefill(t, form, text)
    _ask_next(t, form)


#: A service the classifier names this surely is the form's, without asking.
_SERVICE_SURE = 0.45


def _likely_service(t: TurnBuilder, text: str) -> str | None:
    if not text:
        return None
    ranking = t.ctx.understander.predict(text).service_ranking
    return ranking[0][0] if ranking and ranking[0][1] >= _SERVICE_SURE else None


def _ask_service(t: TurnBuilder, form: dict[str, Any], text: str) -> None:
    asked = dict(form.get("asked") or {})
    times = int(asked.get("service", 0))
    if times >= MAX_ASKS:
        form["service"] = "general"
        _ask_next(t, form)
        return
    asked["service"] = times + 1
    ranking = t.ctx.understander.predict(text).service_ranking if text else ()
    names = [name for name, _ in ranking[:3]] + ["general"]
    options = tuple(Option(n, t.ctx.phrases.service_label(t.lang, n)) for n in names)
    question = t.ctx.phrases.say(t.lang, "clarify_service")
    if times:
        question = t.ctx.phrases.say(t.lang, "form_again_choice") + " " + question
    form.update(phase="service", asking=None, asked=asked, service=None, pending_text=text)
    t.say_text(question, t.ask("service", "choice", options))
    t.state = t.state.evolve(form=form)


def _chosen_service(t: TurnBuilder, inbound: Inbound, prediction: Prediction | None) -> str | None:
    services = (*t.ctx.understander.classifier.services, "general")
    if inbound.value in services:
        return inbound.value
    named = t.ctx.phrases.service_named(inbound.text, t.lang)
    if named is not None:
        return named
    sure = prediction is not None and prediction.service_confidence >= t.ctx.service_threshold
    return prediction.service if sure and prediction is not None else None


def handoff_now(t: TurnBuilder, inbound: Inbound, text: str | None = None) -> None:
    """A human now: a ticket with what is known, the rest marked missing."""
    create_ticket(
        t, _new_form(t, t.state.service, text or t.state.query or inbound.text, inbound.identity)
    )


def _ask_next(t: TurnBuilder, form: dict[str, Any]) -> None:
    steps = _steps(t, form)
    ordered = [s for s in steps if s.first] + [s for s in steps if not s.first]
    for step in ordered:
        if step.field in form["values"] or step.field in form["skipped"]:
            continue
        _ask(t, form, step.field)
        return
    _summary(t, form)


def _field_ask(t: TurnBuilder, field: Field) -> Ask:
    if field.kind == "yes_no":
        return t.yes_no(field.name)
    if field.kind == "choice":
        options = tuple(
            Option(o.value, o.labels.get(t.lang) or o.labels.get("en") or o.value)
            for o in field.options
        )
        return t.ask(field.name, "choice", options)
    return t.ask(field.name, "text")


def _ask(t: TurnBuilder, form: dict[str, Any], name: str) -> None:
    """Ask ``name``, or, when it was asked twice already, give up on it and go on. (The
    same question after a side question counts too: no question comes a third time.)"""
    field = _field(t, name)
    asked = dict(form.get("asked") or {})
    times = int(asked.get(name, 0))
    if times >= MAX_ASKS:
        form["skipped"].append(name)
        _ask_next(t, form)
        return
    asked[name] = times + 1
    form.update(asking=name, phase="asking", asked=asked)
    question = field.text(field.question, t.lang)
    if times:
        # The second time says why it asks again, and how to answer.
        hint = field.text(field.hint, t.lang) if field.hint else ""
        question = t.ctx.phrases.say(t.lang, f"form_again_{field.kind}", hint=hint) + " " + question
    t.say_text(" ".join(question.split()), _field_ask(t, field))
    t.state = t.state.evolve(form=form)


def _display(t: TurnBuilder, field: Field, value: str) -> str:
    if value.startswith(UNCLEAR):
        return t.ctx.phrases.label(t.lang, "unclear") + ": " + value[len(UNCLEAR) :]
    if field.kind == "yes_no":
        return t.ctx.phrases.label(t.lang, value)
    for option in field.options:
        if option.value == value:
            return option.labels.get(t.lang) or option.labels.get("en") or value
    return value


def _summary(t: TurnBuilder, form: dict[str, Any]) -> None:
    asked = dict(form.get("asked") or {})
    times = int(asked.get("confirm", 0))
    asked["confirm"] = times + 1
    lines = []
    for step in _steps(t, form):
        value = form["values"].get(step.field)
        if value:
            field = _field(t, step.field)
            lines.append(f"{field.text(field.label, t.lang)}: {_display(t, field, value)}")
    key = "form_summary_again" if times else "form_summary"
    text = t.ctx.phrases.say(t.lang, key) + "\n\n" + "\n".join(lines)
    form.update(phase="confirm", asking=None, asked=asked)
    t.say_text(text, t.yes_no("confirm"))
    t.state = t.state.evolve(form=form)


def _apply_corrections(
    t: TurnBuilder, form: dict[str, Any], entities: dict[str, list[str]]
) -> bool:
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


def _side_answer(t: TurnBuilder, inbound: Inbound, prediction: Prediction | None) -> bool:
    """A real question asked in the middle of the form: answer it from the knowledge base."""
    if prediction is None or prediction.intent not in ("question", "problem"):
        return False
    if len(words(inbound.text)) < 4:
        return False
    # An answer in a sentence is not a new question: only one that says it is a question
    # ("by the way", "how do I", a question mark) may leave the form for an article.
    text = inbound.text.strip()
    if not (text.endswith("?") or t.ctx.phrases.contains(text, "side_question")):
        return False
    question = t.ctx.phrases.strip_leading(text, "side_question")
    result = t.ctx.index.search(question, lang=t.lang)
    if result.top is None or result.confidence < t.ctx.answer_threshold:
        return False
    t.search = result
    return t.article_card(result.top.article_id)


def _clip(text: str, limit: int = _SUMMARY_WORDS) -> str:
    tokens = " ".join(text.split()).split(" ")
    clipped = " ".join(tokens[:limit]).rstrip(",.;:!?")
    return clipped + ("…" if len(tokens) > limit else "")


def _time_value(t: TurnBuilder, iso: str, words_said: str) -> str:
    """ "since yesterday evening" -> "since yesterday evening (01.12.2026 klo 19.00 CET)":
    the customer's words for the agent, the moment in their language and our zone."""
    try:
        if "T" in iso:
            moment = datetime.fromisoformat(iso)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=t.ctx.hours.timezone)
            shown = t.when(moment)
        else:
            shown = date.fromisoformat(iso).strftime(t.ctx.phrases.day_format(t.lang))
    except ValueError:
        shown = iso
    said = _clip(words_said, 10) if words_said else ""
    return f"{said} ({shown})" if said else shown


def _title_values(form: dict[str, Any]) -> dict[str, str]:
    values = {k: v for k, v in form["values"].items() if v and not str(v).startswith(UNCLEAR)}
    if "started" in values:
        values["started"] = form.get("times", {}).get("started") or values["started"]
    if "error_message" in values:
        values["error_message"] = _clip(values["error_message"], 6)
    if "description" in values:
        values["summary"] = _clip(values["description"], 8)
    return values


def create_ticket(t: TurnBuilder, form: dict[str, Any]) -> bool:
    """Hand ``form`` over as a ticket; False while the contact question asked first
    waits for its answer (:mod:`chatbot.engine.contact_flow`)."""
    if ask_before_ticket(t, form):
        return False
    ctx = t.ctx
    inbound = t.inbound
    service = form.get("service") or "general"
    values = {k: v for k, v in form["values"].items() if v}
    if form.get("times", {}).get("started"):
        values["started_at"] = form["times"]["started"]
    missing = tuple(s.field for s in _steps(t, form) if s.required and s.field not in values)
    if t.state.diagnosis:
        values.setdefault("diagnosis", t.state.diagnosis)
    identity = inbound.identity
    vip = identity is not None and identity.plan in ctx.hours.priority_plans
    # "Urgent" raises the priority only where the plan allows it; floods never do.
    priority = ("urgent" if t.state.urgent else "vip") if vip else "normal"
    expected = ctx.hours.expected_response(inbound.at, priority=vip)
    draft = TicketDraft(
        service=service,
        title=ctx.titles.title(service, _title_values(form)),
        language=t.lang,
        priority=priority,
        fields=values,
        missing=missing,
        expected_response=expected.isoformat(),
        description=values.get("description", ""),
    )
    t.actions.append(CreateTicket(draft))
    # {ticket} stays a placeholder: the runner knows the number once the store gave it.
    t.say("ticket_created", expected=t.when(expected))
    if t.state.urgent and not vip:
        t.say("urgent_noted")
    t.state = t.state.evolve(form=None)
    return True


def cancel_form(t: TurnBuilder) -> None:
    """ "Cancel", "never mind": no ticket, and the customer can start again."""
    t.say("form_cancelled")
    t.state = t.state.evolve(form=None, awaiting=None, pending_ask=None)


def _read(
    t: TurnBuilder, field: Field, inbound: Inbound, entities: dict[str, list[str]]
) -> Reading:
    """The answer to ``field``, read by the answer layer and checked against its type."""
    answers = t.ctx.understander.answers
    if field.kind == "yes_no":
        return answers.yes_no(inbound.text, inbound.value, field.sense)
    if field.kind == "choice":
        return answers.choice(field, inbound.text, inbound.value, t.lang)
    text = inbound.text.strip()
    value = parse_answer(field, text, entities)
    escape = answers.escape(text, free_text=True)
    # "No idea" wins over a value that is only the words themselves; not over a number
    # or an address found in them ("not sure, maybe 100234?").
    if escape is not None and (escape.act != "dont_know" or value in (None, text)):
        return escape
    if value is None:
        return Reading("unclear")
    if field.validate == "any" and _only_another_fact(t, field, text):
        # "185.12.64.3" asked for the server's name: it fills the IP address (the facts
        # of this message do that), not the name.
        return Reading("unclear")
    if field.validate == "any" and len(words(text)) <= _NO_ERROR_MAX_WORDS:
        act, prob = answers.act(text)
        if act in ("yes", "no", "works", "broken") and prob >= 0.5:
            # "no", "nema greške": there is no error text to record.
            no_error = field.name == "error_message" and act in ("no", "works")
            return Reading("dont_know") if no_error else Reading("unclear")
    return Reading("answer", value, 1.0)


#: Which field a message that is nothing but one typed fact belongs to.
_FACT_FIELDS = {"ip": "ip_address", "email": "email_account", "url": "url", "domain": "domain"}


def _only_another_fact(t: TurnBuilder, field: Field, text: str) -> bool:
    """Whether ``text`` is just one fact (an IP, an address, a domain) of another field
    of this form, rather than an answer in words to ``field``."""
    found = extract_entities(text)
    bare = text.strip().strip(".,;!?()[]<>\"'").lower()
    form = t.state.form or {}
    in_form = {s.field for s in _steps(t, form)}
    for kind, name in _FACT_FIELDS.items():
        if name != field.name and name in in_form and bare in (v.lower() for v in found[kind]):
            return True
    return False


def _store(t: TurnBuilder, form: dict[str, Any], name: str, value: str, said: str) -> None:
    if name == "started":
        form.setdefault("times", {})["started"] = value
        value = _time_value(t, value, said)
    form["values"][name] = value
