"""What a turn asks its caller to do: open a ticket, add to one, check a domain."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.tickets.drafts import TicketDraft

__all__ = ["Action", "AttachToTicket", "CreateTicket", "Diagnose"]


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """Open a ticket; the runner numbers it and fills ``{ticket}`` in the replies."""

    draft: TicketDraft
    #: A symptom of this known incident: linked to it, not queued.
    incident: str | None = None


@dataclass(frozen=True, slots=True)
class AttachToTicket:
    number: str


@dataclass(frozen=True, slots=True)
class Diagnose:
    """Check ``domain`` for ``service`` and call the engine again with the result."""

    domain: str
    service: str


Action = CreateTicket | AttachToTicket | Diagnose
