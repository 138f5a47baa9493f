"""Arbitrary payloads at every customer event: never a crash, always a clear answer."""

from __future__ import annotations

from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures import AgentClient, ChatClient, ServerFactory, add_agent, login, server_url

CODES = {
    "invalid_payload",
    "too_long",
    "empty_message",
    "unknown_event",
    # rate and attach: a ticket that is not theirs or not closed, a file we do not take
    "not_found",
    "not_closed",
    "empty_file",
    "too_large",
    "unsupported_type",
}
AGENT_CODES = CODES | {
    "already_claimed",
    "too_many_chats",
    "ticket_closed",
    "not_assigned",
    "forbidden",
    "conflict",
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
# Payloads shaped like the real ones, with wrong or extreme values in their fields.
message_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(min_size=0, max_size=80),
        "text": json_values | st.text(max_size=5000),
        "value": json_values,
    },
)
history_like = st.fixed_dictionaries({}, optional={"after": json_values})
events = st.sampled_from(
    ["message", "history", "typing", "rate", "attach", "bogus", "connect", "disconnect"]
)
agent_events = st.sampled_from(
    [
        "snapshot",
        "open",
        "history",
        "claim",
        "release",
        "transfer",
        "close",
        "message",
        "note",
        "update",
        "typing",
        "presence",
        "kb_search",
        "reports",
        "attach",
        "bogus",
        "disconnect",
    ]
)
agent_like = st.fixed_dictionaries(
    {},
    optional={
        "ticket": json_values | st.sampled_from(["HS-104201", "hs-104201", "HS-1", "X" * 50]),
        "id": json_values | st.text(max_size=80),
        "text": json_values | st.text(max_size=5000),
        "to": json_values,
        "resolution": json_values | st.text(max_size=3000),
        "status": json_values | st.sampled_from(["online", "away", "closed", "open"]),
        "fields": json_values,
        "priority": json_values | st.sampled_from(["urgent", "low"]),
        "title": json_values,
        "q": json_values | st.text(max_size=600),
        "article": json_values,
        "data": json_values | st.binary(max_size=300),
        "name": json_values,
        "days": json_values,
        "on": json_values,
    },
)


@pytest.fixture
async def chat_server(make_server: ServerFactory) -> TestServer:
    """One server for every example, with fair-use limits out of the way."""
    return await make_server(connection_burst=100_000, message_burst=100_000)


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def check_ack(ack: Any) -> None:
    assert isinstance(ack, dict), ack
    if ack.get("ok") is True:
        return
    assert ack["ok"] is False
    assert ack["error"]["code"] in CODES, ack
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]


@FUZZ
@given(event=events, payload=json_values | message_like | history_like)
async def test_any_payload_to_any_event_gets_a_clear_answer(
    chat_server: TestServer, event: str, payload: Any
) -> None:
    client = ChatClient(server_url(chat_server))
    await client.connect()
    if event in ("connect", "disconnect"):
        # Reserved names cannot be emitted by a client library; send them as data.
        ack = await client.call("message", {"id": "reserved", "text": repr(payload)[:3000]})
    else:
        ack = await client.call(event, payload)
    check_ack(ack)
    healthy = await client.call("history", {"after": 0})
    assert healthy["ok"] is True
    await client.disconnect()


@pytest.fixture
async def agent_token(chat_server: TestServer) -> str:
    """An admin's session, and one open ticket for the events to act on."""
    customer = ChatClient(server_url(chat_server))
    await customer.connect()
    await customer.ask_for_person("I want to talk to a real person about kafebar.no")
    await customer.disconnect()
    return await login(chat_server, *await add_agent(chat_server, "fuzz@x.example", "F", "admin"))


@FUZZ
@given(event=agent_events, payload=json_values | agent_like)
async def test_any_payload_to_any_agent_event_gets_a_clear_answer(
    chat_server: TestServer, agent_token: str, event: str, payload: Any
) -> None:
    agent = AgentClient(server_url(chat_server))
    await agent.connect(agent_token)
    ack = await agent.call(event, payload)
    assert isinstance(ack, dict), ack
    if ack.get("ok") is not True:
        assert ack["ok"] is False and ack["error"]["code"] in AGENT_CODES, ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]
    assert (await agent.call("snapshot"))["ok"] is True
    await agent.disconnect()


@FUZZ
@given(auth=json_values)
async def test_any_connect_auth_connects_or_is_refused_cleanly(
    chat_server: TestServer, auth: Any
) -> None:
    client = ChatClient(server_url(chat_server))
    try:
        await client.sio.connect(
            server_url(chat_server), auth=auth, transports=["websocket"], wait_timeout=10
        )
    except socketio.exceptions.ConnectionError:
        if isinstance(auth, dict):
            # A well-formed connect is answered: connected, or refused with a code.
            assert client.refused is not None
            codes = {"invalid_token", "invalid_payload", "too_long"}
            assert client.refused["data"]["code"] in codes
        # Anything else is not a Socket.IO connect at all: the library drops it.
    await client.disconnect()
    probe = ChatClient(server_url(chat_server))
    await probe.connect()
    assert (await probe.call("history", {"after": 0}))["ok"] is True
    await probe.disconnect()
