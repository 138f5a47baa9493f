"""Plain HTTP routes for operations: health checks and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from chatbot import __version__
from chatbot.errors import ChatbotError
from chatbot.metrics import CONTENT_TYPE_LATEST
from chatbot.store.backends import describe
from chatbot.web import keys

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 when the store (SQLite, or Redis in scale-out) answers; 503 with the reason
    otherwise, so a load balancer sends nobody to a process that cannot serve."""
    app = request.app
    settings = app[keys.SETTINGS]
    checks: dict[str, str] = {}
    healthy = True
    try:
        await app[keys.STORE].ping()
        checks["store"] = "ok"
    except ChatbotError as exc:
        checks["store"] = exc.message
        healthy = False
    body = {
        "status": "ok" if healthy else "unavailable",
        "version": __version__,
        "backend": describe(settings).backend,
        "checks": checks,
        "kb_articles": len(app[keys.ENGINE].index.kb),
    }
    return web.json_response(body, status=200 if healthy else 503)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format. Expose it to your monitoring network only."""
    app = request.app
    if not app[keys.SETTINGS].metrics:
        raise web.HTTPNotFound()
    rooms = app[keys.SIO].manager.rooms
    # Every socket of a namespace on this process is in the namespace's ``None`` room.
    connections = {ns: len(rooms.get(ns, {}).get(None, {})) for ns in ("/", "/agent")}

    async def shared() -> tuple[Mapping[str, int], Mapping[str, int]]:
        statuses = list((await app[keys.PRESENCE].statuses()).values())
        agents = {status: statuses.count(status) for status in ("online", "away")}
        return await app[keys.STORE].count_tickets(), agents

    body = await app[keys.METRICS].render(connections, shared)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
