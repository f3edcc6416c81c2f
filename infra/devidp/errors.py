"""Errors in the shapes Keycloak answers with, and their Litestar handlers."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from litestar import MediaType, Request, Response


class OAuthError(Exception):
    """An OAuth/OIDC endpoint error: ``{"error": ..., "error_description": ...}``."""

    def __init__(
        self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = dict(headers or {})


class AdminError(Exception):
    """An Admin REST error with Keycloak's body for it (``{"error": ...}`` or ``{"errorMessage": ...}``)."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = dict(body)

    @classmethod
    def not_found(cls, message: str) -> AdminError:
        return cls(404, {"error": message, "error_description": message})

    @classmethod
    def bad_request(cls, message: str) -> AdminError:
        return cls(400, {"error": message, "error_description": message})

    @classmethod
    def conflict(cls, message: str) -> AdminError:
        return cls(409, {"errorMessage": message})


class PageError(Exception):
    """A browser-facing error: Keycloak renders an error page instead of redirecting."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def oauth_error_handler(_: Request[Any, Any, Any], exc: OAuthError) -> Response[Any]:
    return Response(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers={"Cache-Control": "no-store", **exc.headers},
        media_type=MediaType.JSON,
    )


def admin_error_handler(_: Request[Any, Any, Any], exc: AdminError) -> Response[Any]:
    return Response(exc.body, status_code=exc.status, media_type=MediaType.JSON)


def page_error_handler(_: Request[Any, Any, Any], exc: PageError) -> Response[Any]:
    return Response(
        error_page(exc.message), status_code=exc.status, media_type=MediaType.HTML, headers=NO_CACHE
    )


NO_CACHE = {"Cache-Control": "no-store, must-revalidate, max-age=0"}


def error_page(message: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Error</title></head>"
        f"<body><h1>We are sorry...</h1><p id='kc-error-message'>{html.escape(message)}</p></body></html>"
    )
