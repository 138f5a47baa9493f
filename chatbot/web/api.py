"""The REST API for the console's login and for bridges to existing helpdesks.

Every endpoint except login and the OpenAPI document needs ``Authorization: Bearer
<token>`` (an agent session from ``POST /api/auth/login``). Errors are JSON:
``{"error": {"code": "...", "message": "..."}}`` with a matching HTTP status. The
document at ``/api/openapi.json`` describes exactly these routes (a test holds them
together).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from chatbot.errors import ChatbotError, InvalidPayload, RateLimited, Unauthorized
from chatbot.handoff.permissions import check_close, check_update, require_admin
from chatbot.handoff.reports import period_report
from chatbot.protocol import CLIENT_ID, TicketChange, parse_ticket_change
from chatbot.records import iso_time, message_record, note_record, ticket_record
from chatbot.store import Agent
from chatbot.ticket_types import STATUSES
from chatbot.web import keys
from chatbot.web.agent import agent_record
from chatbot.web.openapi import OPENAPI

__all__ = ["api_routes", "error_middleware", "json_body", "request_agent"]

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


def _error(exc: ChatbotError) -> web.Response:
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return web.json_response({"error": exc.as_payload()}, status=exc.http_status, headers=headers)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """API errors as JSON with a stable code; nothing unexpected leaks a traceback."""
    try:
        return await handler(request)
    except ChatbotError as exc:
        request.config_dict[keys.METRICS].error(exc.code)
        return _error(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_long"}.get(
            exc.status, "invalid_payload"
        )
        return web.json_response(
            {"error": {"code": code, "message": exc.reason}}, status=exc.status
        )
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        request.config_dict[keys.METRICS].error("server_error")
        return _error(ChatbotError("unexpected server error; please retry"))


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; :class:`InvalidPayload` for anything else, including
    nesting too deep for the parser and numbers too long to convert."""
    try:
        data = await request.json(loads=json.loads)
    except RecursionError:
        raise InvalidPayload("the body is nested too deeply") from None
    except ValueError:  # also JSONDecodeError, UnicodeDecodeError, too many digits
        raise InvalidPayload("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise InvalidPayload("the body must be a JSON object")
    return data


def _token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <token>' from POST /api/auth/login")
    return token.strip()


async def request_agent(request: web.Request) -> Agent:
    """The agent whose session token the request carries; :class:`Unauthorized` otherwise."""
    return await request.config_dict[keys.AGENT_AUTH].verify(_token(request))


def _string(data: dict[str, Any], key: str, max_len: int = 500) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise InvalidPayload(f"'{key}' must be a non-empty string of at most {max_len} characters")
    return value


@routes.post("/auth/login")
async def login(request: web.Request) -> web.Response:
    data = await json_body(request)
    email = _string(data, "email", 254)
    password = _string(data, "password", 1024)
    result = await request.config_dict[keys.AGENT_AUTH].login(
        email, password, request.remote or "unknown"
    )
    return web.json_response(
        {
            "token": result.token,
            "expires_at": iso_time(result.expires_at),
            "agent": agent_record(result.agent),
        }
    )


@routes.post("/auth/logout")
async def logout(request: web.Request) -> web.Response:
    token = _token(request)
    await request.config_dict[keys.AGENT_AUTH].verify(token)
    await request.config_dict[keys.AGENT_AUTH].logout(token)
    return web.Response(status=204)


@routes.get("/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response({"agent": agent_record(await request_agent(request))})


@routes.get("/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    await request_agent(request)
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise InvalidPayload(f"'status' must be one of {', '.join(STATUSES)}")
    try:
        limit = min(max(int(request.query.get("limit", "100")), 1), 500)
    except ValueError:
        raise InvalidPayload("'limit' must be a number") from None
    query = (request.query.get("q") or "").strip().lower()[:200]
    live = request.config_dict[keys.LIVE]
    agents = await live.agents()
    tickets = await request.config_dict[keys.STORE].list_tickets(status, 500 if query else limit)
    records = [ticket_record(t, agents) for t in tickets]
    if query:
        records = [r for r in records if query in json.dumps(r, ensure_ascii=False).lower()]
    return web.json_response({"tickets": records[:limit]})


@routes.get("/tickets/{number}")
async def get_ticket(request: web.Request) -> web.Response:
    await request_agent(request)
    live = request.config_dict[keys.LIVE]
    store = request.config_dict[keys.STORE]
    ticket = await live.ticket(request.match_info["number"])
    agents = await live.agents()
    messages = await store.messages_after(ticket.conversation_id, 0, 10_000)
    return web.json_response(
        {
            **ticket_record(ticket, agents),
            "messages": [message_record(m) for m in messages],
            "notes": [note_record(n, agents) for n in await store.notes_for(ticket.number)],
        }
    )


@routes.patch("/tickets/{number}")
async def patch_ticket(request: web.Request) -> web.Response:
    agent = await request_agent(request)
    data = await json_body(request)
    live = request.config_dict[keys.LIVE]
    number = request.match_info["number"]
    if data.get("status") != "closed":
        ticket = await live.update(agent, _change(number, data))
        return web.json_response(await live.record(ticket))
    # Closing with other changes: everything is checked before anything is changed, so a
    # refused close leaves the ticket as it was.
    resolution = _string(data, "resolution", 2000)
    rest = {k: v for k, v in data.items() if k not in ("status", "resolution")}
    change = _change(number, rest) if rest else None
    ticket = await live.ticket(number)
    if change is not None:
        check_update(ticket, change)
    check_close(agent, ticket)
    if change is not None:
        await live.update(agent, change)
    ticket = await live.close(agent, ticket.number, resolution)
    return web.json_response(await live.record(ticket))


def _change(number: str, data: dict[str, Any]) -> TicketChange:
    return parse_ticket_change({**data, "ticket": number})


def _display_name(data: dict[str, Any], key: str) -> str | None:
    if data.get(key) is None:
        return None
    name = " ".join(_string(data, key, 80).split())
    if not name or not name.isprintable():
        raise InvalidPayload(f"'{key}' must be a name of printable characters")
    return name


@routes.post("/tickets/{number}/messages")
async def post_message(request: web.Request) -> web.Response:
    """An agent or a helpdesk bridge answers: the reply reaches the customer's chat.

    The console's rules hold: an agent writes only in a chat they hold (claimed or
    transferred to them); admins write in any chat that is not closed. Only admins may
    name someone else, with ``on_behalf_of`` (``author`` is the older name of the same
    field): the customer then sees "Ana (via <the admin account's name>)", and the stored
    message keeps the posting account's id with ``on_behalf_of: "Ana"``.
    """
    agent = await request_agent(request)
    data = await json_body(request)
    text = _string(data, "text", request.config_dict[keys.SETTINGS].max_message_chars).strip()
    if not text:
        raise InvalidPayload("'text' must not be empty")
    client_id = data.get("id") or "api-" + secrets.token_hex(8)
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        # The same rule as the sockets' message ids.
        raise InvalidPayload("'id' must be 1-64 letters, digits or _ . : -")
    names = {_display_name(data, key) for key in ("on_behalf_of", "author")} - {None}
    if len(names) > 1:
        raise InvalidPayload("'on_behalf_of' and 'author' name different people")
    on_behalf_of = names.pop() if names else None
    if on_behalf_of is not None:
        require_admin(agent, "only admins may post on behalf of someone else")
    stored, created = await request.config_dict[keys.LIVE].agent_message(
        agent, request.match_info["number"], client_id, text, via="api", on_behalf_of=on_behalf_of
    )
    return web.json_response(
        {"message": message_record(stored), "duplicate": not created},
        status=201 if created else 200,
    )


@routes.get("/reports")
async def reports(request: web.Request) -> web.Response:
    require_admin(await request_agent(request), "reports are for admins")
    try:
        days = min(max(int(request.query.get("days", "30")), 1), 366)
    except ValueError:
        raise InvalidPayload("'days' must be a number") from None
    app = request.config_dict
    return web.json_response(await period_report(app[keys.STORE], app[keys.CLOCK](), days))


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)


def api_routes() -> web.RouteTableDef:
    return routes
