"""Security headers on every HTTP response, and the pages' Content-Security-Policy.

Every response says ``nosniff`` and sends no full referrer to other sites. HTML pages carry
a CSP (built by :func:`page_csp`) whose ``frame-ancestors`` lists the origins allowed to
frame them; where none is allowed, ``X-Frame-Options: DENY`` says the same to old browsers.
The agent console is never framed, whatever the settings say.

No cookie is ever set or read: the console and the API authenticate with a bearer token
in the ``Authorization`` header, which a cross-site form cannot send, so there is no CSRF.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from chatbot.errors import ConfigError
from chatbot.settings import Settings

__all__ = ["CONSOLE_CSP", "page_csp", "security_headers"]

log = logging.getLogger(__name__)

# A CSP source expression that cannot smuggle in another directive: no spaces, quotes,
# semicolons or commas (``https://shop.example``, ``https://*.example.com:8443``, ``'self'``).
_SOURCE = re.compile(r"^(?:'self'|[^\s;,'\"]+)$")


@functools.cache
def page_csp(frame_ancestors: Sequence[str] = ()) -> str:
    """The pages' policy: no inline scripts or styles, no eval (the widget works under it),
    framed only by ``frame_ancestors`` (none when empty)."""
    for source in frame_ancestors:
        if not _SOURCE.match(source):
            raise ConfigError(
                f"{source!r} is not an origin for frame-ancestors (like https://shop.example)"
            )
    ancestors = " ".join(frame_ancestors) or "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' ws: wss:; frame-ancestors {ancestors}; base-uri 'none'; "
        "form-action 'self'"
    )


#: The agent console shows customers' data: it may never be framed (clickjacking).
CONSOLE_CSP = page_csp(())


def _secure(response: web.StreamResponse) -> None:
    if response.prepared:  # a websocket handshake: its headers are gone already
        return
    headers = response.headers
    # setdefault: a handler's own, stricter value (no-referrer, ...) stays.
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""):
        headers.setdefault("X-Frame-Options", "DENY")


def security_headers(settings: Settings) -> Middleware:
    """The middleware; checks ``settings.frame_ancestors`` now, not at the first page."""
    page_csp(settings.frame_ancestors)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _secure(exc)
            raise
        except Exception:
            # aiohttp's own error page would go out without the headers.
            log.exception("%s %s failed", request.method, request.path)
            response = web.Response(status=500, text="500: Internal Server Error")
        _secure(response)
        return response

    return middleware
