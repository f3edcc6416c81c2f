"""The identity server's rules: client authentication, grants, sessions, token checks, key rotation."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from devidp.brute_force import BruteForceGuard, BruteForcePolicy
from devidp.config import IdpConfig
from devidp.errors import OAuthError
from devidp.keys import InvalidTokenError, KeyRing, generate_hmac_key, generate_rsa_key
from devidp.passwords import hash_password, verify_password
from devidp.realm import Client, Realm, ServiceAccount
from devidp.store import ConflictError, Session, Store, User
from devidp.tokens import Grant, Principal, TokenIssuer, resolve_scopes

log = logging.getLogger("devidp")

SSO_COOKIE = "KEYCLOAK_IDENTITY"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_INVALID_CLIENT = "Invalid client or Invalid client credentials"


def now_s() -> int:
    return int(time.time())


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class Login:
    """The outcome of checking a username and password."""

    user: User | None
    error: str | None
    #: Seconds until a locked username or address may try again.
    retry_after: int = 0


class IdentityService:
    """One realm's identity server, backed by :class:`Store` and signing with :class:`KeyRing`."""

    def __init__(self, config: IdpConfig, realm: Realm) -> None:
        self.config = config
        self.realm = realm
        self._store: Store | None = None
        self._keys: KeyRing | None = None
        self._issuer: TokenIssuer | None = None
        self.startup_error: BaseException | None = None
        self.access_token_lifespan = config.access_token_lifespan or realm.access_token_lifespan
        self.access_code_lifespan = config.access_code_lifespan or realm.access_code_lifespan
        self.sso_idle = config.sso_session_idle_timeout or realm.sso_session_idle_timeout
        self.sso_max = config.sso_session_max_lifespan or realm.sso_session_max_lifespan
        self.brute_force = BruteForceGuard(_brute_force_policy(config, realm.brute_force))

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return f"{self.config.base_url}/realms/{self.realm.name}"

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the identity server has not started")
        return self._store

    @property
    def keys(self) -> KeyRing:
        if self._keys is None:
            raise RuntimeError("the identity server has not started")
        return self._keys

    @property
    def tokens(self) -> TokenIssuer:
        if self._issuer is None:
            raise RuntimeError("the identity server has not started")
        return self._issuer

    async def start(self) -> None:
        try:
            self._store = await Store.open(self.config.asyncpg_dsn, self.realm.name)
            stored = await self._store.ensure_keys(generate_rsa_key, generate_hmac_key)
            rsa = [k for k in stored if k.algorithm == "RS256"]
            hmac_key = next(k for k in stored if k.algorithm == "HS512")
            self._keys = KeyRing(rsa, hmac_key, self.config.published_keys)
            self._issuer = TokenIssuer(self.realm, self._keys, self.issuer)
            await self._store.purge_sessions(now_s(), self.sso_idle, self.sso_max)
            await self._seed_users()
            log.warning(
                "dev identity server (NOT Keycloak, development and tests only) serving realm %r at %s",
                self.realm.name,
                self.issuer,
            )
        except BaseException as exc:
            self.startup_error = exc
            raise

    async def stop(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None

    async def rotate_keys(self) -> str:
        """Make a new RS256 key the active one; the previous keys stay published (``published_keys``)."""
        key = await asyncio.to_thread(generate_rsa_key)
        await self.store.add_key(key)
        self.keys.add_active(key)
        log.warning("rotated realm %r signing key: new active kid %s", self.realm.name, key.kid)
        return key.kid

    # --- users and principals ---------------------------------------------------------------

    async def create_user(
        self,
        user: User,
        password: str | None,
        temporary: bool,
        realm_roles: list[str],
        client_roles: Mapping[str, list[str]],
        group_ids: list[str],
    ) -> None:
        """Store a new user; Keycloak gives it the realm's default role."""
        if password is not None:
            user.password_hash = await asyncio.to_thread(hash_password, password)
            user.password_created_at = int(time.time() * 1000)
            if temporary and "UPDATE_PASSWORD" not in user.required_actions:
                user.required_actions.append("UPDATE_PASSWORD")
        roles = [("", r) for r in realm_roles]
        if self.realm.default_role:
            roles.append(("", self.realm.default_role))
        roles += [(client, r) for client, names in client_roles.items() for r in names]
        await self.store.create_user(user, roles, group_ids)

    async def set_password(self, user: User, password: str, temporary: bool) -> None:
        user.password_hash = await asyncio.to_thread(hash_password, password)
        user.password_created_at = int(time.time() * 1000)
        actions = [a for a in user.required_actions if a != "UPDATE_PASSWORD"]
        user.required_actions = [*actions, "UPDATE_PASSWORD"] if temporary else actions
        await self.store.update_user(user)

    def password_violation(self, password: str, user: User) -> str | None:
        return self.realm.password_policy.violation(password, user.username, user.email)

    async def principal_for_user(self, user: User) -> Principal:
        realm_roles, client_roles = await self.store.role_mappings(user.id)
        realm_eff, client_eff = self.realm.expand_roles(realm_roles, client_roles)
        groups = tuple(g.path for g in await self.store.user_groups(user.id))
        return Principal(
            id=user.id,
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            email_verified=user.email_verified,
            attributes=user.attributes,
            realm_roles=frozenset(realm_eff),
            client_roles={c: frozenset(r) for c, r in client_eff.items()},
            groups=groups,
        )

    def principal_for_service_account(self, account: ServiceAccount) -> Principal:
        realm_eff, client_eff = self.realm.expand_roles(account.realm_roles, account.client_roles)
        return Principal(
            id=account.id,
            username=account.username,
            email=None,
            first_name=None,
            last_name=None,
            email_verified=False,
            attributes={},
            realm_roles=frozenset(realm_eff),
            client_roles={c: frozenset(r) for c, r in client_eff.items()},
            service_account_of=account.client_id,
        )

    async def principal_for_subject(self, subject: str) -> Principal | None:
        """The live principal behind a token's ``sub`` (``None`` if deleted or disabled)."""
        account = self.realm.service_account_by_id(subject)
        if account is not None:
            client = self.realm.clients.get(account.client_id)
            if client is None or not client.enabled or not client.service_accounts:
                return None
            return self.principal_for_service_account(account)
        user = await self.store.get_user(subject)
        if user is None or not user.enabled:
            return None
        return await self.principal_for_user(user)

    async def check_login(self, login: str, password: str, address: str) -> Login:
        """Keycloak's answers: unknown user and wrong password look the same; disabled only after a match.

        A username or client address that failed too often is refused before the password is checked
        (``temporarily_disabled`` / ``too_many_failures``, with ``retry_after`` seconds).
        """
        lockout = self.brute_force.check(login, address)
        if lockout is not None:
            error = "temporarily_disabled" if lockout.scope == "user" else "too_many_failures"
            log.warning("login refused (%s locked for %ss)", lockout.scope, lockout.retry_after)
            return Login(None, error, lockout.retry_after)
        user = await self.store.get_user_by_login(login.strip(), allow_email=self.realm.login_with_email)
        ok = await asyncio.to_thread(verify_password, password, user.password_hash if user else None)
        if user is None or not ok:
            self.brute_force.failed(login, address)
            return Login(None, "invalid_credentials")
        self.brute_force.succeeded(login)
        if not user.enabled:
            return Login(user, "disabled")
        return Login(user, None)

    # --- sessions ---------------------------------------------------------------------------

    def session_active(self, session: Session, now: int) -> bool:
        return now - session.last_seen_at <= self.sso_idle and now - session.started_at <= self.sso_max

    async def active_session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        session = await self.store.get_session(session_id)
        if session is None:
            return None
        if not self.session_active(session, now_s()):
            await self.store.delete_session(session.id)
            return None
        return session

    async def start_session(self, user: User) -> Session:
        return await self.store.create_session(user.id, now_s())

    async def end_session(self, session_id: str | None) -> bool:
        return bool(session_id) and await self.store.delete_session(str(session_id))

    def sso_cookie(self, session: Session) -> str:
        return self.keys.sign(
            {
                "typ": "Serialized-ID",
                "iss": self.issuer,
                "sid": session.id,
                "sub": session.user_id,
                "iat": now_s(),
                "exp": session.started_at + self.sso_max,
            },
            hmac=True,
        )

    async def session_from_cookie(self, cookie: str | None) -> tuple[User, Session] | None:
        if not cookie:
            return None
        try:
            claims = self.keys.verify(cookie, hmac=True)
        except InvalidTokenError:
            return None
        if claims.get("typ") != "Serialized-ID" or claims.get("iss") != self.issuer:
            return None
        session = await self.active_session(str(claims.get("sid", "")))
        if session is None or session.user_id != claims.get("sub"):
            return None
        user = await self.store.get_user(session.user_id)
        if user is None or not user.enabled:
            return None
        return user, session

    # --- clients ----------------------------------------------------------------------------

    def authenticate_client(self, form: Mapping[str, str], authorization: str | None) -> Client:
        """``client_secret_basic`` or ``client_secret_post``; public clients only name themselves."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode("utf-8")
            except ValueError as exc:
                raise OAuthError(400, "invalid_request", "Invalid Authorization header") from exc
            basic_id, _, basic_secret = decoded.partition(":")
            client_id, secret = unquote(basic_id), unquote(basic_secret)
        if not client_id:
            raise OAuthError(400, "invalid_request", "Missing parameter: client_id")
        client = self.realm.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", _INVALID_CLIENT)
        if not client.enabled:
            raise OAuthError(401, "invalid_client", _INVALID_CLIENT)
        if client.bearer_only:
            raise OAuthError(400, "unauthorized_client", "Bearer-only not allowed")
        if client.confidential:
            expected = client.secret or ""
            if not secret or not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
                raise OAuthError(401, "unauthorized_client", _INVALID_CLIENT)
        return client

    def _check_scope(self, client: Client, requested: str | None) -> None:
        allowed = {"openid", *client.default_scopes, *client.optional_scopes}
        invalid = [w for w in (requested or "").split() if w not in allowed]
        if invalid:
            raise OAuthError(400, "invalid_scope", f"Invalid scopes: {requested}")

    # --- grants -----------------------------------------------------------------------------

    def _issue(
        self,
        client: Client,
        principal: Principal,
        requested_scope: str | None,
        *,
        session: Session | None,
        auth_time: int | None,
        nonce: str | None = None,
        acr: str = "1",
        notes: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        scopes, scope_claim = resolve_scopes(self.realm, client, requested_scope)
        now = now_s()
        note_values = dict(notes or {})
        if auth_time is not None:
            note_values.setdefault("AUTH_TIME", str(auth_time))
        grant = Grant(
            client=client,
            principal=principal,
            scopes=scopes,
            scope=scope_claim,
            session_id=session.id if session else None,
            auth_time=auth_time,
            nonce=nonce,
            acr=acr,
            notes=note_values,
        )
        lifespan = self.access_token_lifespan
        if session is not None:
            lifespan = max(1, min(lifespan, session.started_at + self.sso_max - now))
        access, _ = self.tokens.access_token(grant, now, lifespan)
        body: dict[str, Any] = {
            "access_token": access,
            "expires_in": lifespan,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": scope_claim,
        }
        if session is not None:
            refresh_exp = min(now + self.sso_idle, session.started_at + self.sso_max)
            body["refresh_token"] = self.tokens.refresh_token(grant, now, refresh_exp)
            body["refresh_expires_in"] = refresh_exp - now
            body["session_state"] = session.id
            if "openid" in (requested_scope or "").split():
                body["id_token"] = self.tokens.id_token(grant, now, lifespan, access)
        return body

    async def password_grant(self, client: Client, form: Mapping[str, str], address: str) -> dict[str, Any]:
        if not client.direct_access_grants:
            raise OAuthError(400, "unauthorized_client", "Client not allowed for direct access grants")
        self._check_scope(client, form.get("scope"))
        login = await self.check_login(form.get("username", ""), form.get("password", ""), address)
        retry = {"Retry-After": str(login.retry_after)}
        if login.error == "temporarily_disabled":
            # Keycloak's answer for a temporarily locked account on the direct grant.
            raise OAuthError(400, "invalid_grant", "Account temporarily disabled", headers=retry)
        if login.error == "too_many_failures":
            raise OAuthError(
                429, "too_many_requests", "Too many failed logins from this address", headers=retry
            )
        if login.error == "invalid_credentials" or login.user is None:
            raise OAuthError(401, "invalid_grant", "Invalid user credentials")
        if login.error == "disabled":
            raise OAuthError(400, "invalid_grant", "Account disabled")
        if login.user.required_actions:
            raise OAuthError(400, "invalid_grant", "Account is not fully set up")
        session = await self.start_session(login.user)
        principal = await self.principal_for_user(login.user)
        return self._issue(
            client, principal, form.get("scope"), session=session, auth_time=session.started_at
        )

    async def client_credentials_grant(
        self, client: Client, form: Mapping[str, str], remote_host: str
    ) -> dict[str, Any]:
        if client.public:
            raise OAuthError(
                401, "unauthorized_client", "Public client not allowed to retrieve service account"
            )
        account = self.realm.service_accounts.get(client.client_id)
        if not client.service_accounts or account is None:
            raise OAuthError(401, "unauthorized_client", "Client not enabled to retrieve service account")
        self._check_scope(client, form.get("scope"))
        notes = {"client_id": client.client_id, "clientHost": remote_host, "clientAddress": remote_host}
        principal = self.principal_for_service_account(account)
        return self._issue(client, principal, form.get("scope"), session=None, auth_time=now_s(), notes=notes)

    async def refresh_grant(self, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError(400, "invalid_request", "Missing parameter: refresh_token")
        claims = self._refresh_claims(token, client)
        session = await self.active_session(claims.get("sid"))
        if session is None:
            raise OAuthError(400, "invalid_grant", "Session not active")
        user = await self.store.get_user(session.user_id)
        if user is None or not user.enabled:
            await self.store.delete_session(session.id)
            raise OAuthError(400, "invalid_grant", "Session not active")
        await self.store.touch_session(session.id, now_s())
        session = Session(session.id, session.user_id, session.started_at, now_s())
        principal = await self.principal_for_user(user)
        return self._issue(
            client,
            principal,
            claims.get("scope"),
            session=session,
            auth_time=session.started_at,
            nonce=claims.get("nonce"),
        )

    def _refresh_claims(self, token: str, client: Client) -> dict[str, Any]:
        try:
            claims = self.keys.verify(token, hmac=True)
        except InvalidTokenError as exc:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token") from exc
        if claims.get("typ") != "Refresh" or claims.get("iss") != self.issuer:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token")
        if int(claims.get("exp", 0)) < now_s():
            raise OAuthError(400, "invalid_grant", "Token is not active")
        if claims.get("azp") != client.client_id:
            raise OAuthError(
                400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match"
            )
        return claims

    async def issue_code(
        self,
        *,
        client: Client,
        user: User,
        session: Session,
        redirect_uri: str,
        scope: str | None,
        nonce: str | None,
        code_challenge: str | None,
        code_challenge_method: str | None,
        acr: str,
    ) -> str:
        code = secrets.token_urlsafe(32)
        data = {
            "client_id": client.client_id,
            "user_id": user.id,
            "session_id": session.id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": code_challenge_method,
            "acr": acr,
        }
        await self.store.save_code(code_hash(code), data, now_s() + self.access_code_lifespan)
        return code

    async def authorization_code_grant(self, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        code = form.get("code")
        if not code:
            raise OAuthError(400, "invalid_request", "Missing parameter: code")
        taken = await self.store.take_code(code_hash(code), now_s())
        if taken is None:
            raise OAuthError(400, "invalid_grant", "Code not valid")
        data, expires_at = taken
        if expires_at < now_s():
            raise OAuthError(400, "invalid_grant", "Code is expired")
        if data["client_id"] != client.client_id:
            raise OAuthError(400, "invalid_grant", "Auth error")
        if form.get("redirect_uri") != data["redirect_uri"]:
            raise OAuthError(400, "invalid_grant", "Incorrect redirect_uri")
        challenge = data.get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier")
            if not verifier:
                raise OAuthError(400, "invalid_grant", "PKCE code verifier not specified")
            if not _VERIFIER.fullmatch(verifier):
                raise OAuthError(400, "invalid_grant", "PKCE invalid code verifier")
            computed = s256(verifier) if data.get("code_challenge_method") == "S256" else verifier
            if not hmac.compare_digest(computed.encode(), str(challenge).encode()):
                raise OAuthError(400, "invalid_grant", "PKCE verification failed: Code mismatch")
        elif client.pkce_method:
            raise OAuthError(400, "invalid_grant", "PKCE code verifier not specified")
        session = await self.active_session(data["session_id"])
        user = await self.store.get_user(data["user_id"])
        if session is None or user is None or not user.enabled:
            raise OAuthError(400, "invalid_grant", "Session not active")
        principal = await self.principal_for_user(user)
        return self._issue(
            client,
            principal,
            data.get("scope"),
            session=session,
            auth_time=session.started_at,
            nonce=data.get("nonce"),
            acr=str(data.get("acr") or "1"),
        )

    # --- token checks -----------------------------------------------------------------------

    async def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a live access token of this realm, else :class:`InvalidTokenError`."""
        claims = self.keys.verify(token)
        if claims.get("typ") != "Bearer" or claims.get("iss") != self.issuer:
            raise InvalidTokenError("not an access token of this realm")
        if int(claims.get("exp", 0)) < now_s():
            raise InvalidTokenError("token expired")
        if claims.get("sid") and await self.active_session(str(claims["sid"])) is None:
            raise InvalidTokenError("session not active")
        return claims

    def verify_id_token_hint(self, token: str) -> dict[str, Any]:
        """An ID token this realm issued; like Keycloak, an expired one is still a valid hint."""
        claims = self.keys.verify(token)
        if claims.get("typ") != "ID" or claims.get("iss") != self.issuer:
            raise InvalidTokenError("not an ID token of this realm")
        return claims

    async def userinfo(self, token: str) -> dict[str, Any]:
        claims = await self.verify_access_token(token)
        principal = await self.principal_for_subject(str(claims.get("sub", "")))
        client = self.realm.clients.get(str(claims.get("azp", "")))
        if principal is None or client is None:
            raise InvalidTokenError("user or client gone")
        scopes, scope_claim = resolve_scopes(self.realm, client, claims.get("scope"))
        return self.tokens.userinfo(
            Grant(client=client, principal=principal, scopes=scopes, scope=scope_claim)
        )

    async def introspect(self, client: Client, token: str) -> dict[str, Any]:
        if not client.confidential:
            raise OAuthError(403, "invalid_request", "Client not allowed.")
        inactive: dict[str, Any] = {"active": False}
        try:
            claims = self.keys.verify(token)
        except InvalidTokenError:
            try:
                claims = self.keys.verify(token, hmac=True)
            except InvalidTokenError:
                return inactive
        if claims.get("iss") != self.issuer or int(claims.get("exp", 0)) < now_s():
            return inactive
        if claims.get("typ") not in ("Bearer", "ID", "Refresh"):
            return inactive
        if claims.get("sid") and await self.active_session(str(claims["sid"])) is None:
            return inactive
        if await self.principal_for_subject(str(claims.get("sub", ""))) is None:
            return inactive
        return {
            **claims,
            "client_id": claims.get("azp"),
            "username": claims.get("preferred_username"),
            "token_type": claims.get("typ"),
            "active": True,
        }

    async def logout_with_refresh_token(self, client: Client, token: str) -> None:
        claims = self._refresh_claims(token, client)
        if not await self.end_session(claims.get("sid")):
            raise OAuthError(400, "invalid_grant", "Session not active")

    async def admin_roles(self, token: str) -> set[str]:
        """The caller's effective ``realm-management`` roles, from its live role mappings."""
        claims = await self.verify_access_token(token)
        principal = await self.principal_for_subject(str(claims.get("sub", "")))
        if principal is None:
            raise InvalidTokenError("user or service account gone")
        return set(principal.client_roles.get("realm-management", ()))

    # --- seeding ----------------------------------------------------------------------------

    async def _seed_users(self) -> None:
        """Users listed in the realm file (none in the committed one) are created once."""
        for rep in self.realm.seed_users:
            username = str(rep.get("username", "")).lower()
            if not username or await self.store.get_user_by_login(username, allow_email=False):
                continue
            password, temporary = None, False
            for credential in rep.get("credentials") or []:
                if credential.get("type", "password") == "password" and "value" in credential:
                    password, temporary = str(credential["value"]), bool(credential.get("temporary", False))
            user = User(
                id=str(rep.get("id") or uuid.uuid4()),
                username=username,
                email=(rep.get("email") or None) and str(rep["email"]).lower(),
                first_name=rep.get("firstName"),
                last_name=rep.get("lastName"),
                enabled=bool(rep.get("enabled", False)),
                email_verified=bool(rep.get("emailVerified", False)),
                attributes={
                    k: [str(x) for x in (v if isinstance(v, list) else [v])]
                    for k, v in (rep.get("attributes") or {}).items()
                },
                required_actions=list(rep.get("requiredActions") or []),
            )
            try:
                await self.create_user(
                    user,
                    password,
                    temporary,
                    list(rep.get("realmRoles") or []),
                    {c: list(r) for c, r in (rep.get("clientRoles") or {}).items()},
                    [],
                )
                log.info("seeded user %r from the realm file", username)
            except ConflictError:
                continue


def _brute_force_policy(config: IdpConfig, realm: BruteForcePolicy) -> BruteForcePolicy:
    """The realm's brute-force settings with the server's overrides (tests use small ones)."""
    return BruteForcePolicy(
        enabled=realm.enabled,
        failure_factor=config.failure_factor or realm.failure_factor,
        wait_increment_seconds=config.wait_increment_seconds or realm.wait_increment_seconds,
        max_failure_wait_seconds=realm.max_failure_wait_seconds,
        max_delta_time_seconds=realm.max_delta_time_seconds,
        address_failure_limit=config.address_failure_limit,
        address_failure_window=config.address_failure_window,
    )
