"""The portal's side of OpenID Connect: authorization code with PKCE, refresh and logout.

Every call to the identity provider goes through python-keycloak (:class:`keycloak.KeycloakOpenID`); the
two browser redirects (to the login page and to end-session) are URLs built from its discovery document.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError
from keycloak.pkce_utils import generate_code_challenge

from portal.settings import PortalSettings

#: Refresh the access token when it has less than this many seconds left.
REFRESH_MARGIN = 30


class OidcError(Exception):
    """The identity provider refused the exchange (a stale code, an ended session) or is unreachable."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the session keeps of a token response."""

    access_token: str
    refresh_token: str
    id_token: str
    #: Epoch seconds.
    expires_at: float
    refresh_expires_at: float

    @classmethod
    def from_response(cls, body: dict[str, Any], *, previous: TokenSet | None = None) -> TokenSet:
        now = time.time()
        refresh_in = float(body.get("refresh_expires_in") or 0)
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or (previous.refresh_token if previous else "")),
            id_token=str(body.get("id_token") or (previous.id_token if previous else "")),
            expires_at=now + float(body.get("expires_in") or 60),
            refresh_expires_at=now + refresh_in if refresh_in else 0.0,
        )

    @classmethod
    def from_session(cls, data: Any) -> TokenSet | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    def needs_refresh(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) >= self.expires_at - REFRESH_MARGIN


class OidcClient:
    """The confidential ``safecampus-portal`` client of the realm."""

    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self.openid = KeycloakOpenID(
            server_url=settings.base.keycloak_url,
            realm_name=settings.base.keycloak_realm,
            client_id=settings.client_id,
            client_secret_key=settings.client_secret,
            timeout=15,
        )
        self._discovery: dict[str, Any] | None = None

    async def discovery(self) -> dict[str, Any]:
        """The realm's OpenID configuration (fetched once; its endpoints do not move)."""
        if self._discovery is None:
            try:
                self._discovery = dict(await self.openid.a_well_known())
            except (KeycloakError, OSError) as exc:
                raise OidcError("the identity provider is unreachable") from exc
        return self._discovery

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        challenge, method = generate_code_challenge(code_verifier)
        endpoint = (await self.discovery())["authorization_endpoint"]
        query = urlencode(
            {
                "client_id": self.settings.client_id,
                "response_type": "code",
                "redirect_uri": self.settings.redirect_uri,
                "scope": "openid",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": method,
            }
        )
        return f"{endpoint}?{query}"

    async def exchange(self, code: str, code_verifier: str) -> tuple[TokenSet, dict[str, Any]]:
        """Trade an authorization code for tokens; also returns the ID token's claims.

        The ID token comes straight from the token endpoint over the back channel, so its claims are
        read without a second signature check (OpenID Connect Core 3.1.3.7); the access token, which
        carries the roles and the tenant, is verified by the caller like every request's.
        """
        try:
            body = await self.openid.a_token(
                grant_type="authorization_code",
                code=code,
                redirect_uri=self.settings.redirect_uri,
                code_verifier=code_verifier,
            )
        except (KeycloakError, OSError) as exc:
            raise OidcError("the sign-in could not be completed") from exc
        tokens = TokenSet.from_response(body)
        try:
            id_claims = dict(self.openid.decode_token(tokens.id_token, validate=False))
        except Exception as exc:  # a malformed ID token from a misbehaving provider
            raise OidcError("the identity provider sent an unreadable ID token") from exc
        return tokens, id_claims

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        try:
            body = await self.openid.a_refresh_token(tokens.refresh_token)
        except (KeycloakError, OSError) as exc:
            raise OidcError("the session at the identity provider has ended") from exc
        return TokenSet.from_response(body, previous=tokens)

    async def logout(self, tokens: TokenSet) -> None:
        """End the identity provider's session from the back channel (best effort: it may have ended)."""
        with contextlib.suppress(KeycloakError, OSError):
            await self.openid.a_logout(tokens.refresh_token)

    async def end_session_url(self, tokens: TokenSet, post_logout_redirect_uri: str) -> str:
        """Where the browser goes so that the provider also forgets it (its SSO cookie)."""
        endpoint = (await self.discovery())["end_session_endpoint"]
        query = urlencode(
            {
                "client_id": self.settings.client_id,
                "id_token_hint": tokens.id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{endpoint}?{query}"
