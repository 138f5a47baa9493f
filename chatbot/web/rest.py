"""The REST API as one aiohttp sub-application under ``/api``: its routes (tickets and
login in :mod:`chatbot.web.api`, incidents, customers' data) and its own error
middleware, so every API error is JSON with a stable code and nothing else is."""

from __future__ import annotations

from aiohttp import web

from chatbot.web.api import api_routes, error_middleware
from chatbot.web.incidents_api import incident_routes
from chatbot.web.privacy_api import privacy_routes

__all__ = ["PREFIX", "rest_app"]

PREFIX = "/api"


def rest_app() -> web.Application:
    """The API, to mount at :data:`PREFIX`; its handlers read the application's shared
    objects through ``request.config_dict``."""
    api = web.Application(middlewares=[error_middleware])
    api.add_routes(api_routes())
    api.add_routes(incident_routes())
    api.add_routes(privacy_routes())
    return api
