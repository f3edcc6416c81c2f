"""The Litestar app factory every SafeCampus service is built with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from kit.auth import KeycloakAuthMiddleware, TokenVerifier
from kit.db import Database, provide_db_session
from kit.logging import configure_logging, get_logger
from kit.observability import metrics_endpoint, request_context_middleware
from kit.problems import EXCEPTION_HANDLERS, problem
from kit.settings import Settings
from kit.tracing import tracing_plugins
from tenants.guard import assert_app_role_is_safe

#: A readiness check: raises when the dependency is not usable.
ReadinessCheck = Callable[[], Awaitable[None]]

log = get_logger(__name__)
PUBLIC_PATHS = ["^/health/", "^/metrics$", "^/schema"]


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
        plugins=tracing_plugins(service),
        # kit.logging owns the handlers (JSON lines); Litestar must not install its own.
        logging_config=None,
        debug=debug,
    )
    # Outermost layer, around Litestar's own exception handling, so that every response (401s and
    # problems included) carries the request id and is counted.
    app.asgi_handler = request_context_middleware(service)(app.asgi_handler)
    app.state.database = database
    app.state.settings = settings
    app.state.verifier = verifier
    app.state.service = service
    return app
