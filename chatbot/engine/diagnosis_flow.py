"""Before a ticket: the bot checks the customer's domain itself (pure part).

When a customer agrees to open a ticket about mail, a website, SSL, DNS or a domain whose
name is known, the engine first returns a :class:`Diagnose` action. The runner runs the
probes and calls the engine again with the result (``Inbound.diagnosis``): the bot says
what it found; when that explains the problem on the customer's side (the domain points
to another provider, say), it asks whether that settles it instead of opening a ticket;
otherwise the ticket form starts, and the ticket carries the findings.
"""

from __future__ import annotations

from chatbot.engine.actions import Diagnose
from chatbot.engine.builder import TurnBuilder
from chatbot.engine.form_flow import start_form
from chatbot.engine.messages import DiagnosisNote, Inbound

__all__ = ["DIAGNOSABLE", "Diagnose", "diagnosis_done", "start_diagnosis"]

#: The services whose problems a look at the domain can explain.
DIAGNOSABLE = frozenset({"email", "website", "ssl", "dns", "domain"})


def _domain(t: TurnBuilder, inbound: Inbound) -> str | None:
    named = t.state.facts.get("domain") or []
    if named:
        return named[-1]
    owned = inbound.identity.domains if inbound.identity else ()
    return owned[0] if len(owned) == 1 else None


def start_diagnosis(t: TurnBuilder, inbound: Inbound) -> bool:
    """Ask the runner for a diagnosis, once per domain and service; False when there is
    nothing to check (the form starts right away)."""
    service = t.state.service
    if not t.ctx.diagnostics or service not in DIAGNOSABLE:
        return False
    domain = _domain(t, inbound)
    if domain is None:
        return False
    key = f"{service}:{domain.lower()}"
    if key in t.state.diagnosed:
        return False
    t.say("diag_running", domain=domain)
    t.actions.append(Diagnose(domain, service))
    t.state = t.state.evolve(diagnosed=(*t.state.diagnosed, key), awaiting="diagnosis")
    return True


def diagnosis_done(t: TurnBuilder, note: DiagnosisNote, inbound: Inbound) -> None:
    """Tell what was found; settle it, or go on to the ticket with the facts attached."""
    t.state = t.state.evolve(awaiting=None, diagnosis=note.summary or None, asked={})
    for key, values in note.lines:
        t.say_text(t.ctx.phrases.say(t.lang, key, **{"company": t.ctx.company_name, **values}))
    if note.explains:
        t.say("diag_explains", ask=t.yes_no("diag_explained"))
        t.state = t.state.evolve(awaiting="diag_explained")
        return
    start_form(t, t.state.service, t.state.query or inbound.text, inbound.identity)
