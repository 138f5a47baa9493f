"""An anonymous visitor attacking a real server: each finding of the outside review,
reproduced over real sockets, and the bound that now holds."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.store import NewMessage
from chatbot.web import keys, sockets
from tests.fixtures import ChatClient, ServerFactory, server_url
from tests.test_attachments import png

TIMEOUT = 10.0


def engine_io_url(server: TestServer) -> str:
    return str(server.make_url("/socket.io/")) + "?EIO=4&transport=websocket"


async def open_bare(http: aiohttp.ClientSession, server: TestServer, **kw: Any) -> Any:
    """An engine.io websocket that never joins a namespace (the open packet read)."""
    ws = await http.ws_connect(engine_io_url(server), **kw)
    opening = await ws.receive(timeout=TIMEOUT)
    assert opening.type == aiohttp.WSMsgType.TEXT and opening.data.startswith("0{")
    return ws


async def join(ws: Any) -> None:
    """Join the customer namespace (the session event may come before the connect ack)."""
    await ws.send_str('40{"locale":"en"}')
    for _ in range(5):
        frame = await ws.receive(timeout=TIMEOUT)
        if frame.data.startswith("40"):
            return
    raise AssertionError("no connect ack")


async def test_websocket_frames_are_never_inflated(chat_server: TestServer) -> None:
    """A compressed 5 KB frame used to become megabytes in memory: compression is off."""
    async with aiohttp.ClientSession() as http:
        ws = await open_bare(http, chat_server, compress=15)
        assert ws.compress == 0  # the server did not agree to permessage-deflate
        await ws.close()


async def test_a_packet_with_many_attachments_is_refused_before_it_is_held(
    chat_server: TestServer,
) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await open_bare(http, chat_server)
        await join(ws)
        # A BINARY_EVENT that announces 60 attachments: today's python-socketio would
        # hold every frame that follows until the 60th arrived.
        placeholder = {"_placeholder": True, "num": 0}
        await ws.send_str("4560-1" + json.dumps(["attach", {"id": "a", "data": placeholder}]))
        ack = await _ack(ws, 1)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
        await ws.send_bytes(b"\x04" + b"x" * 1000)  # binary nobody asked for: closed
        closing = await ws.receive(timeout=TIMEOUT)
        while closing.type == aiohttp.WSMsgType.TEXT:
            closing = await ws.receive(timeout=TIMEOUT)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert chat_server.app[keys.SIO]._binary_packet == {}


async def _ack(ws: Any, ack_id: int) -> dict[str, Any]:
    while True:
        frame = await ws.receive(timeout=TIMEOUT)
        assert frame.type == aiohttp.WSMsgType.TEXT, frame
        if frame.data == "2":
            await ws.send_str("3")
            continue
        if frame.data.startswith(f"43{ack_id}"):
            payload: list[dict[str, Any]] = json.loads(frame.data[len(f"43{ack_id}") :])
            return payload[0]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        '{"id": "m1", "text": ' + "9" * 5000 + "}",
    ],
    ids=["deeply-nested", "5000-digit-number"],
)
async def test_unreadable_json_gets_a_coded_error_ack(
    chat_server: TestServer, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chatbot.web.sockets")
    async with aiohttp.ClientSession() as http:
        ws = await open_bare(http, chat_server)
        await join(ws)
        await ws.send_str('427["message", ' + body + "]")
        ack = await _ack(ws, 7)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
        await ws.close()
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks
    assert len([r for r in caplog.records if "unreadable packet" in r.getMessage()]) == 1


async def test_bare_sockets_are_counted_per_address_and_closed_when_they_never_join(
    make_server: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sockets, "JOIN_SECONDS", 0.5)
    server = await make_server(sockets_per_address=5, connection_burst=1000)
    async with aiohttp.ClientSession() as http:
        bare = [await open_bare(http, server) for _ in range(5)]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(engine_io_url(server))
        assert refused.value.status == 401
        # Never joined a namespace: each is closed by the server, and the address may
        # connect again.
        for ws in bare:
            frame = await ws.receive(timeout=TIMEOUT)
            while frame.type == aiohttp.WSMsgType.TEXT:
                frame = await ws.receive(timeout=TIMEOUT)
            assert frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        sio = server.app[keys.SIO]
        for _ in range(100):
            if sio.open_sockets("127.0.0.1") == 0:
                break
            await asyncio.sleep(0.05)
        assert sio.open_sockets("127.0.0.1") == 0
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")  # a real visitor still gets in


@pytest.mark.parametrize(
    ("event", "payload", "burst"), [("history", {}, 10), ("typing", {"on": True}, 20)]
)
async def test_history_and_typing_are_limited_per_socket(
    chat_server: TestServer, event: str, payload: Any, burst: int
) -> None:
    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    acks = [await customer.call(event, payload) for _ in range(burst + 5)]
    assert all(a["ok"] for a in acks[:burst])
    assert acks[-1]["ok"] is False and acks[-1]["error"]["code"] == "rate_limited"


async def test_uploads_have_a_quota_and_a_free_disk_floor(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = await make_server(upload_files_per_hour=2)
    customer = ChatClient(server_url(server))
    await customer.connect(locale="en")
    image = png()
    acks = [
        await customer.call("attach", {"id": f"u{i}", "name": "s.png", "data": image})
        for i in range(3)
    ]
    assert [a["ok"] for a in acks] == [True, True, False]
    assert acks[2]["error"]["code"] == "rate_limited"
    folder = server.app[keys.SETTINGS].attachments_path
    assert len(list(folder.iterdir())) == 2

    # More than any disk has free:
    full = await make_server(data_dir=tmp_path / "full", min_free_disk_mb=1e12)
    other = ChatClient(server_url(full))
    await other.connect(locale="en")
    ack = await other.call("attach", {"id": "u1", "name": "s.png", "data": image})
    assert ack["ok"] is False and ack["error"]["code"] == "storage_full"
    assert not full.app[keys.SETTINGS].attachments_path.exists() or not list(
        full.app[keys.SETTINGS].attachments_path.iterdir()
    )


async def test_a_message_stored_but_never_answered_is_answered_on_reconnect(
    chat_server: TestServer,
) -> None:
    """The server died between the ack and the bot's turn: the message is in the store,
    no turn is scheduled. The customer's reconnect answers it."""
    customer = ChatClient(server_url(chat_server))
    session = await customer.connect(locale="en")
    await customer.disconnect()
    store = chat_server.app[keys.STORE]
    new = NewMessage(id="lost1", sender="customer", text="hello", at=1.0, data={})
    await store.append_messages(session["conversation_id"], [new])

    again = ChatClient(server_url(chat_server))
    await again.connect(locale="en", visitor_token=session["visitor_token"])
    [reply, *_] = await again.wait_for_messages(1)
    assert reply["from"] == "bot"


