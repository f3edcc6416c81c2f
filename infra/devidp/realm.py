"""The realm, read from the same Keycloak import file that a real Keycloak loads.

Only the parts the dev server acts on are modelled: realm roles (with composites), the default role,
client scopes and their protocol mappers, clients, lifetimes, the password policy, service-account
users and seed users.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devidp.brute_force import BruteForcePolicy

log = logging.getLogger("devidp")

#: ``${NAME}`` or ``${NAME:default}`` with an environment-style (upper-case) name. Lower-case
#: ``${client_id}`` / ``${role_...}`` are Keycloak's own templates and message keys: left alone.
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::([^}]*))?\}")

#: Seeds stable ids (roles, service accounts) so that they survive restarts without storage.
_ID_NAMESPACE = uuid.UUID("6f1c7f62-7a55-4f0e-9a4e-6b2d8d3f1c10")

#: Clients and roles Keycloak creates in every realm; the import file need not list them.
BUILTIN_CLIENT_ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "realm-management": {
        "view-realm": (),
        "manage-realm": (),
        "view-users": ("query-users", "query-groups"),
        "manage-users": (),
        "query-users": (),
        "query-groups": (),
        "view-clients": ("query-clients",),
        "manage-clients": (),
        "query-clients": (),
        "query-realms": (),
        "view-events": (),
        "manage-events": (),
        "view-authorization": (),
        "manage-authorization": (),
        "view-identity-providers": (),
        "manage-identity-providers": (),
        "create-client": (),
        "impersonation": (),
    },
    "account": {
        "view-profile": (),
        "manage-account": ("manage-account-links",),
        "manage-account-links": (),
        "view-applications": (),
        "view-consent": (),
        "manage-consent": ("view-consent",),
        "delete-account": (),
        "view-groups": (),
    },
}


class RealmFileError(RuntimeError):
    """The realm file cannot be used (unreadable, or a placeholder without a value)."""


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    description: str
    #: ``None`` for a realm role, else the clientId that owns it.
    client: str | None
    composite_realm: tuple[str, ...] = ()
    composite_client: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(uuid.uuid5(_ID_NAMESPACE, f"role/{self.client or ''}/{self.name}"))

    @property
    def composite(self) -> bool:
        return bool(self.composite_realm or self.composite_client)


@dataclass(frozen=True, slots=True)
class ProtocolMapper:
    name: str
    mapper_type: str
    config: Mapping[str, str]

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.config.get(key)
        if value is None:
            return default
        return str(value).lower() == "true"


@dataclass(frozen=True, slots=True)
class ClientScope:
    name: str
    include_in_token_scope: bool
    mappers: tuple[ProtocolMapper, ...]


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    name: str
    description: str
    enabled: bool
    public: bool
    bearer_only: bool
    secret: str | None
    standard_flow: bool
    direct_access_grants: bool
    service_accounts: bool
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    web_origins: tuple[str, ...]
    pkce_method: str | None
    default_scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]
    mappers: tuple[ProtocolMapper, ...]

    @property
    def confidential(self) -> bool:
        return not self.public and not self.bearer_only


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    client_id: str
    realm_roles: tuple[str, ...]
    client_roles: Mapping[str, tuple[str, ...]]

    @property
    def username(self) -> str:
        return f"service-account-{self.client_id}"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(_ID_NAMESPACE, f"service-account/{self.client_id}"))


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 0
    not_username: bool = False
    not_email: bool = False

    def violation(self, password: str, username: str, email: str | None) -> str | None:
        """Keycloak's message key for the first rule ``password`` breaks, or ``None``."""
        if len(password) < self.min_length:
            return "invalidPasswordMinLengthMessage"
        if self.not_username and password.lower() == username.lower():
            return "invalidPasswordNotUsernameMessage"
        if self.not_email and email and password.lower() == email.lower():
            return "invalidPasswordNotEmailMessage"
        return None


@dataclass(frozen=True, slots=True)
class Realm:
    name: str
    display_name: str
    enabled: bool
    roles: Mapping[str, Role]
    client_roles: Mapping[str, Mapping[str, Role]]
    default_role: str | None
    clients: Mapping[str, Client]
    scopes: Mapping[str, ClientScope]
    service_accounts: Mapping[str, ServiceAccount]
    seed_users: tuple[Mapping[str, Any], ...]
    access_token_lifespan: int
    access_code_lifespan: int
    sso_session_idle_timeout: int
    sso_session_max_lifespan: int
    password_policy: PasswordPolicy
    login_with_email: bool
    #: Placeholders that had no value and got a random dev-only value.
    generated_placeholders: tuple[str, ...] = ()
    brute_force: BruteForcePolicy = field(default_factory=BruteForcePolicy)

    @property
    def id(self) -> str:
        return self.name

    def service_account_by_id(self, user_id: str) -> ServiceAccount | None:
        for account in self.service_accounts.values():
            if account.id == user_id:
                return account
        return None

    def find_role(self, name: str, client: str | None = None) -> Role | None:
        if client is None:
            return self.roles.get(name)
        return self.client_roles.get(client, {}).get(name)

    def expand_roles(
        self, realm_roles: Iterable[str], client_roles: Mapping[str, Iterable[str]]
    ) -> tuple[set[str], dict[str, set[str]]]:
        """The effective roles: the given ones plus everything their composites contain."""
        realm_out: set[str] = set()
        client_out: dict[str, set[str]] = {}
        pending: list[tuple[str | None, str]] = [(None, r) for r in realm_roles]
        pending += [(c, r) for c, names in client_roles.items() for r in names]
        while pending:
            client, name = pending.pop()
            bucket = realm_out if client is None else client_out.setdefault(client, set())
            if name in bucket:
                continue
            bucket.add(name)
            role = self.find_role(name, client)
            if role is None:
                continue
            pending += [(None, r) for r in role.composite_realm]
            pending += [(c, r) for c, names in role.composite_client.items() for r in names]
        return realm_out, {c: roles for c, roles in client_out.items() if roles}


