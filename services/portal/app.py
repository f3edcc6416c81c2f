"""The portal's Litestar app: server-rendered pages (Jinja2 + htmx) over the service APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig

from kit.app import security_headers_middleware
from kit.auth import TokenVerifier
from kit.logging import configure_logging, get_logger
from kit.observability import metrics_endpoint, request_context_middleware
from portal import SERVICE
from portal.api import provide_api
from portal.auth.controller import AuthController
from portal.auth.oidc import OidcClient, OidcError
from portal.auth.session import SESSION_COOKIE, SessionAuthMiddleware, SignedSessionConfig
from portal.domain.audit.controller import AuditController
from portal.domain.home.controller import HomeController
from portal.domain.language.controller import LanguageController
from portal.domain.notifications.controller import NotificationsController
from portal.domain.school.controller import SchoolProfileController
from portal.domain.schools import labels
from portal.domain.schools.controller import SchoolsController
from portal.i18n import (
    current_locale,
    format_timestamp,
    html_lang,
    install,
    locale_middleware,
    ntranslate,
    translate,
)
from portal.nav import AREAS, area_routes
from portal.settings import LOCALES, PortalSettings
from portal.web import EXCEPTION_HANDLERS

HERE = Path(__file__).parent
#: Reachable without a session (everything else is deny by default).
PUBLIC_PATHS = [
    "^/auth/",
    "^/health/",
    "^/metrics$",
    "^/static/",
    "^/language",
    "^/favicon.ico$",
    # The public hazard report (a school's QR link): anyone, no account.
    "^/report/",
]
CSRF_COOKIE = "safecampus_csrf"
CSRF_HEADER = "X-CSRF-Token"
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}

log = get_logger(__name__)


def _templates() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(translate, ntranslate, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        html_lang=html_lang,
        current_locale=current_locale,
        format_timestamp=format_timestamp,
        locales=LOCALES,
        language_names=LANGUAGE_NAMES,
        labels=labels,
        areas=AREAS,
        csrf_header=CSRF_HEADER,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def _session_store(settings: PortalSettings) -> Store:
    if settings.session_store_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.session_store_url).with_namespace("portal-sessions")
    return MemoryStore()


def _security_headers(settings: PortalSettings) -> list[ResponseHeader]:
    idp = urlsplit(settings.base.keycloak_url)
    idp_origin = f"{idp.scheme}://{idp.netloc}"
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {idp_origin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    headers = [
        ResponseHeader(name="Content-Security-Policy", value=policy),
        ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
        ResponseHeader(name="X-Frame-Options", value="DENY"),
        ResponseHeader(name="Referrer-Policy", value="same-origin"),
        ResponseHeader(name="Cache-Control", value="no-store"),
    ]
    if settings.secure_cookies:  # served over https: browsers must never fall back to http
        headers.append(ResponseHeader(name="Strict-Transport-Security", value="max-age=31536000"))
    return headers


def create_app(settings: PortalSettings | None = None) -> Litestar:
    """Build the portal. Settings come from the environment unless given."""
    settings = settings or PortalSettings.from_env()
    configure_logging(settings.base.log_level, settings.base.log_json)
    install()
    verifier = TokenVerifier(settings.base)
    oidc = OidcClient(settings)

    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", include_in_schema=False)
    async def ready(request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            await oidc.discovery()
        except OidcError:
            return Response({"status": "identity provider unavailable"}, status_code=503)
        return Response({"status": "ok"})

    @get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
    def favicon() -> Response[bytes]:
        return Response(content=b"", status_code=204)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.api_timeout) as http:
            app.state.http = http
            yield

    session = SignedSessionConfig(
        key=SESSION_COOKIE,
        secret=settings.session_secret,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        max_age=settings.session_max_age,
        store="sessions",
    )
    csrf = CSRFConfig(
        secret=settings.session_secret,
        cookie_name=CSRF_COOKIE,
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name=CSRF_HEADER,
    )
    app = Litestar(
        route_handlers=[
            live,
            ready,
            metrics_endpoint,
            favicon,
            create_static_files_router(path="/static", directories=[HERE / "static"], name="static"),
            AuthController,
            LanguageController,
            HomeController,
            SchoolsController,
            SchoolProfileController,
            NotificationsController,
            AuditController,
            *area_routes(),
        ],
        middleware=[
            session.middleware,
            locale_middleware(settings.default_locale),
            DefineMiddleware(SessionAuthMiddleware, verifier=verifier, oidc=oidc, exclude=PUBLIC_PATHS),
        ],
        dependencies={"api": Provide(provide_api)},
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=_templates(),
        csrf_config=csrf,
        stores={"sessions": _session_store(settings)},
        response_headers=_security_headers(settings),
        lifespan=[lifespan],
        openapi_config=None,
        # kit.logging owns the handlers (JSON lines); Litestar must not install its own.
        logging_config=None,
    )
    # Outermost, so that redirects and problems are counted and carry the request id too.
    # Error pages (403, 404, 500) bypass ``response_headers``: the wrapper gives them the same headers.
    page_headers = {header.name: str(header.value) for header in _security_headers(settings)}
    app.asgi_handler = request_context_middleware(SERVICE)(
        security_headers_middleware(app.asgi_handler, page_headers)
    )
    app.state.settings = settings
    app.state.verifier = verifier
    app.state.oidc = oidc
    app.state.api_urls = settings.api_urls
    return app
