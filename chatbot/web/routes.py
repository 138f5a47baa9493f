"""Plain HTTP routes: health, and later the REST API and pages."""

from __future__ import annotations

from aiohttp import web

from chatbot import __version__, keys
from chatbot.errors import ChatbotError

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 when the store answers; 503 with the reason otherwise (for load balancers)."""
    app = request.app
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
        "checks": checks,
        "kb_articles": len(app[keys.ENGINE].index.kb),
    }
    return web.json_response(body, status=200 if healthy else 503)
