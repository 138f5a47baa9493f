"""Admins export or erase one customer's data: ``/api/customers/{visitor_id}``.

The customer is their ``visitor_id`` (``user:<portal id>`` for verified customers, shown
on every ticket as ``customer.visitor_id``), or ``-`` with ``?ticket=HS-104233``: the
customer who filed that ticket.
"""

from __future__ import annotations

import logging

from aiohttp import web

from chatbot.errors import InvalidPayload, NotFound
from chatbot.handoff.permissions import require_admin
from chatbot.privacy import erase_visitor, export_visitor
from chatbot.store import Agent
from chatbot.web import keys
from chatbot.web.api import request_agent
from chatbot.web.broadcast import conversation_room
from chatbot.web.pubsub import RedisManager

__all__ = ["privacy_routes"]

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


async def _admin(request: web.Request) -> Agent:
    return require_admin(
        await request_agent(request), "exporting and erasing customers' data is for admins"
    )


async def _visitor_id(request: web.Request) -> str:
    visitor_id = request.match_info["visitor_id"].strip()
    number = request.query.get("ticket", "").strip()
    if number:
        ticket = await request.config_dict[keys.LIVE].ticket(number)
        if visitor_id not in ("-", ticket.visitor_id):
            raise InvalidPayload(f"{ticket.number} is not this customer's ticket")
        return ticket.visitor_id
    if visitor_id == "-" or not visitor_id or len(visitor_id) > 300:
        raise InvalidPayload("name the customer by visitor id, or '-' and ?ticket=<number>")
    return visitor_id


@routes.get("/customers/{visitor_id:[^/]+}/export")
async def export_customer(request: web.Request) -> web.Response:
    agent = await _admin(request)
    visitor_id = await _visitor_id(request)
    app = request.config_dict
    export = await export_visitor(app[keys.STORE], app[keys.ATTACHMENTS], visitor_id)
    if not export["conversations"] and not export["tickets"]:
        raise NotFound("nothing is stored about this customer")
    log.info("agent %s exported a customer's data", agent.id)
    return web.json_response(export, headers={"Cache-Control": "no-store"})


@routes.delete("/customers/{visitor_id:[^/]+}")
async def delete_customer(request: web.Request) -> web.Response:
    agent = await _admin(request)
    visitor_id = await _visitor_id(request)
    app = request.config_dict
    erased = await erase_visitor(app[keys.STORE], app[keys.ATTACHMENTS], visitor_id)
    if not erased["conversations"] and not erased["tickets"]:
        raise NotFound("nothing is stored about this customer")
    log.info(
        "agent %s erased a customer: %d conversations, %d tickets, %d files",
        agent.id,
        len(erased["conversations"]),
        len(erased["tickets"]),
        erased["attachments"],
    )
    # The customer's open chats end, on every process: a reconnect starts afresh instead
    # of writing into a conversation that is gone.
    sio = app[keys.SIO]
    for conversation_id in erased["conversations"]:
        room = conversation_room(conversation_id)
        if isinstance(sio.manager, RedisManager):
            await sio.manager.disconnect_room(room, "/")
            continue
        for sid, _ in list(sio.manager.get_participants("/", room)):
            await sio.disconnect(sid, namespace="/")
    await app[keys.LIVE].publish_queue()
    return web.json_response(erased)


def privacy_routes() -> web.RouteTableDef:
    return routes
