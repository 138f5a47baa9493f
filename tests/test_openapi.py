"""The OpenAPI document is data (chatbot/web/openapi.yml); its enums say what the code
accepts: the ticket statuses, priorities and agent roles of chatbot.ticket_types, which the
store's own tuples repeat."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatbot import store
from chatbot.ticket_types import AGENT_ROLES, PRIORITIES, STATUSES
from chatbot.web.openapi import OPENAPI, load_openapi


def enums_named(document: Any, name: str) -> Iterator[list[str]]:
    """Every ``enum`` of a property or a parameter called ``name``."""
    if isinstance(document, dict):
        if document.get("name") == name and "enum" in document.get("schema", {}):
            yield document["schema"]["enum"]  # a parameter
        for key, value in document.items():
            if key == name and isinstance(value, dict) and "enum" in value:
                yield value["enum"]  # a property
            yield from enums_named(value, name)
    elif isinstance(document, list):
        for item in document:
            yield from enums_named(item, name)


def test_the_document_is_loaded_from_its_data_file() -> None:
    assert load_openapi() == OPENAPI
    assert OPENAPI["openapi"].startswith("3.1")
    assert "/api/tickets/{number}" in OPENAPI["paths"]


def test_every_status_priority_and_role_enum_is_what_the_code_accepts() -> None:
    statuses = list(enums_named(OPENAPI, "status"))
    priorities = list(enums_named(OPENAPI, "priority"))
    roles = list(enums_named(OPENAPI, "role"))
    # The ticket schema, the change, and the list's query parameter.
    assert len(statuses) >= 3 and len(priorities) >= 2 and roles, (statuses, priorities, roles)
    for enum in statuses:
        assert enum == list(STATUSES), enum
    for enum in priorities:
        assert enum == list(PRIORITIES), enum
    for enum in roles:
        assert enum == list(AGENT_ROLES), enum


def test_the_store_knows_the_same_statuses_and_priorities() -> None:
    assert tuple(store.STATUSES) == STATUSES
    assert tuple(store.PRIORITIES) == PRIORITIES


def test_a_drifted_enum_is_found() -> None:
    document = {
        "schemas": {"Ticket": {"properties": {"status": {"enum": ["open", "done"]}}}},
        "parameters": [{"name": "status", "in": "query", "schema": {"enum": ["closed"]}}],
    }
    assert list(enums_named(document, "status")) == [["open", "done"], ["closed"]]
