"""Sign-in (authorization code with PKCE), sign-out (back channel and end-session) and the way back."""

from __future__ import annotations

import secrets
import time
from typing import Annotated, Any

from keycloak.pkce_utils import generate_code_verifier
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect

from kit.auth import InvalidTokenError, TokenVerifier
from kit.logging import get_logger
from portal.api import Api, ApiProblem, ApiUnavailable
from portal.auth.oidc import OidcClient, OidcError, TokenSet
from portal.auth.session import COUNTY_LOCALE, LOGIN, TOKENS, rotate_session_id
from portal.i18n import gettext
from portal.web import error_page, page, safe_next
from tenants import TenantContext, TenantContextError

log = get_logger(__name__)

#: Sign-ins started in other tabs that may still come back (newest kept).
MAX_PENDING_LOGINS = 5
#: A sign-in must come back within this many seconds.
LOGIN_TTL = 600


class AuthController(Controller):
    path = "/auth"
    include_in_schema = False

    @get("/login")
    async def login(
        self,
        request: Request[Any, dict[str, Any], Any],
        next: Annotated[str, QueryParameter(max_length=2000)] = "/",
    ) -> Redirect:
        """Start the code flow: remember state, nonce and the PKCE verifier; off to the identity provider."""
        oidc: OidcClient = request.app.state.oidc
        state, nonce, verifier = (
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            generate_code_verifier(),
        )
        pending = dict(request.session.get(LOGIN) or {})
        pending[state] = {"nonce": nonce, "verifier": verifier, "next": safe_next(next), "at": time.time()}
        newest = sorted(pending.items(), key=lambda kv: kv[1].get("at", 0))[-MAX_PENDING_LOGINS:]
        request.session[LOGIN] = dict(newest)
        url = await oidc.authorization_url(state=state, nonce=nonce, code_verifier=verifier)
        return Redirect(path=url, status_code=303)

    @get("/callback")
    async def callback(
        self,
        request: Request[Any, dict[str, Any], Any],
        oauth_state: Annotated[str, QueryParameter(name="state", max_length=200)] = "",
        code: Annotated[str, QueryParameter(max_length=4096)] = "",
        error: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Response[Any]:
        """Finish the code flow: check state and nonce, keep the tokens, go back to where the user was."""
        pending = dict(request.session.get(LOGIN) or {})
        attempt = pending.pop(oauth_state, None) if oauth_state else None
        request.session[LOGIN] = pending
        if attempt is None or time.time() - float(attempt.get("at", 0)) > LOGIN_TTL:
            return self._failed(request, gettext("This sign-in link has expired. Please sign in again."))
        if error or not code:
            log.info("login_refused", error=error)
            return self._failed(request, gettext("The sign-in was not completed. Please sign in again."))
        oidc: OidcClient = request.app.state.oidc
        try:
            tokens, id_claims = await oidc.exchange(code, attempt["verifier"])
        except OidcError:
            return self._failed(request, gettext("The sign-in was not completed. Please sign in again."))
        audience = id_claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if id_claims.get("nonce") != attempt["nonce"] or oidc.settings.client_id not in audiences:
            log.warning("login_id_token_mismatch")
            return self._failed(request, gettext("The sign-in was not completed. Please sign in again."))
        verifier: TokenVerifier = request.app.state.verifier
        try:
            claims = await verifier.verify(tokens.access_token)
            TenantContext.from_claims(claims)
        except (InvalidTokenError, TenantContextError):
            await oidc.logout(tokens)
            return error_page(
                request, 403, gettext("Your account has no SafeCampus role yet. Ask your administrator.")
            )
        request.session.clear()
        request.session[TOKENS] = tokens.as_session()
        county_locale = await self._county_locale(request, tokens)
        if county_locale:
            request.session[COUNTY_LOCALE] = county_locale
        rotate_session_id(request)
        return Redirect(path=safe_next(attempt.get("next")), status_code=303)

    @staticmethod
    async def _county_locale(request: Request[Any, Any, Any], tokens: TokenSet) -> str:
        """The language of the user's county, the default until the user picks one."""
        api = Api(request.app.state.http, request.app.state.api_urls, tokens.access_token)
        try:
            county = await api.get("schools", "/county")
        except (ApiProblem, ApiUnavailable):
            return ""
        return str(county.get("locale") or "") if isinstance(county, dict) else ""

    @staticmethod
    def _failed(request: Request[Any, Any, Any], message: str) -> Response[Any]:
        return page(request, "auth/failed.html", status_code=400, message=message)

    @post("/logout", status_code=303)
    async def logout(self, request: Request[Any, dict[str, Any], Any]) -> Redirect:
        """End the portal session and the identity provider's (back channel, then end-session)."""
        oidc: OidcClient = request.app.state.oidc
        tokens = TokenSet.from_session(request.session.get(TOKENS))
        request.clear_session()
        done = f"{oidc.settings.public_url}/auth/logged-out"
        if tokens is None:
            return Redirect(path="/auth/logged-out", status_code=303)
        await oidc.logout(tokens)
        try:
            return Redirect(path=await oidc.end_session_url(tokens, done), status_code=303)
        except OidcError:
            return Redirect(path="/auth/logged-out", status_code=303)

    @get("/logged-out")
    async def logged_out(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return page(request, "auth/logged_out.html")
