"""OpenID Connect endpoints in Keycloak's URL layout under ``/realms/{realm}``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Controller, MediaType, Request, Response, get, post, route
from litestar.datastructures import Cookie
from litestar.params import FromPath

from devidp.errors import NO_CACHE, AdminError, OAuthError, PageError
from devidp.keys import InvalidTokenError
from devidp.pages import logged_out_page, login_page, logout_confirm_page, update_password_page
from devidp.realm import Client, redirect_uri_allowed
from devidp.service import SSO_COOKIE, IdentityService, now_s
from devidp.store import User

_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
#: Authorization request parameters carried through the login form as hidden fields.
_AUTH_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
_OIDC = "/protocol/openid-connect"
_UPDATE_PASSWORD_TTL = 300


def _service(request: Request[Any, Any, Any], realm: str) -> IdentityService:
    service: IdentityService = request.app.state.idp
    if realm != service.realm.name:
        raise AdminError(404, {"error": "Realm does not exist"})
    return service


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The urlencoded body, first value per name; empty values count as absent (httpx sends them)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    form: dict[str, str] = {}
    for key, value in parse_qsl(body, keep_blank_values=False):
        form.setdefault(key, value)
    return form


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if v != ""}


def _json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=content, status_code=status, media_type=MediaType.JSON, headers=headers or {})


def _html(content: str, status: int = 200, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(
        content=content, status_code=status, media_type=MediaType.HTML, headers=NO_CACHE, cookies=cookies
    )


def _redirect(url: str, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(content=b"", status_code=302, headers={"Location": url, **NO_CACHE}, cookies=cookies)


def _with_params(uri: str, params: dict[str, str], fragment: bool = False) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    if fragment:
        return f"{uri}#{query}"
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _cookie_path(service: IdentityService) -> str:
    return f"/realms/{service.realm.name}/"


def _sso_cookie(service: IdentityService, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SSO_COOKIE,
        value=value,
        path=_cookie_path(service),
        httponly=True,
        samesite="lax",
        secure=service.config.base_url.startswith("https://"),
        max_age=max_age,
    )


class _AuthRequest:
    """A validated authorization request; errors after the redirect URI is trusted go back to it."""

    def __init__(self, service: IdentityService, params: dict[str, str]) -> None:
        self.params = {k: params[k] for k in _AUTH_PARAMS if params.get(k)}
        client = service.realm.clients.get(params.get("client_id", ""))
        if client is None or not client.enabled:
            raise PageError(400, "Client not found.")
        self.client: Client = client
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or not redirect_uri_allowed(redirect_uri, client.redirect_uris):
            raise PageError(400, "Invalid parameter: redirect_uri")
        self.redirect_uri = redirect_uri
        mode = params.get("response_mode", "query")
        if mode not in ("query", "fragment"):
            raise PageError(400, "Invalid parameter: response_mode")
        self.fragment = mode == "fragment"
        self.state = params.get("state")
        self.scope = params.get("scope")
        self.nonce = params.get("nonce")
        self.issuer = service.issuer
        self.error: Response[Any] | None = None
        if params.get("response_type") != "code":
            self._fail(
                "unsupported_response_type",
                "Client is not allowed to initiate browser login with given "
                "response_type. The dev identity server supports response_type=code only.",
            )
        elif not client.standard_flow:
            self._fail(
                "unauthorized_client",
                "Client is not allowed to initiate browser login with given "
                "response_type. Standard flow is disabled for the client.",
            )
        elif any(
            w not in {"openid", *client.default_scopes, *client.optional_scopes}
            for w in (self.scope or "").split()
        ):
            self._fail("invalid_scope", f"Invalid scopes: {self.scope}")
        self.code_challenge = params.get("code_challenge")
        self.code_challenge_method = params.get("code_challenge_method")
        if self.error is None:
            self._check_pkce()

    def _check_pkce(self) -> None:
        method, challenge = self.code_challenge_method, self.code_challenge
        if self.client.pkce_method:
            if not method:
                return self._fail("invalid_request", "Missing parameter: code_challenge_method")
            if method != self.client.pkce_method:
                return self._fail(
                    "invalid_request",
                    "Invalid parameter: code challenge method is not matching the configured one",
                )
            if not challenge:
                return self._fail("invalid_request", "Missing parameter: code_challenge")
        if challenge:
            self.code_challenge_method = method = method or "plain"
            if method not in ("plain", "S256"):
                return self._fail("invalid_request", "Invalid parameter: code_challenge_method")
            if not _CHALLENGE.fullmatch(challenge):
                return self._fail("invalid_request", "Invalid parameter: code_challenge")
        return None

    def _fail(self, error: str, description: str) -> None:
        self.error = self.redirect({"error": error, "error_description": description})

    def redirect(self, params: dict[str, str], cookies: list[Cookie] | None = None) -> Response[Any]:
        values = {**params, "state": self.state or "", "iss": self.issuer}
        return _redirect(_with_params(self.redirect_uri, values, self.fragment), cookies)


class OpenIdController(Controller):
    path = "/realms/{realm:str}"

    @get("/", status_code=200)
    async def realm_info(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        return _json(
            {
                "realm": service.realm.name,
                "public_key": service.keys.public_key_der_b64(),
                "token-service": f"{service.issuer}{_OIDC}",
                "account-service": f"{service.issuer}/account",
                "tokens-not-before": 0,
            }
        )

    @get("/.well-known/openid-configuration", status_code=200)
    async def discovery(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        base = f"{service.issuer}{_OIDC}"
        return _json(
            {
                "issuer": service.issuer,
                "authorization_endpoint": f"{base}/auth",
                "token_endpoint": f"{base}/token",
                "introspection_endpoint": f"{base}/token/introspect",
                "userinfo_endpoint": f"{base}/userinfo",
                "end_session_endpoint": f"{base}/logout",
                "jwks_uri": f"{base}/certs",
                "frontchannel_logout_session_supported": False,
                "frontchannel_logout_supported": False,
                "backchannel_logout_supported": False,
                "grant_types_supported": [
                    "authorization_code",
                    "client_credentials",
                    "password",
                    "refresh_token",
                ],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["none"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "introspection_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
                "scopes_supported": ["openid", *sorted(service.realm.scopes)],
                "claims_supported": [
                    "aud",
                    "sub",
                    "iss",
                    "auth_time",
                    "name",
                    "given_name",
                    "family_name",
                    "preferred_username",
                    "email",
                    "email_verified",
                    "acr",
                    "county_id",
                    "school_id",
                ],
                "claim_types_supported": ["normal"],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
                "authorization_response_iss_parameter_supported": True,
                "tls_client_certificate_bound_access_tokens": False,
            }
        )

    @get(f"{_OIDC}/certs", status_code=200)
    async def certs(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        return _json(service.keys.jwks(), headers={"Cache-Control": "no-cache"})

    @post(f"{_OIDC}/token", status_code=200)
    async def token(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        form = await _form(request)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "Missing form parameter: grant_type")
        client = service.authenticate_client(form, request.headers.get("authorization"))
        host = request.client.host if request.client else "unknown"
        if grant_type == "password":
            body = await service.password_grant(client, form, host)
        elif grant_type == "client_credentials":
            body = await service.client_credentials_grant(client, form, host)
        elif grant_type == "refresh_token":
            body = await service.refresh_grant(client, form)
        elif grant_type == "authorization_code":
            body = await service.authorization_code_grant(client, form)
        else:
            raise OAuthError(400, "unsupported_grant_type", "Unsupported grant_type")
        return _json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @post(f"{_OIDC}/token/introspect", status_code=200)
    async def introspect(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        form = await _form(request)
        client = service.authenticate_client(form, request.headers.get("authorization"))
        token = form.get("token")
        if not token:
            raise OAuthError(400, "invalid_request", "Token not provided.")
        return _json(await service.introspect(client, token))

    @route(f"{_OIDC}/userinfo", http_method=["GET", "POST"], status_code=200)
    async def userinfo(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if request.method == "POST" and not token:
            scheme, token = "bearer", (await _form(request)).get("access_token", "")
        challenge = {
            "WWW-Authenticate": f'Bearer realm="{service.realm.name}", error="invalid_token", '
            'error_description="Token verification failed"'
        }
        if scheme.lower() != "bearer" or not token.strip():
            raise OAuthError(401, "invalid_token", "Token verification failed", challenge)
        try:
            claims = await service.userinfo(token.strip())
        except InvalidTokenError as exc:
            raise OAuthError(401, "invalid_token", "Token verification failed", challenge) from exc
        return _json(claims)

    # --- browser flow -----------------------------------------------------------------------

    @route(f"{_OIDC}/auth", http_method=["GET", "POST"], status_code=200)
    async def auth(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        params = _query(request) if request.method == "GET" else await _form(request)
        auth = _AuthRequest(service, params)
        if auth.error is not None:
            return auth.error
        action = f"{service.issuer}{_OIDC}/auth"
        title = service.realm.display_name
        prompt = params.get("prompt", "")

        if request.method == "GET":
            existing = (
                None
                if prompt == "login"
                else await service.session_from_cookie(request.cookies.get(SSO_COOKIE))
            )
            if existing is not None:
                user, session = existing
                await service.store.touch_session(session.id, now_s())
                return await self._complete(service, auth, user, session=session, acr="0")
            if prompt == "none":
                return auth.redirect({"error": "login_required", "error_description": "Login required"})
            return _html(login_page(title, action, auth.params, "", None))

        if "password-new" in params or "action_token" in params:
            return await self._update_password(service, auth, params, action)

        username = params.get("username", "")
        address = request.client.host if request.client else "unknown"
        login = await service.check_login(username, params.get("password", ""), address)
        if login.error in ("temporarily_disabled", "too_many_failures"):
            message = "Too many failed login attempts. Please try again later."
            return _html(login_page(title, action, auth.params, username, message), status=429)
        if login.error == "invalid_credentials" or login.user is None:
            return _html(login_page(title, action, auth.params, username, "Invalid username or password."))
        if login.error == "disabled":
            message = "Account is disabled, contact your administrator."
            return _html(login_page(title, action, auth.params, username, message))
        if "UPDATE_PASSWORD" in login.user.required_actions:
            token = self._action_token(service, login.user, auth.client)
            return _html(update_password_page(title, action, auth.params, token, None))
        return await self._complete(service, auth, login.user, session=None, acr="1")

    @staticmethod
    def _action_token(service: IdentityService, user: User, client: Client) -> str:
        now = now_s()
        claims = {
            "typ": "update-password",
            "iss": service.issuer,
            "sub": user.id,
            "azp": client.client_id,
            "iat": now,
            "exp": now + _UPDATE_PASSWORD_TTL,
        }
        return service.keys.sign(claims, hmac=True)

    async def _update_password(
        self, service: IdentityService, auth: _AuthRequest, params: dict[str, str], action: str
    ) -> Response[Any]:
        title = service.realm.display_name
        token = params.get("action_token", "")
        try:
            claims = service.keys.verify(token, hmac=True)
        except InvalidTokenError as exc:
            raise PageError(400, "Action expired. Please start again.") from exc
        valid = claims.get("typ") == "update-password" and claims.get("iss") == service.issuer
        if not valid or claims.get("azp") != auth.client.client_id or int(claims.get("exp", 0)) < now_s():
            raise PageError(400, "Action expired. Please start again.")
        user = await service.store.get_user(str(claims.get("sub")))
        if user is None or not user.enabled:
            raise PageError(400, "Action expired. Please start again.")
        new, confirm = params.get("password-new", ""), params.get("password-confirm", "")
        error = None
        if not new:
            error = "Please specify password."
        elif new != confirm:
            error = "Passwords don't match."
        elif violation := service.password_violation(new, user):
            error = f"Invalid password: {violation}"
        if error:
            return _html(update_password_page(title, action, auth.params, token, error))
        await service.set_password(user, new, temporary=False)
        return await self._complete(service, auth, user, session=None, acr="1")

    async def _complete(
        self, service: IdentityService, auth: _AuthRequest, user: User, *, session: Any, acr: str
    ) -> Response[Any]:
        if session is None:
            session = await service.start_session(user)
        code = await service.issue_code(
            client=auth.client,
            user=user,
            session=session,
            redirect_uri=auth.redirect_uri,
            scope=auth.scope,
            nonce=auth.nonce,
            code_challenge=auth.code_challenge,
            code_challenge_method=auth.code_challenge_method,
            acr=acr,
        )
        cookie = _sso_cookie(service, service.sso_cookie(session), service.sso_max)
        return auth.redirect({"session_state": session.id, "code": code}, cookies=[cookie])

    @route(f"{_OIDC}/logout", http_method=["GET", "POST"], status_code=200)
    async def logout(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = _service(request, realm)
        form = await _form(request) if request.method == "POST" else {}
        if form.get("refresh_token"):
            # Back-channel logout as python-keycloak's ``logout(refresh_token)`` sends it.
            client = service.authenticate_client(form, request.headers.get("authorization"))
            await service.logout_with_refresh_token(client, form["refresh_token"])
            return Response(content=b"", status_code=204)
        params = {**_query(request), **form}
        title = service.realm.display_name
        hint = None
        if params.get("id_token_hint"):
            try:
                hint = service.verify_id_token_hint(params["id_token_hint"])
            except InvalidTokenError as exc:
                raise PageError(400, "Invalid parameter: id_token_hint") from exc
        client_id = params.get("client_id") or (hint or {}).get("azp")
        target = service.realm.clients.get(str(client_id)) if client_id else None
        redirect = params.get("post_logout_redirect_uri")
        if redirect:
            if target is None:
                raise PageError(400, "Missing parameters: id_token_hint")
            if not redirect_uri_allowed(redirect, target.post_logout_redirect_uris):
                raise PageError(400, "Invalid redirect uri")
        existing = await service.session_from_cookie(request.cookies.get(SSO_COOKIE))
        confirmed = hint is not None or params.get("confirmLogout") == "yes"
        if not confirmed and existing is not None:
            keep = {k: params[k] for k in ("post_logout_redirect_uri", "state", "client_id") if params.get(k)}
            return _html(logout_confirm_page(title, f"{service.issuer}{_OIDC}/logout", keep))
        if hint is not None:
            await service.end_session(hint.get("sid"))
        if existing is not None:
            await service.end_session(existing[1].id)
        cleared = [_sso_cookie(service, "", 0)]
        if redirect:
            return _redirect(_with_params(redirect, {"state": params.get("state", "")}), cleared)
        return _html(logged_out_page(title), cookies=cleared)