async def test_the_bot_thinks_off_the_event_loop(
    chat_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A costly message must not stall every other socket: the engine's turn runs in a
    worker thread, never on the thread that serves the sockets."""
    from chatbot.engine import turn as real

    threads: list[threading.Thread] = []

    def recording(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr("chatbot.handoff.runner.turn", recording)
    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    await customer.say("my email does not send since yesterday")
    assert threads and all(t is not threading.main_thread() for t in threads)


async def test_a_message_whose_process_died_is_answered_from_the_work_queue(
    chat_server: TestServer,
) -> None:
    """The process stored and acknowledged a message, queued its safety net, and died:
    the customer never comes back, yet the answer is waiting in the conversation."""
    customer = ChatClient(server_url(chat_server))
    session = await customer.connect(locale="en")
    await customer.disconnect()
    store = chat_server.app[keys.STORE]
    conversation_id = session["conversation_id"]
    new = NewMessage(id="lost2", sender="customer", text="hello", at=1.0, data={})
    [(stored, _)] = await store.append_messages(conversation_id, [new])
    payload = {"conversation_id": conversation_id, "locale": "en", "identity": None}
    await store.enqueue("turn", payload, 0.0, key=f"turn:{conversation_id}")
    for _ in range(200):
        messages = await store.messages_after(conversation_id, stored.seq, 10)
        if any(m.sender == "bot" for m in messages):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the queued turn never ran")


async def test_a_rating_comment_is_stored_without_the_password_in_it(
    chat_server: TestServer,
) -> None:
    from tests.test_handoff import agent_online, open_ticket

    ana = await agent_online(chat_server, "ana@support.example", "Ana")
    customer, number = await open_ticket(server_url(chat_server))
    await ana.call("claim", {"ticket": number})
    await ana.call("close", {"ticket": number, "resolution": "reset the mailbox"})
    comment = "thanks! btw my password is Sommer2024 now"
    rated = await customer.call("rate", {"ticket": number, "score": 5, "comment": comment})
    assert rated["ok"]
    ticket = await chat_server.app[keys.STORE].get_ticket(number)
    assert ticket is not None and ticket.rating_comment
    assert "Sommer2024" not in ticket.rating_comment
    assert ticket.rating_comment.startswith("thanks!")


def test_an_identity_token_that_never_expires_is_refused() -> None:
    import base64
    import hashlib
    import hmac

    from chatbot.errors import InvalidToken
    from chatbot.identity import verify_user_token

    secret = b"s" * 32

    def token(exp: str) -> str:
        def part(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        header = part(b'{"alg":"HS256","typ":"JWT"}')
        claims = part(('{"sub":"u1","exp":' + exp + "}").encode())
        signed = hmac.new(secret, f"{header}.{claims}".encode(), hashlib.sha256).digest()
        return f"{header}.{claims}.{part(signed)}"

    assert verify_user_token(token("4102444800"), secret, 1.0).user_id == "u1"
    for never in ("NaN", "Infinity", "1e999"):
        with pytest.raises(InvalidToken):
            verify_user_token(token(never), secret, 1.0)


async def test_the_database_and_its_folder_are_private(chat_server: TestServer) -> None:
    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    await customer.say("hello")
    data_dir = chat_server.app[keys.SETTINGS].data_dir
    files = [p for p in data_dir.iterdir() if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, path
    assert data_dir.stat().st_mode & 0o077 == 0


async def test_rest_replies_follow_the_protocol_rules(chat_server: TestServer) -> None:
    from tests.fixtures import add_agent, login
    from tests.test_handoff import open_ticket

    _, number = await open_ticket(server_url(chat_server))
    token = await login(
        chat_server, *await add_agent(chat_server, "lead@support.example", "Lead", "admin")
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        url = chat_server.make_url(f"/api/tickets/{number}/messages")
        for body in ({"text": "   \n "}, {"text": "hello", "id": "<script>"}):
            response = await http.post(url, json=body, headers=headers)
            assert response.status == 400, body
            assert (await response.json())["error"]["code"] == "invalid_payload"


def test_visitor_tokens_expire_unless_used_and_are_renewed_on_use() -> None:
    from chatbot.errors import InvalidToken
    from chatbot.web.tokens import LIFETIME_SECONDS, RENEW_AFTER_SECONDS, VisitorTokens

    now = [1_000_000.0]
    tokens = VisitorTokens(b"k" * 32, lambda: now[0])
    visitor, token = tokens.issue()
    assert tokens.verify(token) == visitor and tokens.renewed(token) is None
    now[0] += RENEW_AFTER_SECONDS + 1
    fresh = tokens.renewed(token)
    assert fresh is not None and fresh != token and tokens.verify(fresh) == visitor
    now[0] += LIFETIME_SECONDS - 10
    with pytest.raises(InvalidToken):
        tokens.verify(token)  # not used for 90 days: expired
    assert tokens.verify(fresh) == visitor  # the renewed one, issued a day later, holds


async def test_wildcard_names_share_one_diagnosis_budget(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """*.evil.example pointing at someone's server: 60 names used to give 60 probes."""
    from chatbot.diagnostics import DiagnosticsConfig
    from chatbot.diagnostics.guard import InvalidDomain
    from chatbot.store.ephemeral import MemoryEphemeral
    from chatbot.web.diagnosis import DiagnosisRunner, registered_name

    probed: list[str] = []

    async def fake_diagnose(name: str, service: str, config: Any) -> Any:
        probed.append(name)
        raise InvalidDomain("not probed in a test")

    monkeypatch.setattr("chatbot.web.diagnosis.diagnose", fake_diagnose)
    runner = DiagnosisRunner(DiagnosticsConfig(), engine, MemoryEphemeral(), lambda: 1000.0)
    for n in range(60):
        await runner.run(f"host{n}.evil.example", "website", f"visitor{n}", "en")
    assert 0 < len(probed) <= 6
    assert registered_name("www.example.co.uk") == "example.co.uk"
    assert registered_name("shop.kafebar.no") == "kafebar.no"


async def test_an_upload_after_erasure_on_another_process_leaves_no_file(
    chat_server: TestServer,
) -> None:
    """The customer was erased while their socket sat on another process: its later
    upload is refused and nothing stays on disk."""
    from chatbot.privacy import erase_visitor

    customer = ChatClient(server_url(chat_server))
    await customer.connect(locale="en")
    await customer.say("hello")
    app = chat_server.app
    visitor_id = customer.session["visitor_token"].split(".")[1] if customer.session else ""
    await erase_visitor(app[keys.STORE], app[keys.ATTACHMENTS], visitor_id)
    ack = await customer.call("attach", {"id": "late", "name": "s.png", "data": png()})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    folder = app[keys.SETTINGS].attachments_path
    assert not folder.exists() or not list(folder.iterdir())
