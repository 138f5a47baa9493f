"""Incidents over REST: admins announce and resolve outages; anyone reads the status.

While an incident is active, the bot tells affected customers about it first and files
their reports as tickets linked to it (see ``chatbot.tickets.incidents``); resolving it
closes those tickets and tells each customer, in their language.
"""

from __future__ import annotations

from aiohttp import web

from chatbot.errors import NotFound
from chatbot.handoff.permissions import require_admin
from chatbot.protocol import parse_incident, parse_incident_messages
from chatbot.records import incident_record, iso_time
from chatbot.settings import LANGUAGES
from chatbot.store import Agent, NewIncident
from chatbot.web import keys
from chatbot.web.api import json_body, request_agent
from chatbot.web.broadcast import AGENTS_ROOM

__all__ = ["incident_routes"]

routes = web.RouteTableDef()


async def _admin(request: web.Request) -> Agent:
    return require_admin(
        await request_agent(request), "incidents are announced and resolved by admins"
    )


def _services(request: web.Request) -> tuple[str, ...]:
    services = request.config_dict[keys.ENGINE].understander.classifier.services
    return tuple(s for s in services if s != "none")


async def _announce(request: web.Request, record: dict[str, object]) -> None:
    request.config_dict[keys.TURNS].forget_incidents()
    await request.config_dict[keys.SIO].emit(
        "incident", record, room=AGENTS_ROOM, namespace="/agent"
    )


@routes.post("/incidents")
async def create_incident(request: web.Request) -> web.Response:
    admin = await _admin(request)
    change = parse_incident(await json_body(request), _services(request), LANGUAGES)
    now = request.config_dict[keys.CLOCK]()
    incident = await request.config_dict[keys.STORE].create_incident(
        NewIncident(
            service=change.service,
            targets=change.targets,
            messages=change.messages,
            started_at=change.started_at or now,
            created_by=admin.id,
            created_at=now,
        )
    )
    record = incident_record(incident)
    await _announce(request, record)
    return web.json_response({"incident": record}, status=201)


@routes.get("/incidents")
async def list_incidents(request: web.Request) -> web.Response:
    await request_agent(request)
    active = request.query.get("active") in ("1", "true", "yes")
    incidents = await request.config_dict[keys.STORE].list_incidents(active_only=active)
    return web.json_response({"incidents": [incident_record(i) for i in incidents]})


@routes.get("/incidents/{id}")
async def get_incident(request: web.Request) -> web.Response:
    await request_agent(request)
    store = request.config_dict[keys.STORE]
    incident = await store.get_incident(request.match_info["id"].upper()[:40])
    if incident is None:
        raise NotFound("no such incident")
    tickets = await store.tickets_for_incident(incident.id)
    return web.json_response(
        {
            "incident": incident_record(incident),
            "tickets": [{"number": t.number, "status": t.status} for t in tickets],
        }
    )


@routes.post("/incidents/{id}/resolve")
async def resolve_incident(request: web.Request) -> web.Response:
    await _admin(request)
    data = await json_body(request)
    resolution = parse_incident_messages(data.get("messages"), LANGUAGES, required=False)
    store = request.config_dict[keys.STORE]
    incident_id = request.match_info["id"].upper()[:40]
    incident = await store.resolve_incident(
        incident_id, request.config_dict[keys.CLOCK](), resolution
    )
    closed = await request.config_dict[keys.LIVE].incident_resolved(incident)
    record = incident_record(incident)
    await _announce(request, record)
    return web.json_response({"incident": record, "closed_tickets": [t.number for t in closed]})


@routes.get("/status")
async def public_status(request: web.Request) -> web.Response:
    """Active incidents for a public status page: the service and what customers are told,
    never the affected servers or domains. ``?lang=fi`` picks the language."""
    lang = request.query.get("lang", "")
    settings = request.config_dict[keys.SETTINGS]
    if lang not in LANGUAGES:
        lang = settings.default_language
    incidents = await request.config_dict[keys.STORE].list_incidents(active_only=True)
    phrases = request.config_dict[keys.ENGINE].phrases
    body = {
        "status": "degraded" if incidents else "ok",
        "incidents": [
            {
                "id": i.id,
                "service": i.service,
                "service_label": phrases.service_label(lang, i.service),
                "message": i.messages.get(lang)
                or i.messages.get(settings.default_language)
                or next(iter(i.messages.values()), ""),
                "started_at": iso_time(i.started_at),
            }
            for i in incidents
        ],
    }
    response = web.json_response(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=15"
    return response


def incident_routes() -> web.RouteTableDef:
    return routes
