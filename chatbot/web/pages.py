"""The widget script and the demo pages, with a strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

__all__ = ["WIDGET_DIR", "page_routes"]

WIDGET_DIR = Path(__file__).resolve().parent.parent.parent / "widget"

# No inline scripts or styles, no eval: the widget works under this policy.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _secure(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


async def widget_script(request: web.Request) -> web.StreamResponse:
    path = WIDGET_DIR / "dist" / "widget.js"
    if not path.is_file():
        raise web.HTTPServiceUnavailable(
            text="the widget is not built: run `make widget` (npm run build in widget/)"
        )
    response = web.FileResponse(path, headers={"Content-Type": "application/javascript"})
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _secure(response)


def _page(name: str) -> web.StreamResponse:
    response = web.FileResponse(WIDGET_DIR / "demo" / name)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return _secure(response)


async def demo_site(request: web.Request) -> web.StreamResponse:
    return _page("index.html")


async def demo_css(request: web.Request) -> web.StreamResponse:
    return _secure(web.FileResponse(WIDGET_DIR / "demo" / "demo.css"))


def page_routes() -> list[web.RouteDef]:
    return [
        web.get("/", demo_site),
        web.get("/widget.js", widget_script),
        web.get("/demo/demo.css", demo_css),
    ]
