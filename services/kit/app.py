"""The Litestar app factory every SafeCampus service is built with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar._openapi.schema_generation import SchemaCreator
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPIType, Schema, SecurityScheme
from litestar.plugins import OpenAPISchemaPlugin
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send
from litestar.typing import FieldDefinition

from kit.auth import KeycloakAuthMiddleware, TokenVerifier
from kit.db import COUNT_QUERIES, Database, count_queries_middleware, provide_db_session
from kit.logging import configure_logging, get_logger
from kit.observability import metrics_endpoint, request_context_middleware
from kit.problems import EXCEPTION_HANDLERS, document_problem_responses, problem
from kit.settings import Settings
from kit.tracing import tracing_plugins
from tenants.guard import assert_app_role_is_safe

#: A readiness check: raises when the dependency is not usable.
ReadinessCheck = Callable[[], Awaitable[None]]

log = get_logger(__name__)
PUBLIC_PATHS = ["^/health/", "^/metrics$", "^/schema"]
#: What a security scanner expects on every API response: JSON is never sniffed as HTML, never framed,
#: never cached by a shared cache (answers carry personal data) and leaks no referrer. The API serves no
#: HTML except the Swagger page, so its policy allows nothing.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}
#: The Swagger page loads its script and styles from elsewhere: no policy there (it shows no tenant data).
_SWAGGER = "/schema/swagger"


class TimeOfDaySchema(OpenAPISchemaPlugin):
    """Document ``datetime.time`` fields as what the services send, ``"07:30:00"``: Litestar documents them
    as ``format: duration`` (and JSON Schema's ``time`` needs an offset), so a client that validates the
    schema would reject every answer with a time of day."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.annotation is dt.time

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            pattern=r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
            description="time of day, HH:MM[:SS]",
        )


def security_headers_middleware(app: ASGIApp, headers: Mapping[str, str] = SECURITY_HEADERS) -> ASGIApp:
    """ASGI wrapper that adds ``headers`` (default :data:`SECURITY_HEADERS`) to every HTTP response —
    error pages, 401s and redirects too, which Litestar's ``response_headers`` miss — without
    overriding a header a route set itself."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        swagger = str(scope.get("path", "")).startswith(_SWAGGER)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    if swagger and name == "Content-Security-Policy":
                        continue
                    if name not in present:
                        present[name] = value
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


def create_service_app(
    *,
    service: str,
    title: str,
    settings: Settings,
    database: Database,
    route_handlers: Sequence[ControllerRouterHandler],
    verifier: TokenVerifier | None = None,
    readiness: dict[str, ReadinessCheck] | None = None,
    check_role_safety: bool = True,
    debug: bool = False,
) -> Litestar:
    """Build a service app: auth (deny by default), problem+json errors, request ids, JSON logs,
    ``/health/live``, ``/health/ready``, ``/metrics`` and OpenAPI at ``/schema``."""
    configure_logging(settings.log_level, settings.log_json)
    verifier = verifier or TokenVerifier(settings)
    checks: dict[str, ReadinessCheck] = {"database": database.ping, **(readiness or {})}

    @get("/health/live", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", include_in_schema=False, exclude_from_auth=True)
    async def ready(request: Request[Any, Any, Any]) -> Response[Any]:
        failed = {}
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:  # any failure means "not ready"; the reason goes to the log
                failed[name] = type(exc).__name__
        if failed:
            log.warning("not_ready", failed=failed)
            return problem(
                request, 503, "not ready: " + ", ".join(sorted(failed)), headers={"Retry-After": "5"}
            )
        return Response({"status": "ok", "checks": sorted(checks)})

    @asynccontextmanager
    async def lifespan(app: Litestar) -> Any:
        if check_role_safety:
            raw = await database.engine.raw_connection()
            try:
                await assert_app_role_is_safe(raw.driver_connection, service)  # type: ignore[arg-type]
            finally:
                raw.close()
        try:
            yield
        finally:
            await database.dispose()

    auth = DefineMiddleware(KeycloakAuthMiddleware, verifier=verifier, exclude=PUBLIC_PATHS)
    app = Litestar(
        route_handlers=[live, ready, metrics_endpoint, *route_handlers],
        dependencies={"db_session": Provide(provide_db_session)},
        middleware=[auth],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title=title,
            version="1",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"bearer": []}],
        ),
        cors_config=CORSConfig(allow_origins=[]),
        request_max_body_size=settings.max_request_body,
        plugins=[*tracing_plugins(service), TimeOfDaySchema()],
        # kit.logging owns the handlers (JSON lines); Litestar must not install its own.
        logging_config=None,
        debug=debug,
    )
    # Outermost layer, around Litestar's own exception handling, so that every response (401s and
    # problems included) carries the request id and is counted.
    app.asgi_handler = request_context_middleware(service)(security_headers_middleware(app.asgi_handler))
    document_problem_responses(app.openapi_schema)
    if COUNT_QUERIES:  # the benchmark's statements-per-request header, outermost so that it sees them all
        app.asgi_handler = count_queries_middleware(app.asgi_handler)
    app.state.database = database
    app.state.settings = settings
    app.state.verifier = verifier
    app.state.service = service
    return app