def substitute_placeholders(
    document: Any, values: Mapping[str, str], *, allow_generated: bool
) -> tuple[Any, list[str]]:
    """Replace ``${NAME}`` / ``${NAME:default}`` in every string of a parsed JSON document.

    A name without a value and without a default is an error, unless ``allow_generated``: then it
    gets a random value (the same one everywhere it occurs). Returns the new document and the
    generated names.
    """
    generated: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in values:
            return values[name]
        if default is not None:
            return default
        if name in generated:
            return generated[name]
        if not allow_generated:
            raise RealmFileError(
                f"realm file placeholder ${{{name}}} has no value: set the environment variable"
            )
        generated[name] = secrets.token_urlsafe(32)
        return generated[name]

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return PLACEHOLDER.sub(replace, node)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return node

    return walk(document), sorted(generated)


def load_realm(path: Path, values: Mapping[str, str], *, allow_generated: bool) -> Realm:
    """Read and interpret a Keycloak realm import file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RealmFileError(f"cannot read realm file {path}: {exc}") from exc
    document, generated = substitute_placeholders(raw, values, allow_generated=allow_generated)
    for name in generated:
        log.warning(
            "realm placeholder ${%s} is not set: using a random DEV-ONLY value for this process", name
        )
    return parse_realm(document, generated=tuple(generated))


def _mappers(items: Iterable[Mapping[str, Any]]) -> tuple[ProtocolMapper, ...]:
    return tuple(
        ProtocolMapper(
            name=str(item.get("name", "")),
            mapper_type=str(item.get("protocolMapper", "")),
            config={str(k): str(v) for k, v in (item.get("config") or {}).items()},
        )
        for item in items
        if item.get("protocol", "openid-connect") == "openid-connect"
    )


def _role(item: Mapping[str, Any], client: str | None) -> Role:
    composites = item.get("composites") or {}
    return Role(
        name=str(item["name"]),
        description=str(item.get("description", "")),
        client=client,
        composite_realm=tuple(composites.get("realm") or ()),
        composite_client={c: tuple(names) for c, names in (composites.get("client") or {}).items()},
    )


def _password_policy(text: str) -> PasswordPolicy:
    min_length, not_username, not_email = 0, False, False
    for part in filter(None, (p.strip() for p in text.split(" and "))):
        rule, _, arg = part.partition("(")
        arg = arg.rstrip(")")
        if rule == "length":
            min_length = int(arg or 8)
        elif rule == "notUsername":
            not_username = True
        elif rule == "notEmail":
            not_email = True
        else:
            log.warning("password policy rule %r is not enforced by the dev identity server", rule)
    return PasswordPolicy(min_length=min_length, not_username=not_username, not_email=not_email)


def _split_uris(value: str) -> tuple[str, ...]:
    return tuple(filter(None, value.split("##")))


def parse_realm(doc: Mapping[str, Any], *, generated: tuple[str, ...] = ()) -> Realm:
    """Build the :class:`Realm` from an import document whose placeholders are already resolved."""
    name = str(doc["realm"])
    roles = {r.name: r for r in (_role(item, None) for item in (doc.get("roles") or {}).get("realm", []))}
    client_roles: dict[str, dict[str, Role]] = {
        client: {
            role: Role(role, "", client, composite_client={client: comps} if comps else {})
            for role, comps in names.items()
        }
        for client, names in BUILTIN_CLIENT_ROLES.items()
    }
    for client, items in ((doc.get("roles") or {}).get("client") or {}).items():
        for item in items:
            client_roles.setdefault(client, {})[str(item["name"])] = _role(item, client)
    realm_admin = Role(
        "realm-admin",
        "",
        "realm-management",
        composite_client={"realm-management": tuple(client_roles["realm-management"])},
    )
    client_roles["realm-management"]["realm-admin"] = realm_admin

    default_role = (doc.get("defaultRole") or {}).get("name")
    if default_role is None and f"default-roles-{name}" in roles:
        default_role = f"default-roles-{name}"

    scopes = {
        str(item["name"]): ClientScope(
            name=str(item["name"]),
            include_in_token_scope=str(
                (item.get("attributes") or {}).get("include.in.token.scope", "true")
            ).lower()
            == "true",
            mappers=_mappers(item.get("protocolMappers") or []),
        )
        for item in doc.get("clientScopes") or []
    }
    default_default_scopes = tuple(doc.get("defaultDefaultClientScopes") or ())
    default_optional_scopes = tuple(doc.get("defaultOptionalClientScopes") or ())

    clients: dict[str, Client] = {}
    for item in doc.get("clients") or []:
        attributes = item.get("attributes") or {}
        redirect_uris = tuple(item.get("redirectUris") or ())
        post_logout = _split_uris(str(attributes.get("post.logout.redirect.uris", "")))
        if "+" in post_logout:
            post_logout = tuple(u for u in post_logout if u != "+") + redirect_uris
        client_id = str(item["clientId"])
        clients[client_id] = Client(
            client_id=client_id,
            name=str(item.get("name", client_id)),
            description=str(item.get("description", "")),
            enabled=bool(item.get("enabled", True)),
            public=bool(item.get("publicClient", False)),
            bearer_only=bool(item.get("bearerOnly", False)),
            secret=item.get("secret"),
            standard_flow=bool(item.get("standardFlowEnabled", True)),
            direct_access_grants=bool(item.get("directAccessGrantsEnabled", False)),
            service_accounts=bool(item.get("serviceAccountsEnabled", False)),
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout,
            web_origins=tuple(item.get("webOrigins") or ()),
            pkce_method=attributes.get("pkce.code.challenge.method") or None,
            default_scopes=tuple(item.get("defaultClientScopes", default_default_scopes)),
            optional_scopes=tuple(item.get("optionalClientScopes", default_optional_scopes)),
            mappers=_mappers(item.get("protocolMappers") or []),
        )

    service_accounts: dict[str, ServiceAccount] = {}
    seed_users: list[Mapping[str, Any]] = []
    for user in doc.get("users") or []:
        owner = user.get("serviceAccountClientId")
        if owner:
            service_accounts[str(owner)] = ServiceAccount(
                client_id=str(owner),
                realm_roles=tuple(user.get("realmRoles") or ()),
                client_roles={c: tuple(r) for c, r in (user.get("clientRoles") or {}).items()},
            )
        else:
            seed_users.append(user)
    # Keycloak gives every service account the default role even when the file does not say so.
    for client in clients.values():
        if client.service_accounts and client.client_id not in service_accounts:
            realm_roles = (default_role,) if default_role else ()
            service_accounts[client.client_id] = ServiceAccount(client.client_id, realm_roles, {})

    return Realm(
        name=name,
        display_name=str(doc.get("displayName") or name),
        enabled=bool(doc.get("enabled", True)),
        roles=roles,
        client_roles=client_roles,
        default_role=default_role,
        clients=clients,
        scopes=scopes,
        service_accounts=service_accounts,
        seed_users=tuple(seed_users),
        access_token_lifespan=int(doc.get("accessTokenLifespan", 300)),
        access_code_lifespan=int(doc.get("accessCodeLifespan", 60)),
        sso_session_idle_timeout=int(doc.get("ssoSessionIdleTimeout", 1800)),
        sso_session_max_lifespan=int(doc.get("ssoSessionMaxLifespan", 36000)),
        password_policy=_password_policy(str(doc.get("passwordPolicy") or "")),
        login_with_email=bool(doc.get("loginWithEmailAllowed", True)),
        generated_placeholders=generated,
        brute_force=_brute_force(doc),
    )


def _brute_force(doc: Mapping[str, Any]) -> BruteForcePolicy:
    """Keycloak's brute-force settings of the realm, with Keycloak's defaults."""
    defaults = BruteForcePolicy()
    return BruteForcePolicy(
        enabled=bool(doc.get("bruteForceProtected", False)),
        failure_factor=max(1, int(doc.get("failureFactor", defaults.failure_factor))),
        wait_increment_seconds=int(doc.get("waitIncrementSeconds", defaults.wait_increment_seconds)),
        max_failure_wait_seconds=int(doc.get("maxFailureWaitSeconds", defaults.max_failure_wait_seconds)),
        max_delta_time_seconds=int(doc.get("maxDeltaTimeSeconds", defaults.max_delta_time_seconds)),
    )


def redirect_uri_allowed(uri: str, patterns: Iterable[str]) -> bool:
    """Keycloak's redirect URI check: exact match, or a prefix match for a pattern ending in ``*``.

    Keycloak has no wildcard inside a URI (``http://127.0.0.1:*/cb`` matches only itself there), so
    neither has this. URIs with user info or a fragment are refused outright.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if not parts.scheme or not parts.netloc or "@" in parts.netloc or parts.fragment or "\\" in uri:
        return False
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    without_query = uri.split("?", 1)[0]
    for pattern in patterns:
        if pattern.endswith("*") and "?" not in pattern:
            prefix = pattern[:-1]
            if without_query.startswith(prefix) or without_query == prefix.rstrip("/"):
                return True
        elif uri == pattern or ("?" not in pattern and without_query == pattern):
            return True
    return False
