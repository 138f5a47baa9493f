"""A bare python-socketio server speaking the customer protocol's message path: the limit
the transport itself sets on this machine, for ``benchmarks/load.py`` to compare against.

    python benchmarks/echo_server.py PORT

Each ``message`` is acknowledged with a per-connection ``seq`` and answered at once with a
bot-like ``message`` (id ``#b<seq>.0``); ``history`` returns what was received. No store,
no engine: everything the chat server does beyond this is the cost of the bot path.
"""

from __future__ import annotations

import sys
from typing import Any

import socketio
from aiohttp import web


def make_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    seqs: dict[str, int] = {}
    kept: dict[str, list[dict[str, Any]]] = {}

    @sio.on("connect")  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        seqs[sid] = 0
        kept[sid] = []
        await sio.emit("session", {"conversation_id": sid, "last_seq": 0}, to=sid)

    @sio.on("disconnect")  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: Any = None) -> None:
        seqs.pop(sid, None)
        kept.pop(sid, None)

    @sio.on("message")  # type: ignore[untyped-decorator]
    async def message(sid: str, data: Any) -> dict[str, Any]:
        seqs[sid] += 2
        seq = seqs[sid] - 1
        kept[sid].append({"seq": seq, "id": data["id"], "from": "customer", "text": data["text"]})
        reply = {"seq": seq + 1, "id": f"#b{seq}.0", "from": "bot", "text": data["text"]}
        kept[sid].append(reply)
        await sio.emit("message", reply, to=sid)
        return {"ok": True, "seq": seq, "id": data["id"], "duplicate": False}

    @sio.on("history")  # type: ignore[untyped-decorator]
    async def history(sid: str, data: Any) -> dict[str, Any]:
        after = int(data.get("after", 0))
        return {"ok": True, "messages": [m for m in kept[sid] if m["seq"] > after], "more": False}

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
