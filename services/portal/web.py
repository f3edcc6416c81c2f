"""Rendering pages, the navigation each role sees, and turning errors into readable pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from kit.logging import get_logger
from portal.api import ApiProblem, ApiUnavailable
from portal.auth.oidc import OidcError
from portal.auth.session import SignedIn
from portal.i18n import N_, gettext
from portal.nav import NavItem, current_entry, navigation
from tenants import TenantContext

log = get_logger(__name__)

ROLE_LABELS = {
    "bureau": N_("Education bureau"),
    "principal": N_("Principal"),
    "teacher": N_("Teacher"),
    "guard": N_("Security guard"),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at the page."""

    name: str
    roles: frozenset[str]
    tenant: TenantContext

    @classmethod
    def of(cls, request: Request[Any, Any, Any]) -> Viewer | None:
        tenant = request.scope.get("user")
        signed_in = request.scope.get("auth")
        if not isinstance(tenant, TenantContext) or not isinstance(signed_in, SignedIn):
            return None
        return cls(name=signed_in.display_name or tenant.username, roles=tenant.roles, tenant=tenant)

    @property
    def role(self) -> str:
        for role in ("bureau", "principal", "teacher", "guard"):
            if role in self.roles:
                return role
        return ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, "")

    @property
    def navigation(self) -> list[NavItem]:
        return [item for item in navigation() if not item.roles.isdisjoint(self.roles)]

    def current(self, path: str) -> str:
        """The menu entry to mark as the current page."""
        return current_entry(self.navigation, path)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A page (or, for htmx, a fragment template) with the viewer and the current path in its context."""
    return Template(
        template_name=template,
        context={"viewer": Viewer.of(request), "current_path": request.url.path, **context},
        status_code=status_code,
    )


def safe_next(value: str | None) -> str:
    """A local path to come back to after sign-in (never another site, never the auth pages)."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    if parts.path.startswith("/auth/") or "\\" in value:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _where_the_user_was(request: Request[Any, Any, Any]) -> str:
    """The page to return to: this URL for a page load, the page behind an htmx call or form post."""
    if request.method == "GET" and not is_htmx(request):
        return safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    for header in ("hx-current-url", "referer"):
        value = request.headers.get(header, "")
        parts = urlsplit(value)
        if value and parts.netloc == request.url.netloc:
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return "/"


def login_redirect(request: Request[Any, Any, Any], _: Exception | None = None) -> Response[Any]:
    """An expired or missing session: sign in, then come back to where the user was."""
    target = f"/auth/login?next={quote(_where_the_user_was(request), safe='')}"
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


_STATUS_MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("You do not have access to this page."),
    404: N_("This page or record does not exist, or it is not yours to see."),
    409: N_("This conflicts with the current data."),
    413: N_("The upload is too large."),
    422: N_("Some of the information is not valid."),
    500: N_("Something went wrong on our side."),
    503: N_("The service is unavailable. Try again in a moment."),
}


def error_page(
    request: Request[Any, Any, Any], status: int, message: str, *, detail: str = "", request_id: str = ""
) -> Template:
    """The error as a page, or as a message fragment for an htmx call (swapped into the page's alert area)."""
    template = "errors/_alert.html" if is_htmx(request) else "errors/page.html"
    return page(
        request,
        template,
        status_code=status,
        status=status,
        message=message,
        detail=detail,
        request_id=request_id or str(request.scope.get("state", {}).get("request_id", "")),
    )


def status_message(status: int) -> str:
    key = status if status in _STATUS_MESSAGES else (500 if status >= 500 else 400)
    return gettext(_STATUS_MESSAGES[key])


def _forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    if "CSRF" in str(exc.detail):
        message = gettext("This form has expired. Reload the page and try again.")
    else:
        message = status_message(403)
    return error_page(request, 403, message)


def _not_found(request: Request[Any, Any, Any], _: NotFoundException) -> Response[Any]:
    return error_page(request, 404, status_message(404))


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        status = 400
    if status >= 500:
        log.error("portal_http_error", status=status, detail=exc.detail)
    return error_page(request, status, status_message(status))


def _api_problem(request: Request[Any, Any, Any], exc: ApiProblem) -> Response[Any]:
    status = exc.status if exc.status < 500 else 502
    return error_page(
        request, status, status_message(exc.status), detail=exc.detail, request_id=exc.request_id
    )


def _unavailable(request: Request[Any, Any, Any], exc: ApiUnavailable | OidcError) -> Response[Any]:
    log.warning("dependency_unavailable", error=str(exc))
    return error_page(request, 503, status_message(503))


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("portal_unhandled_error", error_type=type(exc).__name__)
    try:
        return error_page(request, 500, status_message(500))
    except Exception:  # the error page itself failed: plain text, never a loop
        return Response(content="internal error", status_code=500, media_type=MediaType.TEXT)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    NotAuthorizedException: login_redirect,
    PermissionDeniedException: _forbidden,
    NotFoundException: _not_found,
    HTTPException: _http,
    ApiProblem: _api_problem,
    ApiUnavailable: _unavailable,
    OidcError: _unavailable,
    Exception: _unexpected,
}
