"""Keycloak access-token verification and role guards.

Tokens are verified locally: the realm's JWKS is fetched through python-keycloak, cached for
``jwks_ttl_seconds``, and fetched again at most once when a token names an unknown ``kid`` (a rotated
key). Issuer, audience, expiry and algorithm are checked on every token. No network call per request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException, JWKeyNotFound
from keycloak import KeycloakOpenID
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Method, Scopes

from kit.settings import Settings
from tenants import TenantContext, TenantContextError

ALLOWED_ALGORITHMS = ["RS256"]
#: After a refetch for an unknown ``kid``, do not refetch again for this long (bounds the load a
#: stream of forged tokens can put on the identity server).
UNKNOWN_KID_REFETCH_INTERVAL = 10.0


class InvalidTokenError(Exception):
    """The token is not one this deployment accepts. The message is safe to show the caller."""


class TokenVerifier:
    """Verifies access tokens of one realm against a cached JWKS."""

    def __init__(
        self,
        settings: Settings,
        *,
        openid: KeycloakOpenID | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._openid = openid or KeycloakOpenID(
            server_url=settings.keycloak_url,
            realm_name=settings.keycloak_realm,
            client_id=settings.api_audience,
        )
        self._issuer = settings.issuer
        self._audience = settings.api_audience
        self._ttl = settings.jwks_ttl_seconds
        self._clock = clock
        self._keys: jwk.JWKSet | None = None
        self._fetched_at = 0.0
        self._last_kid_refetch = -UNKNOWN_KID_REFETCH_INTERVAL
        self._lock = asyncio.Lock()
        #: How many times the JWKS was fetched (observable in tests and metrics).
        self.fetch_count = 0

    async def _fetch(self) -> jwk.JWKSet:
        certs = await self._openid.a_certs()
        keys = jwk.JWKSet()
        for cert in certs.get("keys", []):
            if cert.get("use", "sig") == "sig" and cert.get("kty") == "RSA":
                keys.add(jwk.JWK(**cert))
        self._keys = keys
        self._fetched_at = self._clock()
        self.fetch_count += 1
        return keys

    async def _current_keys(self) -> jwk.JWKSet:
        if self._keys is not None and self._clock() - self._fetched_at < self._ttl:
            return self._keys
        async with self._lock:
            if self._keys is not None and self._clock() - self._fetched_at < self._ttl:
                return self._keys
            try:
                return await self._fetch()
            except Exception as exc:
                if self._keys is not None:  # identity provider down: keep serving with the keys we have
                    return self._keys
                raise InvalidTokenError("the identity provider's keys are unavailable") from exc

    async def _refetch_for_unknown_kid(self) -> jwk.JWKSet | None:
        async with self._lock:
            now = self._clock()
            if now - self._last_kid_refetch < UNKNOWN_KID_REFETCH_INTERVAL:
                return None
            self._last_kid_refetch = now
            try:
                return await self._fetch()
            except Exception:
                return None

    def _decode(self, token: str, keys: jwk.JWKSet) -> dict[str, Any]:
        claims: dict[str, Any] = self._openid.decode_token(
            token,
            key=keys,
            algs=ALLOWED_ALGORITHMS,
            expected_type="JWS",
            check_claims={"iss": self._issuer, "aud": self._audience, "exp": None},
            leeway=30,
        )
        if claims.get("typ", "Bearer") != "Bearer":
            raise InvalidTokenError("not an access token")
        return claims

    async def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid access token, or raise :class:`InvalidTokenError`."""
        if len(token) > 16_384:
            raise InvalidTokenError("token too large")
        keys = await self._current_keys()
        try:
            try:
                return self._decode(token, keys)
            except JWKeyNotFound:
                fresh = await self._refetch_for_unknown_kid()
                if fresh is None:
                    raise
                return self._decode(token, fresh)
        except InvalidTokenError:
            raise
        except (JWException, jws.InvalidJWSObject, jwt.JWTExpired, ValueError, TypeError, KeyError) as exc:
            raise InvalidTokenError("invalid token") from exc


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class KeycloakAuthMiddleware(AbstractAuthenticationMiddleware):
    """Deny by default: every route needs a valid bearer token unless its path is excluded."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        exclude: str | list[str] | None = None,
        exclude_from_auth_key: str = "exclude_from_auth",
        exclude_http_methods: list[Method] | None = None,
        scopes: Scopes | None = None,
    ) -> None:
        super().__init__(
            app=app,
            exclude=exclude,
            exclude_from_auth_key=exclude_from_auth_key,
            exclude_http_methods=exclude_http_methods or ["OPTIONS"],
            scopes=scopes,
        )
        self.verifier = verifier

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection.headers)
        if token is None:
            raise NotAuthorizedException("a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        try:
            claims = await self.verifier.verify(token)
            tenant = TenantContext.from_claims(claims)
        except (InvalidTokenError, TenantContextError) as exc:
            raise NotAuthorizedException(
                str(exc), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from exc
        return AuthenticationResult(user=tenant, auth=claims)


def requires_role(*roles: str) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A Litestar guard: the caller must hold one of ``roles``; otherwise 403."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        tenant = connection.user
        if not isinstance(tenant, TenantContext) or tenant.roles.isdisjoint(allowed):
            raise PermissionDeniedException(f"this needs one of the roles: {', '.join(sorted(allowed))}")

    guard.__name__ = f"requires_role_{'_'.join(sorted(allowed))}"
    guard.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the route-matrix test and docs
    return guard
