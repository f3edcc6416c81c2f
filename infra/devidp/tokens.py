"""Token contents: Keycloak's fixed claims plus what the realm file's protocol mappers add."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from devidp.keys import KeyRing
from devidp.realm import Client, ClientScope, ProtocolMapper, Realm

log = logging.getLogger("devidp")

TokenKind = Literal["access", "id", "userinfo", "introspection"]
_FLAG = {
    "access": "access.token.claim",
    "id": "id.token.claim",
    "userinfo": "userinfo.token.claim",
    "introspection": "introspection.token.claim",
}
#: Mappers that Keycloak applies to access tokens even when their config has no flags.
_ACCESS_BY_DEFAULT = {"oidc-sub-mapper", "oidc-audience-resolve-mapper", "oidc-allowed-origins-mapper"}
_USER_PROPERTIES = {"username", "email", "firstName", "lastName", "emailVerified", "enabled"}
_warned: set[str] = set()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token is about: a stored user or a client's service account, with effective roles."""

    id: str
    username: str
    email: str | None
    first_name: str | None
    last_name: str | None
    email_verified: bool
    attributes: Mapping[str, list[str]]
    realm_roles: frozenset[str]
    client_roles: Mapping[str, frozenset[str]]
    groups: tuple[str, ...] = ()
    service_account_of: str | None = None

    def values(self, name: str) -> list[Any]:
        """A user property or attribute as Keycloak's attribute mapper reads it."""
        if name in _USER_PROPERTIES:
            value = {
                "username": self.username,
                "email": self.email,
                "firstName": self.first_name,
                "lastName": self.last_name,
                "emailVerified": self.email_verified,
                "enabled": True,
            }[name]
            return [] if value is None else [value]
        return list(self.attributes.get(name, []))


@dataclass(frozen=True, slots=True)
class Grant:
    """Everything a token is issued for."""

    client: Client
    principal: Principal
    scopes: tuple[ClientScope, ...]
    scope: str
    session_id: str | None = None
    auth_time: int | None = None
    nonce: str | None = None
    acr: str = "1"
    notes: Mapping[str, str] = field(default_factory=dict)


def resolve_scopes(
    realm: Realm, client: Client, requested: str | None
) -> tuple[tuple[ClientScope, ...], str]:
    """The client scopes that apply and the ``scope`` claim, as Keycloak computes them."""
    words = (requested or "").split()
    names = [n for n in client.default_scopes if n in realm.scopes]
    names += [n for n in client.optional_scopes if n in words and n in realm.scopes and n not in names]
    scopes = tuple(realm.scopes[n] for n in names)
    claim = ["openid"] if "openid" in words else []
    claim += sorted(s.name for s in scopes if s.include_in_token_scope)
    return scopes, " ".join(claim)


