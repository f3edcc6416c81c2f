"""Calls to the service APIs with the signed-in user's access token.

The portal keeps no data of its own: every page is built from these calls. An API's problem+json answer
becomes :class:`ApiProblem` (shown on the page, field errors beside the fields); a rejected token sends
the user through sign-in again; an API that does not answer is :class:`ApiUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from portal.auth.session import SignedIn
from portal.i18n import current_locale, html_lang


@dataclass(frozen=True, slots=True)
class FieldError:
    key: str
    message: str


class ApiUnavailable(Exception):
    """The API did not answer (down, unreachable or too slow)."""

    def __init__(self, service: str) -> None:
        super().__init__(f"the {service} API is unavailable")
        self.service = service


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem answered by an API."""

    status: int
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    request_id: str = ""

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.detail}")

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = [
            FieldError(str(item.get("key", "")), str(item.get("message", "")))
            for item in body.get("errors") or []
            if isinstance(item, dict)
        ]
        return cls(
            status=response.status_code,
            title=str(body.get("title") or response.reason_phrase),
            detail=str(body.get("detail") or ""),
            errors=errors,
            request_id=str(body.get("request_id") or response.headers.get("x-request-id", "")),
        )

    def field_errors(self) -> dict[str, str]:
        """The API's message per field (the first one when a field has several)."""
        found: dict[str, str] = {}
        for error in self.errors:
            found.setdefault(error.key, error.message)
        return found


class Api:
    """The service APIs as one user sees them."""

    def __init__(
        self, http: httpx.AsyncClient, urls: Mapping[str, str], token: str, request_id: str = ""
    ) -> None:
        self.http = http
        self.urls = urls
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json, application/problem+json",
            "Accept-Language": html_lang(current_locale()),
        }
        if request_id:
            self.headers["X-Request-ID"] = request_id

    async def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.send(service, "GET", path, params=params)

    async def post(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.send(service, "POST", path, **kwargs)

    async def put(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.send(service, "PUT", path, **kwargs)

    async def patch(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.send(service, "PATCH", path, **kwargs)

    async def delete(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.send(service, "DELETE", path, **kwargs)

    async def download(
        self, service: str, path: str, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """A file the API serves (an export, a report, an evidence file): the whole response, checked."""
        return await self.send(service, "GET", path, params=params, raw=True)  # type: ignore[no-any-return]

    async def send(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        raw = kwargs.pop("raw", False)
        url = self.urls[service].rstrip("/") + path
        params = kwargs.pop("params", None)
        if params:
            kwargs["params"] = {k: v for k, v in params.items() if v not in (None, "")}
        try:
            response = await self.http.request(method, url, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(service) from exc
        if response.status_code == 401:
            raise NotAuthorizedException("the API refused the session's token")
        if response.status_code in (502, 503, 504):
            raise ApiUnavailable(service)
        if response.status_code >= 400:
            raise ApiProblem.from_response(response)
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        return response.json()


#: How a handler asks for the APIs: ``api: UserApi``.
UserApi = NamedDependency[Api]


async def provide_api(request: Request[Any, Any, Any]) -> Api:
    """Litestar dependency ``api``: the APIs with this request's access token."""
    signed_in = request.scope.get("auth")
    if not isinstance(signed_in, SignedIn):
        raise NotAuthorizedException("sign-in required")
    return Api(
        request.app.state.http,
        request.app.state.api_urls,
        signed_in.tokens.access_token,
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
    )
