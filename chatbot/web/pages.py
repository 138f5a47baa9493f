"""The widget script, the home page and the demo pages, with a strict Content-Security-Policy.

The headers every response gets (``nosniff``, ``Referrer-Policy``, ``X-Frame-Options``)
come from the middleware in :mod:`chatbot.web.security`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import time
from urllib.parse import urlsplit

from aiohttp import web

from chatbot.bundled import WIDGET_DIR
from chatbot.errors import ConfigError
from chatbot.web import keys
from chatbot.web.security import CONSOLE_CSP, page_csp

__all__ = ["WIDGET_DIR", "check_home_url", "page_routes"]


async def widget_script(request: web.Request) -> web.StreamResponse:
    path = WIDGET_DIR / "dist" / "widget.js"
    if not path.is_file():
        raise web.HTTPServiceUnavailable(
            text="the widget is not built: run `make widget` (npm run build in widget/)"
        )
    response = web.FileResponse(path, headers={"Content-Type": "application/javascript"})
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _page(name: str, folder: str, csp: str) -> web.StreamResponse:
    response = web.FileResponse(WIDGET_DIR / folder / name)
    response.headers["Content-Security-Policy"] = csp
    return response


def check_home_url(url: str) -> None:
    """``CHATBOT_HOME_URL`` is empty or an absolute http(s) URL (checked at start-up)."""
    parsed = urlsplit(url)
    if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
        raise ConfigError(f"CHATBOT_HOME_URL must be an http(s) URL, not {url!r}")


async def home(request: web.Request) -> web.StreamResponse:
    """``/``: the fictional company's site only in demo mode; else the operator's page
    (``CHATBOT_HOME_URL``) or a neutral page with the chat."""
    settings = request.app[keys.SETTINGS]
    if settings.demo:
        return _page("index.html", "demo", page_csp(settings.frame_ancestors))
    if settings.home_url:
        raise web.HTTPFound(settings.home_url)
    return _page("index.html", "home", page_csp(settings.frame_ancestors))


async def demo_css(request: web.Request) -> web.StreamResponse:
    if not request.app[keys.SETTINGS].demo:
        raise web.HTTPNotFound()
    return web.FileResponse(WIDGET_DIR / "demo" / "demo.css")


async def demo_portal(request: web.Request) -> web.StreamResponse:
    """The demo customer portal: a verified customer, signed as a real portal would."""
    settings = request.app[keys.SETTINGS]
    if not settings.demo:
        raise web.HTTPNotFound()
    token = demo_user_token(request.app[keys.IDENTITY_SECRET], time.time())
    template = (WIDGET_DIR / "demo" / "portal.html").read_text(encoding="utf-8")
    response = web.Response(
        text=template.replace("{user_token}", html.escape(token, quote=True)),
        content_type="text/html",
    )
    response.headers["Content-Security-Policy"] = page_csp(settings.frame_ancestors)
    return response


def demo_user_token(secret: bytes, now: float) -> str:
    """An HS256 identity token for the demo customer, as the portal's backend makes it."""
    claims = {
        "sub": "demo-ana",
        "name": "Ana Horvat",
        "email": "ana@cvjecarna.hr",
        "plan": "premium",
        "customer_number": "100234",
        "role": "owner",
        "domains": ["cvjecarna.hr"],
        "exp": int(now) + 3600,
    }

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


async def console_page(request: web.Request) -> web.StreamResponse:
    """The agent console; it logs in over the API and holds its token in sessionStorage."""
    return _page("index.html", "console", CONSOLE_CSP)


async def console_script(request: web.Request) -> web.StreamResponse:
    path = WIDGET_DIR / "dist" / "console.js"
    if not path.is_file():
        raise web.HTTPServiceUnavailable(
            text="the console is not built: run `make widget` (npm run build in widget/)"
        )
    response = web.FileResponse(path, headers={"Content-Type": "application/javascript"})
    response.headers["Cache-Control"] = "no-cache"
    return response


async def console_css(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WIDGET_DIR / "console" / "console.css")


async def attachment(request: web.Request) -> web.StreamResponse:
    """A file sent in a chat. Its id is unguessable and only ever sent to that chat."""
    found = request.app[keys.ATTACHMENTS].find(request.match_info["file_id"])
    if found is None:
        raise web.HTTPNotFound()
    path, content_type = found
    if content_type == "text/plain":
        content_type += "; charset=utf-8"
    response = web.FileResponse(path, headers={"Content-Type": content_type})
    # Never run as a page, never sniffed into HTML; images show inline, the rest downloads.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = (
        "inline" if content_type.startswith("image/") else "attachment"
    )
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def page_routes() -> list[web.RouteDef]:
    return [
        web.get("/", home),
        web.get("/portal", demo_portal),
        web.get("/widget.js", widget_script),
        web.get("/demo/demo.css", demo_css),
        web.get("/attachments/{file_id}", attachment),
        web.get("/console", console_page),
        web.get("/console/console.js", console_script),
        web.get("/console/console.css", console_css),
    ]
