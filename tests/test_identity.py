"""Verified portal identities: refused when forged, trusted when signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestServer

from chatbot.errors import InvalidToken
from chatbot.identity import verify_user_token
from tests.fixtures import ChatClient, ServerFactory, server_url

SECRET = "portal-and-chatbot-share-this-secret"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], secret: str = SECRET, alg: str = "HS256") -> str:
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "sub": "u-1001",
        "name": "Ana Horvat",
        "email": "ana@cvjecarna.hr",
        "plan": "premium",
        "customer_number": "100234",
        "role": "owner",
        "domains": ["cvjecarna.hr"],
        "exp": int(time.time()) + 600,
    }
    base.update(overrides)
    return base


def test_a_valid_token_gives_the_identity() -> None:
    identity = verify_user_token(jwt(claims()), SECRET.encode(), time.time())
    assert identity.user_id == "u-1001" and identity.is_owner
    assert identity.plan == "premium" and identity.domains == ("cvjecarna.hr",)


def tampered(token: str) -> str:
    header, _body, signature = token.split(".")
    body = b64(json.dumps(claims(plan="enterprise", sub="u-9")).encode())
    return f"{header}.{body}.{signature}"


def unsigned(token: str) -> str:
    _header, body, _ = token.split(".")
    return f"{b64(json.dumps({'alg': 'none'}).encode())}.{body}."


@pytest.mark.parametrize(
    "token",
    [
        jwt(claims(), secret="some-other-secret"),
        jwt(claims(exp=int(time.time()) - 5)),
        jwt({k: v for k, v in claims().items() if k != "exp"}),
        jwt({k: v for k, v in claims().items() if k != "sub"}),
        jwt(claims(), alg="HS512"),
        jwt(claims(), alg="RS256"),
        tampered(jwt(claims())),
        unsigned(jwt(claims())),
        "not.a.jwt",
        "",
        "a" * 5000,
    ],
    ids=[
        "bad-signature", "expired", "no-exp", "no-sub", "hs512", "rs256",
        "tampered-claims", "alg-none", "garbage", "empty", "huge",
    ],
)  # fmt: skip
def test_forged_or_expired_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_user_token(token, SECRET.encode(), time.time())


def test_without_a_configured_secret_nobody_is_verified() -> None:
    with pytest.raises(InvalidToken):
        verify_user_token(jwt(claims()), b"", time.time())


@pytest.fixture
async def portal_server(make_server: ServerFactory) -> TestServer:
    return await make_server(identity_secret=SECRET)


async def test_a_forged_portal_token_is_refused_on_connect(portal_server: TestServer) -> None:
    client = ChatClient(server_url(portal_server))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(user_token=jwt(claims(), secret="guessed"))
    assert client.refused["data"]["code"] == "invalid_token"
    expired = ChatClient(server_url(portal_server))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await expired.connect(user_token=jwt(claims(exp=int(time.time()) - 1)))
    assert "expired" in expired.refused["message"]


async def test_a_verified_customer_sees_one_conversation_on_every_device(
    portal_server: TestServer,
) -> None:
    laptop = ChatClient(server_url(portal_server))
    session = await laptop.connect(user_token=jwt(claims()))
    assert session["verified"] is True and session["visitor_token"] is None
    await laptop.say("how do I change my php version")
    phone = ChatClient(server_url(portal_server))
    again = await phone.connect(user_token=jwt(claims()))
    assert again["conversation_id"] == session["conversation_id"]
    history = (await phone.call("history", {"after": 0}))["messages"]
    assert history[0]["text"] == "how do I change my php version"
    stranger = ChatClient(server_url(portal_server))
    other = await stranger.connect(user_token=jwt(claims(sub="u-2002")))
    assert other["conversation_id"] != session["conversation_id"]


async def test_a_premium_customer_gets_a_vip_ticket_with_their_account(
    portal_server: TestServer,
) -> None:
    client = ChatClient(server_url(portal_server))
    await client.connect(user_token=jwt(claims()))
    await client.say("I want to talk to a human about my website, it is urgent")
    [ticket] = client.tickets
    assert ticket["priority"] in ("vip", "urgent")


async def test_the_owner_may_ask_for_owner_only_things_a_technical_contact_may_not(
    portal_server: TestServer,
) -> None:
    owner = ChatClient(server_url(portal_server))
    await owner.connect(user_token=jwt(claims()))
    replies = await owner.say("I want to cancel my hosting")
    owner_only = replies[0]["text"]
    technical = ChatClient(server_url(portal_server))
    await technical.connect(user_token=jwt(claims(sub="u-3", role="technical")))
    refused = await technical.say("I want to cancel my hosting")
    assert refused[0]["text"] != owner_only
    assert "owner" in refused[0]["text"]
