"""The web server's errors: each becomes an HTTP status and a JSON ``{"error": message}``."""

from __future__ import annotations

__all__ = ["ApiError", "NotFound", "TooManySessions"]


class ApiError(Exception):
    """A request the server refuses: ``status`` (4xx) and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotFound(LookupError):
    """A name (model, session) the server does not know: HTTP 404."""


class TooManySessions(RuntimeError):
    """Every session slot is taken: HTTP 429."""
