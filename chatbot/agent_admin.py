"""Agent accounts from the command line: ``chatbot agents add|list|passwd`` and the demo agent."""

from __future__ import annotations

import os
import secrets
import time
from typing import Literal

from chatbot.handoff.agents import AgentAuth
from chatbot.settings import Settings
from chatbot.store import Agent
from chatbot.store.backends import opened_store

__all__ = ["DEMO_AGENT_EMAIL", "add_agent", "ensure_demo_agent", "list_agents", "set_password"]

DEMO_AGENT_EMAIL = "ana@aurorahost.example"
DEMO_AGENT_NAME = "Ana"


async def add_agent(
    settings: Settings, email: str, name: str, password: str, role: Literal["agent", "admin"]
) -> Agent:
    async with opened_store(settings) as store:
        return await AgentAuth(store, time.time).add(email, name, password, role)


async def set_password(settings: Settings, email: str, password: str) -> Agent:
    async with opened_store(settings) as store:
        return await AgentAuth(store, time.time).set_password(email, password)


async def list_agents(settings: Settings) -> list[Agent]:
    async with opened_store(settings) as store:
        return await store.list_agents()


async def ensure_demo_agent(settings: Settings) -> tuple[str, str]:
    """The demo's support lead (an admin): created once, with a random password kept
    beside the database (readable by its owner only) so every start can print it."""
    secret_file = settings.data_dir / "demo-agent-password"
    async with opened_store(settings) as store:
        auth = AgentAuth(store, time.time)
        password = secret_file.read_text().strip() if secret_file.is_file() else ""
        exists = await store.agent_credentials(DEMO_AGENT_EMAIL) is not None
        if exists and password:
            return DEMO_AGENT_EMAIL, password
        password = secrets.token_urlsafe(12)
        if exists:
            await auth.set_password(DEMO_AGENT_EMAIL, password)
        else:
            await auth.add(DEMO_AGENT_EMAIL, DEMO_AGENT_NAME, password, "admin")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password + "\n")
        return DEMO_AGENT_EMAIL, password
