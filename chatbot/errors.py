"""The domain's exceptions. Each carries a stable ``code`` that clients may branch on."""

from __future__ import annotations

__all__ = [
    "ChatbotError",
    "ConfigError",
    "Conflict",
    "Forbidden",
    "InvalidPayload",
    "InvalidToken",
    "NotFound",
    "RateLimited",
    "StoreUnavailable",
    "Unauthorized",
]


class ChatbotError(Exception):
    """Base of every error the protocol reports to a client."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def as_payload(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidPayload(ChatbotError):
    code = "invalid_payload"
    http_status = 400


class InvalidToken(ChatbotError):
    code = "invalid_token"
    http_status = 401


class Unauthorized(ChatbotError):
    """No valid agent session: log in (again)."""

    code = "unauthorized"
    http_status = 401


class NotFound(ChatbotError):
    code = "not_found"
    http_status = 404


class Forbidden(ChatbotError):
    """Authenticated, but not allowed to do this."""

    code = "forbidden"
    http_status = 403


class Conflict(ChatbotError):
    """The request clashes with the current state: ``already_claimed``, ``too_many_chats``,
    ``ticket_closed``, ``email_taken``..."""

    code = "conflict"
    http_status = 409


class StoreUnavailable(ChatbotError):
    code = "temporarily_unavailable"
    http_status = 503


class RateLimited(ChatbotError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def as_payload(self) -> dict[str, str]:
        return {**super().as_payload(), "retry_after": f"{self.retry_after:.1f}"}


class ConfigError(ChatbotError):
    code = "config_error"
