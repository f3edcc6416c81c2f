"""RFC 9457 problem+json responses for every 4xx and 5xx a service returns."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from kit.errors import DomainError
from kit.logging import get_logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://safecampus.example/problems/"

_TITLES = {
    400: ("Bad request", "bad-request"),
    401: ("Not authenticated", "unauthenticated"),
    403: ("Forbidden", "forbidden"),
    404: ("Not found", "not-found"),
    405: ("Method not allowed", "method-not-allowed"),
    409: ("Conflict", "conflict"),
    413: ("Request body too large", "too-large"),
    415: ("Unsupported media type", "unsupported-media-type"),
    422: ("Invalid input", "invalid-input"),
    429: ("Too many requests", "rate-limited"),
    500: ("Internal server error", "internal"),
    503: ("Service unavailable", "unavailable"),
}

log = get_logger(__name__)


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
    type_suffix: str | None = None,
) -> Response[dict[str, Any]]:
    default_title, default_suffix = _TITLES.get(status, ("Error", "error"))
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (type_suffix or default_suffix),
        "title": title or default_title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_errors(extra: Any) -> list[dict[str, Any]]:
    if not isinstance(extra, list):
        return []
    out = []
    for item in extra:
        if isinstance(item, dict):
            out.append({k: v for k, v in item.items() if k in ("key", "message", "source")})
    return out


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        return problem(request, 400, "the request is not valid", errors=_validation_errors(exc.extra))
    detail = exc.detail if status < 500 else _TITLES.get(status, ("Error", ""))[0]
    return problem(request, status, detail, headers=exc.headers)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return problem(
        request, exc.status, exc.detail, errors=exc.errors, title=exc.title, type_suffix=exc.type_suffix
    )


def handle_integrity_error(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    # A constraint the service did not pre-check (a race on a unique key); nothing was written.
    log.info("integrity_error", error=str(exc.orig)[:300])
    return problem(request, 409, "the change conflicts with existing data")


#: SQLSTATE classes of a database that cannot serve right now: 08 (the connection failed), 53 (out of
#: connection slots, memory or disk) and 57 (shutting down, starting up, restarted by an operator). asyncpg
#: raises them as plain DBAPIErrors, not OperationalErrors, when Postgres restarts under load.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def _unavailable(exc: DBAPIError) -> bool:
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str):
            return code[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    return False


def handle_database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if "row-level security" in text:
        # Postgres refused a row outside the caller's tenant: the caller named something that is not theirs.
        return problem(request, 404, "not found")
    if isinstance(exc, OperationalError) or exc.connection_invalidated or _unavailable(exc):
        log.warning("database_unavailable", error=text[:300])
        return problem(
            request, 503, "the database is unavailable; try again shortly", headers={"Retry-After": "5"}
        )
    log.exception("database_error")
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal error")


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if isinstance(exc, OSError | ConnectionError) and "connect" in str(exc).lower():
        log.warning("dependency_unavailable", error=str(exc)[:300])
        return problem(
            request, 503, "a dependency is unavailable; try again shortly", headers={"Retry-After": "5"}
        )
    log.exception("unhandled_error", error_type=type(exc).__name__)
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal error")


#: The body of every error answer, as the OpenAPI documents it (what clients and fuzzers check against).
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details",
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "request_id": Schema(type=OpenAPIType.STRING),
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
    },
)


def document_problem_responses(schema: OpenAPI) -> None:
    """Make the OpenAPI document say what error answers really are: Litestar documents its 4xx as
    ``application/json`` with its own body; every service answers :data:`PROBLEM_SCHEMA` as problem+json."""
    for path_item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "patch", "delete"):
            operation = getattr(path_item, method, None)
            for status, response in ((operation.responses or {}) if operation else {}).items():
                if str(status).isdigit() and int(status) >= 400 and isinstance(response, OpenAPIResponse):
                    response.content = {PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=PROBLEM_SCHEMA)}


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: handle_http_exception,
    DomainError: handle_domain_error,
    IntegrityError: handle_integrity_error,
    DBAPIError: handle_database_error,
    Exception: handle_unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_SCHEMA",
    "MediaType",
    "document_problem_responses",
    "problem",
]
