"""The OpenAPI 3.1 document of the REST API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

__all__ = ["OPENAPI"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
}
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "example": "HS-104233"},
}

_INCIDENT = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "example": "INC-3"},
}
_VISITOR = {
    "name": "visitor_id",
    "in": "path",
    "required": True,
    "description": "the ticket's `customer.visitor_id` (`user:<portal id>` for verified"
    " customers), or `-` with `ticket`",
    "schema": {"type": "string"},
}
_BY_TICKET = {
    "name": "ticket",
    "in": "query",
    "description": "name the customer by one of their tickets instead",
    "schema": {"type": "string", "example": "HS-104233"},
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "chatbot API",
        "version": "1",
        "description": "Tickets for helpdesk bridges and the agent console. Every call except"
        " login needs `Authorization: Bearer <token>`. Webhooks (`ticket.created`,"
        " `ticket.updated`, `message.created`) are described in docs/api.md.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "responses": {
            "BadRequest": _json(_ref("Error"), "Invalid input"),
            "Unauthorized": _json(_ref("Error"), "No valid session token"),
            "NotFound": _json(_ref("Error"), "No such ticket"),
            "Forbidden": _json(
                _ref("Error"), "Not allowed: another agent's chat, or a field only admins use"
            ),
            "Conflict": _json(_ref("Error"), "Conflicts with the ticket's state"),
        },
        "schemas": {
            "NewIncident": {
                "type": "object",
                "required": ["service", "messages"],
                "properties": {
                    "service": {"type": "string", "example": "email"},
                    "targets": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Servers or domains affected; empty: every customer"
                        " of the service",
                        "example": ["mail3"],
                    },
                    "messages": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "example": {"en": "Mail on mail3 is down since 14:05."},
                    },
                    "started_at": {"type": "number", "description": "Unix time; default now"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "retry_after": {"type": "string"},
                        },
                    }
                },
            },
            "Agent": {
                "type": "object",
                "required": ["id", "name", "email", "role"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    "role": {"enum": ["agent", "admin"]},
                },
            },
            "Ticket": {
                "type": "object",
                "required": ["number", "title", "status", "priority", "fields", "customer"],
                "properties": {
                    "number": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"enum": ["open", "in_progress", "waiting", "closed"]},
                    "priority": {"enum": ["urgent", "vip", "high", "normal", "low"]},
                    "language": {"type": "string"},
                    "service": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "missing": {"type": "array", "items": {"type": "string"}},
                    "expected_response": {"type": ["string", "null"]},
                    "customer": {"type": "object"},
                    "conversation_id": {"type": "string"},
                    "assignee": {"type": ["object", "null"]},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "claimed_at": {"type": ["string", "null"]},
                    "first_response_at": {"type": ["string", "null"]},
                    "closed_at": {"type": ["string", "null"]},
                    "resolution": {"type": ["string", "null"]},
                    "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                    "rating_comment": {"type": ["string", "null"]},
                },
            },
            "Message": {
                "type": "object",
                "required": ["conversation_id", "seq", "id", "from", "text", "at"],
                "properties": {
                    "conversation_id": {"type": "string"},
                    "seq": {"type": "integer"},
                    "id": {"type": "string"},
                    "from": {"enum": ["customer", "bot", "agent", "system"]},
                    "text": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                    "agent": {
                        "type": "object",
                        "description": "who wrote: `id` and `name` of the agent account;"
                        " `on_behalf_of` when an admin bridge posted for someone",
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "on_behalf_of": {"type": "string"},
                        },
                    },
                    "articles": {"type": "array"},
                },
            },
            "Note": {
                "type": "object",
                "required": ["ticket", "id", "agent", "text", "at"],
                "properties": {
                    "ticket": {"type": "string"},
                    "id": {"type": "string"},
                    "agent": {"type": "object"},
                    "text": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                },
            },
            "TicketChange": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "maxLength": 200},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "priority": {"enum": ["urgent", "vip", "high", "normal", "low"]},
                    "status": {"enum": ["open", "in_progress", "waiting", "closed"]},
                    "resolution": {
                        "type": "string",
                        "maxLength": 2000,
                        "description": "required with status closed",
                    },
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/auth/login": {
            "post": {
                "summary": "Log in an agent; returns a session token",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["email", "password"],
                                "properties": {
                                    "email": {"type": "string"},
                                    "password": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["token", "expires_at", "agent"],
                            "properties": {
                                "token": {"type": "string"},
                                "expires_at": {"type": "string", "format": "date-time"},
                                "agent": _ref("Agent"),
                            },
                        },
                        "Logged in",
                    ),
                    **_ERRORS,
                    "429": _json(
                        _ref("Error"),
                        "Too many failed logins from this address, or for this account from"
                        " an address it has not logged in from before: wait Retry-After",
                    ),
                },
            }
        },
        "/api/auth/logout": {
            "post": {
                "summary": "End the session of the token sent",
                "responses": {"204": {"description": "Logged out"}, **_ERRORS},
            }
        },
        "/api/me": {
            "get": {
                "summary": "The logged-in agent",
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"agent": _ref("Agent")}}, "The agent"
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/tickets": {
            "get": {
                "summary": "Tickets, newest first",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"enum": ["open", "in_progress", "waiting", "closed"]},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "description": "text to find in the number, title, fields or customer",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"tickets": {"type": "array", "items": _ref("Ticket")}},
                        },
                        "Tickets",
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/tickets/{number}": {
            "get": {
                "summary": "One ticket with its whole transcript and internal notes",
                "parameters": [_NUMBER],
                "responses": {
                    "200": _json(
                        {
                            "allOf": [
                                _ref("Ticket"),
                                {
                                    "type": "object",
                                    "properties": {
                                        "messages": {"type": "array", "items": _ref("Message")},
                                        "notes": {"type": "array", "items": _ref("Note")},
                                    },
                                },
                            ]
                        },
                        "The ticket",
                    ),
                    **_ERRORS,
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            },
            "patch": {
                "summary": "Change title, fields, priority or status (closing needs a resolution)",
                "description": "Everything is checked before anything changes: a close that"
                " is refused (another agent's chat: 403; closed already: 409) applies none of"
                " the other fields sent with it.",
                "parameters": [_NUMBER],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("TicketChange")}},
                },
                "responses": {
                    "200": _json(_ref("Ticket"), "The changed ticket"),
                    **_ERRORS,
                    "403": {"$ref": "#/components/responses/Forbidden"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "409": {"$ref": "#/components/responses/Conflict"},
                },
            },
        },
        "/api/tickets/{number}/messages": {
            "post": {
                "summary": "Reply to the customer: the message reaches their chat (and e-mail"
                " if they are away)",
                "description": "The console's rules: an agent writes only in a chat they hold"
                " (claimed, or transferred to them); an admin in any chat that is not closed."
                " Only admins may set `on_behalf_of` (or `author`): the customer then sees"
                ' "Ana (via <admin account name>)" and the message keeps the posting'
                " account's id.",
                "parameters": [_NUMBER],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {
                                    "text": {"type": "string", "maxLength": 4000},
                                    "id": {
                                        "type": "string",
                                        "maxLength": 64,
                                        "description": "your id: a retry with it is stored once",
                                    },
                                    "on_behalf_of": {
                                        "type": "string",
                                        "maxLength": 80,
                                        "description": "admins only: who in your helpdesk"
                                        ' wrote it; shown as "Ana (via <account name>)"',
                                    },
                                    "author": {
                                        "type": "string",
                                        "maxLength": 80,
                                        "description": "older name of `on_behalf_of` (admins only)",
                                        "deprecated": True,
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(
                        {
                            "type": "object",
                            "properties": {
                                "message": _ref("Message"),
                                "duplicate": {"type": "boolean"},
                            },
                        },
                        "Stored and sent",
                    ),
                    "200": {"description": "Already stored with this id (a retry)"},
                    **_ERRORS,
                    "403": {"$ref": "#/components/responses/Forbidden"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "409": {"$ref": "#/components/responses/Conflict"},
                },
            }
        },
        "/api/reports": {
            "get": {
                "summary": "The support lead's report (admins)",
                "parameters": [
                    {
                        "name": "days",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 366},
                    }
                ],
                "responses": {
                    "200": {"description": "Totals, per language and per day"},
                    **_ERRORS,
                    "403": _json(_ref("Error"), "Not an admin"),
                },
            }
        },
        "/api/incidents": {
            "get": {
                "summary": "Incidents, newest first; `?active=1`: only those not resolved",
                "parameters": [{"name": "active", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "`{incidents: [...]}`"}, **_ERRORS},
            },
            "post": {
                "summary": "Announce an outage (admins); the bot tells affected customers first",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewIncident")}},
                },
                "responses": {
                    "201": {"description": "`{incident: {...}}` with its id, e.g. INC-3"},
                    **_ERRORS,
                    "403": _json(_ref("Error"), "Not an admin"),
                },
            },
        },
        "/api/incidents/{id}": {
            "get": {
                "summary": "One incident and the tickets linked to it",
                "parameters": [_INCIDENT],
                "responses": {
                    "200": {"description": "`{incident, tickets: [{number, status}]}`"},
                    **_ERRORS,
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            }
        },
        "/api/incidents/{id}/resolve": {
            "post": {
                "summary": "Resolve (admins): linked tickets close, each customer is told",
                "parameters": [_INCIDENT],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "messages": {
                                        "type": "object",
                                        "description": "What customers are told, per language",
                                        "additionalProperties": {"type": "string"},
                                    }
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": {"description": "`{incident, closed_tickets: [...]}`"},
                    **_ERRORS,
                    "403": _json(_ref("Error"), "Not an admin"),
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "409": {"$ref": "#/components/responses/Conflict"},
                },
            }
        },
        "/api/status": {
            "get": {
                "summary": "Public: active incidents (service and message, no targets)",
                "security": [],
                "parameters": [{"name": "lang", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "`{status: ok|degraded, incidents}`"}},
            }
        },
        "/api/customers/{visitor_id}/export": {
            "get": {
                "summary": "Everything stored about one customer (admins): conversations with"
                " their messages, tickets, ratings, attachments; not the internal notes",
                "parameters": [_VISITOR, _BY_TICKET],
                "responses": {
                    "200": {"description": "The customer's data as JSON"},
                    **_ERRORS,
                    "403": _json(_ref("Error"), "Not an admin"),
                    "404": _json(_ref("Error"), "Nothing stored about this customer"),
                },
            }
        },
        "/api/customers/{visitor_id}": {
            "delete": {
                "summary": "Erase one customer (admins): conversations, messages, tickets,"
                " notes and attachment files",
                "parameters": [_VISITOR, _BY_TICKET],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "visitor_id": {"type": "string"},
                                "conversations": {"type": "array", "items": {"type": "string"}},
                                "tickets": {"type": "array", "items": {"type": "string"}},
                                "messages": {"type": "integer"},
                                "attachments": {"type": "integer"},
                            },
                        },
                        "What was deleted",
                    ),
                    **_ERRORS,
                    "403": _json(_ref("Error"), "Not an admin"),
                    "404": _json(_ref("Error"), "Nothing stored about this customer"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
    },
}
