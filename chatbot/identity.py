"""A verified portal identity: the customer portal signs who is logged in (JWT, HS256).

The portal's backend and this server share ``CHATBOT_IDENTITY_SECRET``. Every claim the bot
trusts (plan for priority, role for account actions) is inside the signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from typing import Any

from chatbot.errors import InvalidToken

__all__ = ["Identity", "verify_user_token"]

_MAX_TOKEN = 4096


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    name: str | None = None
    email: str | None = None
    plan: str | None = None
    customer_number: str | None = None
    #: The contact's role on the account: owner, technical or billing.
    role: str | None = None
    domains: tuple[str, ...] = ()

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "plan": self.plan,
            "customer_number": self.customer_number,
            "role": self.role,
            "domains": list(self.domains),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Identity:
        return cls(
            user_id=str(data["user_id"]),
            name=data.get("name"),
            email=data.get("email"),
            plan=data.get("plan"),
            customer_number=data.get("customer_number"),
            role=data.get("role"),
            domains=tuple(data.get("domains") or ()),
        )


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("the identity token is malformed") from exc


def _optional_str(claims: dict[str, Any], key: str) -> str | None:
    value = claims.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidToken(f"the identity token's '{key}' is not a string")
    return str(value)[:200]


def verify_user_token(token: str, secret: bytes, now: float) -> Identity:
    """The identity in ``token``; :class:`InvalidToken` unless it is a valid, unexpired
    HS256 JWT signed with ``secret``. ``alg: none`` and any other algorithm are refused."""
    if not secret:
        raise InvalidToken("verified identities are not configured on this server")
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") != 2:
        raise InvalidToken("the identity token is malformed")
    header_part, claims_part, signature_part = token.split(".")
    try:
        header = json.loads(_b64decode(header_part))
        claims = json.loads(_b64decode(claims_part))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidToken("the identity token is malformed") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("the identity token is malformed")
    if header.get("alg") != "HS256":
        raise InvalidToken("the identity token must be signed with HS256")
    expected = hmac.new(secret, f"{header_part}.{claims_part}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64decode(signature_part)):
        raise InvalidToken("the identity token's signature is not valid")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or not math.isfinite(exp):
        # NaN compares false with everything and Infinity never comes: neither expires.
        raise InvalidToken("the identity token has no expiry ('exp')")
    if exp <= now:
        raise InvalidToken("the identity token has expired; log in again")
    sub = _optional_str(claims, "sub")
    if not sub:
        raise InvalidToken("the identity token names no user ('sub')")
    domains = claims.get("domains") or []
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise InvalidToken("the identity token's 'domains' is not a list of names")
    role = _optional_str(claims, "role")
    return Identity(
        user_id=sub,
        name=_optional_str(claims, "name"),
        email=_optional_str(claims, "email"),
        plan=(_optional_str(claims, "plan") or "").lower() or None,
        customer_number=_optional_str(claims, "customer_number"),
        role=role.lower() if role else None,
        domains=tuple(d.lower() for d in domains[:50]),
    )