def _split_claim(name: str) -> list[str]:
    return [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", name)]


def _set_claim(claims: dict[str, Any], name: str, value: Any) -> None:
    parts = _split_claim(name)
    node = claims
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = parts[-1]
    if isinstance(value, list) and isinstance(node.get(last), list):
        node[last] = node[last] + [v for v in value if v not in node[last]]
    else:
        node[last] = value


def _convert(value: Any, json_type: str | None) -> Any:
    kind = (json_type or "String").lower()
    try:
        if kind in ("long", "int"):
            return int(value)
        if kind == "boolean":
            return value if isinstance(value, bool) else str(value).lower() == "true"
        if kind == "json":
            return json.loads(value) if isinstance(value, str) else value
    except (TypeError, ValueError):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _origins(client: Client) -> list[str]:
    origins: list[str] = []
    for entry in client.web_origins:
        candidates = client.redirect_uris if entry == "+" else (entry,)
        for uri in candidates:
            if uri == "*":
                origins.append("*")
                continue
            if "*" in uri:
                continue
            parts = urlsplit(uri)
            if parts.scheme and parts.netloc:
                origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def apply_mappers(grant: Grant, kind: TokenKind, claims: dict[str, Any], audience: list[str]) -> None:
    """Run the grant's client-scope and client mappers for one kind of token."""
    mappers: list[ProtocolMapper] = [m for scope in grant.scopes for m in scope.mappers]
    mappers += list(grant.client.mappers)
    principal = grant.principal
    for mapper in mappers:
        if not mapper.flag(
            _FLAG[kind], default=kind == "access" and mapper.mapper_type in _ACCESS_BY_DEFAULT
        ):
            continue
        config = mapper.config
        claim = config.get("claim.name", "")
        match mapper.mapper_type:
            case "oidc-usermodel-attribute-mapper" | "oidc-usermodel-property-mapper":
                values = [
                    _convert(v, config.get("jsonType.label"))
                    for v in principal.values(config["user.attribute"])
                ]
                values = [v for v in values if v is not None]
                if values and claim:
                    multivalued = config.get("multivalued", "false").lower() == "true"
                    _set_claim(claims, claim, values if multivalued else values[0])
            case "oidc-full-name-mapper":
                name = " ".join(filter(None, (principal.first_name, principal.last_name)))
                if name:
                    claims["name"] = name
            case "oidc-usermodel-realm-role-mapper":
                if principal.realm_roles:
                    _set_claim(claims, claim or "realm_access.roles", sorted(principal.realm_roles))
            case "oidc-usermodel-client-role-mapper":
                only = config.get("usermodel.clientRoleMapping.clientId")
                for client_id, roles in sorted(principal.client_roles.items()):
                    if roles and (not only or only == client_id):
                        name = (claim or "resource_access.${client_id}.roles").replace(
                            "${client_id}", client_id
                        )
                        _set_claim(claims, name, sorted(roles))
            case "oidc-audience-mapper":
                target = config.get("included.client.audience") or config.get("included.custom.audience")
                if target and target not in audience:
                    audience.append(target)
            case "oidc-audience-resolve-mapper":
                for client_id, roles in sorted(principal.client_roles.items()):
                    if roles and client_id != grant.client.client_id and client_id not in audience:
                        audience.append(client_id)
            case "oidc-allowed-origins-mapper":
                origins = _origins(grant.client)
                if origins:
                    claims["allowed-origins"] = origins
            case "oidc-acr-mapper":
                claims["acr"] = grant.acr
            case "oidc-sub-mapper":
                claims["sub"] = principal.id
            case "oidc-usersessionmodel-note-mapper":
                note = grant.notes.get(config.get("user.session.note", ""))
                if note is not None and claim:
                    value = _convert(note, config.get("jsonType.label"))
                    if value is not None:
                        _set_claim(claims, claim, value)
            case "oidc-hardcoded-claim-mapper":
                if claim and "claim.value" in config:
                    value = _convert(config["claim.value"], config.get("jsonType.label"))
                    if value is not None:
                        _set_claim(claims, claim, value)
            case "oidc-group-membership-mapper":
                full_path = config.get("full.path", "true").lower() == "true"
                groups = [g if full_path else g.rsplit("/", 1)[-1] for g in principal.groups]
                if groups:
                    _set_claim(claims, claim or "groups", groups)
            case other:
                if other not in _warned:
                    _warned.add(other)
                    log.warning(
                        "protocol mapper type %r is not implemented by the dev identity server", other
                    )


def _aud(audience: list[str]) -> str | list[str]:
    # Keycloak writes a single audience as a string and several as a list.
    return audience[0] if len(audience) == 1 else audience


class TokenIssuer:
    """Builds and signs the three kinds of tokens of one realm."""

    def __init__(self, realm: Realm, keys: KeyRing, issuer: str) -> None:
        self.realm = realm
        self.keys = keys
        self.issuer = issuer

    def access_token(self, grant: Grant, now: int, lifespan: int) -> tuple[str, dict[str, Any]]:
        claims: dict[str, Any] = {
            "exp": now + lifespan,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "sub": grant.principal.id,
            "typ": "Bearer",
            "azp": grant.client.client_id,
        }
        if grant.session_id:
            claims["sid"] = grant.session_id
            claims["session_state"] = grant.session_id
        audience: list[str] = []
        apply_mappers(grant, "access", claims, audience)
        if audience:
            claims["aud"] = _aud(audience)
        claims["scope"] = grant.scope
        return self.keys.sign(claims), claims

    def id_token(self, grant: Grant, now: int, lifespan: int, access_token: str) -> str:
        digest = hashlib.sha256(access_token.encode("ascii")).digest()
        claims: dict[str, Any] = {
            "exp": now + lifespan,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "sub": grant.principal.id,
            "typ": "ID",
            "azp": grant.client.client_id,
        }
        if grant.auth_time is not None:
            claims["auth_time"] = grant.auth_time
        if grant.nonce:
            claims["nonce"] = grant.nonce
        if grant.session_id:
            claims["sid"] = grant.session_id
            claims["session_state"] = grant.session_id
        claims["at_hash"] = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
        audience = [grant.client.client_id]
        apply_mappers(grant, "id", claims, audience)
        claims["aud"] = _aud(audience)
        return self.keys.sign(claims)

    def refresh_token(self, grant: Grant, now: int, expires_at: int) -> str:
        claims: dict[str, Any] = {
            "exp": expires_at,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "aud": self.issuer,
            "sub": grant.principal.id,
            "typ": "Refresh",
            "azp": grant.client.client_id,
            "sid": grant.session_id,
            "session_state": grant.session_id,
            "scope": grant.scope,
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return self.keys.sign(claims, hmac=True)

    def userinfo(self, grant: Grant) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": grant.principal.id}
        apply_mappers(grant, "userinfo", claims, [])
        return claims
