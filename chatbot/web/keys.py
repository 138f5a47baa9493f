"""Typed keys for everything the application shares."""

from __future__ import annotations

from collections.abc import Callable

import socketio
from aiohttp import web

from chatbot.attachments import AttachmentStore
from chatbot.engine import EngineContext
from chatbot.handoff.agents import AgentAuth
from chatbot.handoff.fair_use import FairUse
from chatbot.handoff.live_chat import LiveChat
from chatbot.handoff.notify import Notifier
from chatbot.handoff.presence import Heartbeat, Presence
from chatbot.handoff.runner import TurnRunner
from chatbot.metrics import Metrics
from chatbot.rate_limit import RateLimiter
from chatbot.settings import Settings
from chatbot.store import Store
from chatbot.upload_quota import UploadQuota
from chatbot.web.tokens import VisitorTokens

__all__ = [
    "AGENT_AUTH",
    "ATTACHMENTS",
    "CLOCK",
    "CONNECTION_LIMITS",
    "ENGINE",
    "FAIR_USE",
    "HEARTBEAT",
    "IDENTITY_SECRET",
    "LIVE",
    "MESSAGE_LIMITS",
    "METRICS",
    "NOTIFIER",
    "PRESENCE",
    "SETTINGS",
    "SIO",
    "STORE",
    "TOKENS",
    "TURNS",
    "UPLOAD_QUOTA",
]

SETTINGS = web.AppKey("settings", Settings)
#: Returns the time as a Unix timestamp; tests may replace it.
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")
ENGINE = web.AppKey("engine", EngineContext)
STORE = web.AppKey("store", Store)
SIO = web.AppKey("sio", socketio.AsyncServer)
TOKENS = web.AppKey("tokens", VisitorTokens)
TURNS = web.AppKey("turns", TurnRunner)
MESSAGE_LIMITS = web.AppKey("message_limits", RateLimiter)
CONNECTION_LIMITS = web.AppKey("connection_limits", RateLimiter)
#: Verifies customers signed by the portal (empty: nobody is verified).
IDENTITY_SECRET = web.AppKey("identity_secret", bytes)
AGENT_AUTH = web.AppKey("agent_auth", AgentAuth)
PRESENCE = web.AppKey("presence", Presence)
NOTIFIER = web.AppKey("notifier", Notifier)
LIVE = web.AppKey("live", LiveChat)
FAIR_USE = web.AppKey("fair_use", FairUse)
HEARTBEAT = web.AppKey("heartbeat", Heartbeat)
#: Canned replies for the console: ``[{"id", "title", "text": {lang: text}}]``.
CANNED: web.AppKey[list[dict[str, object]]] = web.AppKey("canned")
ATTACHMENTS = web.AppKey("attachments", AttachmentStore)
UPLOAD_QUOTA = web.AppKey("upload_quota", UploadQuota)
METRICS = web.AppKey("metrics", Metrics)
