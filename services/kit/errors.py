"""Domain errors that services raise; the app factory turns each into an RFC 9457 problem response."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of errors a service raises for a caller's mistake. ``status`` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"
    type_suffix = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFoundError(DomainError):
    """The object does not exist *for this caller* (another tenant's object is not found, never forbidden)."""

    status = 404
    title = "Not found"
    type_suffix = "not-found"


class ConflictError(DomainError):
    """The request clashes with the current state (a duplicate, an illegal transition)."""

    status = 409
    title = "Conflict"
    type_suffix = "conflict"


class InvalidInputError(DomainError):
    """The input is well formed but breaks a rule; ``errors`` name the fields."""

    status = 422
    title = "Invalid input"
    type_suffix = "invalid-input"


class ForbiddenError(DomainError):
    """The caller's role may not do this."""

    status = 403
    title = "Forbidden"
    type_suffix = "forbidden"
