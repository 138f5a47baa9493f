"""The OpenAPI 3.1 document of the REST API (``openapi.yml`` beside this module, data a
writer edits without touching Python), served at ``/api/openapi.json``."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

__all__ = ["OPENAPI", "load_openapi"]


def load_openapi() -> dict[str, Any]:
    text = resources.files("chatbot.web").joinpath("openapi.yml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ValueError("chatbot/web/openapi.yml must hold one mapping")
    return document


OPENAPI: dict[str, Any] = load_openapi()
