"""The portal's server-side session and the middleware that signs users in from it.

The browser holds only a signed, random session id (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over
https); the tokens stay in the session store. The id changes at sign-in, so a planted id is worthless.
Every request verifies the access token (refreshing it first when it is about to expire) and turns it
into the same :class:`tenants.TenantContext` the APIs build, so ``kit.auth.requires_role`` guards the
portal's routes exactly as it guards the APIs'.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import ASGIApp, Empty, Scopes
from litestar.utils.dataclass import extract_dataclass_items

from kit.auth import InvalidTokenError, TokenVerifier
from portal.auth.oidc import OidcClient, OidcError, TokenSet
from tenants import TenantContext, TenantContextError

SESSION_COOKIE = "safecampus_session"
#: Session keys.
TOKENS = "tokens"
LOGIN = "login"
COUNTY_LOCALE = "county_locale"
_ROTATE = "portal.rotate_session"


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Store this request's session under a new id (and drop the old one): call at sign-in."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


class SignedSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose cookie is ``<id>.<hmac>``: ids the portal did not issue never reach the
    store, and a leaked store key is not a usable cookie. An empty session sets no cookie at all."""

    config: SignedSessionConfig

    def _sign(self, session_id: str) -> str:
        mac = hmac.new(self.config.secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()
        return f"{session_id}.{mac[:32]}"

    def _verified_id(self, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        session_id = cookie.rsplit(".", 1)[0]
        return session_id if hmac.compare_digest(self._sign(session_id), cookie) else None

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        session_id = self._verified_id(connection.cookies.get(self.config.key))
        if session_id is None:
            return {}
        data = await self.get(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
        return self.deserialize_data(data) if data is not None else {}

    async def store_in_message(
        self, scope_session: Any, message: Any, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        store = self.config.get_store_from_app(connection.scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        current = self._verified_id(connection.cookies.get(self.config.key))
        if scope_session is Empty or not scope_session:
            if current is not None:
                await self.delete(current, store=store)
            if self.config.key in connection.cookies:
                headers.add(
                    "Set-Cookie",
                    Cookie(key=self.config.key, value="", expires=0, **params).to_header(header=""),
                )
            return
        session_id = current
        if session_id is None or connection.scope.get("state", {}).get(_ROTATE):
            if current is not None:
                await self.delete(current, store=store)
            session_id = self.generate_session_id()
        await self.set(session_id, self.serialize_data(scope_session, connection.scope), store=store)
        headers.add(
            "Set-Cookie",
            Cookie(key=self.config.key, value=self._sign(session_id), **params).to_header(header=""),
        )


@dataclass
class SignedSessionConfig(ServerSideSessionConfig):
    secret: str = field(default="", repr=False)
    _backend_class = SignedSessionBackend


@dataclass(frozen=True, slots=True)
class SignedIn:
    """``request.auth`` of a signed-in request: the tokens and the verified access token's claims."""

    tokens: TokenSet
    claims: dict[str, Any]

    @property
    def display_name(self) -> str:
        return str(self.claims.get("name") or self.claims.get("preferred_username") or "")


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    """Deny by default: a request outside ``exclude`` needs a session with a valid (or refreshable) token."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        oidc: OidcClient,
        exclude: str | list[str] | None = None,
        scopes: Scopes | None = None,
    ) -> None:
        super().__init__(app=app, exclude=exclude, exclude_http_methods=["OPTIONS"], scopes=scopes)
        self.verifier = verifier
        self.oidc = oidc

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        session = connection.scope.get("session")
        if not isinstance(session, dict):
            raise NotAuthorizedException("sign-in required")
        tokens = TokenSet.from_session(session.get(TOKENS))
        if tokens is None:
            raise NotAuthorizedException("sign-in required")
        if tokens.needs_refresh():
            try:
                tokens = await self.oidc.refresh(tokens)
            except OidcError as exc:
                session.pop(TOKENS, None)
                raise NotAuthorizedException("the session has ended") from exc
            session[TOKENS] = tokens.as_session()
        try:
            claims = await self.verifier.verify(tokens.access_token)
            tenant = TenantContext.from_claims(claims)
        except (InvalidTokenError, TenantContextError) as exc:
            session.pop(TOKENS, None)
            raise NotAuthorizedException("the session is not valid") from exc
        return AuthenticationResult(user=tenant, auth=SignedIn(tokens, claims))
