"""Accounts in Keycloak, through python-keycloak's Admin API client (service-account credentials).

Works unchanged against a real Keycloak and against the dev identity server.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from kit.settings import Settings


class AccountConflictError(RuntimeError):
    """The username exists but belongs to somebody else (another school or county)."""


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    created: bool


def admin_client(settings: Settings) -> KeycloakAdmin:
    """An Admin API client that authenticates as the provisioning service account."""
    connection = KeycloakOpenIDConnection(
        server_url=settings.keycloak_url,
        realm_name=settings.keycloak_realm,
        user_realm_name=settings.keycloak_realm,
        client_id=settings.provisioner_client_id,
        client_secret_key=settings.provisioner_client_secret,
        verify=True,
        timeout=15,
    )
    return KeycloakAdmin(connection=connection)


def generate_password(length: int = 16) -> str:
    """A random initial password with letters of both cases and digits."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


async def ensure_account(
    admin: KeycloakAdmin,
    *,
    username: str,
    email: str,
    full_name: str,
    roles: Iterable[str],
    attributes: Mapping[str, str],
    password: str | None,
    temporary_password: bool = True,
) -> Account:
    """Create the account if it does not exist, and make its roles and tenant attributes right. Idempotent.

    An existing account whose tenant attributes differ from ``attributes`` raises
    :class:`AccountConflictError` rather than being taken over.
    """
    user_id = await admin.a_get_user_id(username)
    created = False
    if user_id is None:
        payload: dict[str, object] = {
            "username": username,
            "email": email,
            "firstName": full_name,
            "lastName": "",
            "enabled": True,
            "emailVerified": False,
            "attributes": {key: [value] for key, value in attributes.items()},
        }
        if password:
            payload["credentials"] = [
                {"type": "password", "value": password, "temporary": temporary_password}
            ]
        user_id = await admin.a_create_user(payload, exist_ok=True)
        created = True
    else:
        user = await admin.a_get_user(user_id)
        existing = user.get("attributes") or {}
        for key, value in attributes.items():
            if existing.get(key) not in ([value], None, []):
                raise AccountConflictError(f"username {username} already belongs to another account")
        missing = {k: [v] for k, v in attributes.items() if not existing.get(k)}
        if missing:
            await admin.a_update_user(user_id, {"attributes": {**existing, **missing}})
    wanted = set(roles)
    current = {r["name"] for r in await admin.a_get_realm_roles_of_user(user_id)}
    to_add = [await admin.a_get_realm_role(name) for name in sorted(wanted - current)]
    if to_add:
        await admin.a_assign_realm_roles(user_id, to_add)
    return Account(user_id=str(user_id), created=created)


async def disable_account(admin: KeycloakAdmin, user_id: str) -> None:
    """Disable an account and end its sessions, so that no refresh token outlives it. Idempotent.

    Access tokens already issued stay valid until they expire (minutes); nothing new can be obtained.
    """
    await _set_enabled(admin, user_id, False)
    await admin.a_user_logout(user_id)


async def enable_account(admin: KeycloakAdmin, user_id: str) -> None:
    """Enable a previously disabled account (its password is unchanged). Idempotent."""
    await _set_enabled(admin, user_id, True)


async def _set_enabled(admin: KeycloakAdmin, user_id: str, enabled: bool) -> None:
    # Keycloak 24+ treats PUT as a full replacement of the profile: send the whole user back, or its
    # tenant attributes (county_id, school_id) would be lost.
    user = await admin.a_get_user(user_id)
    if user.get("enabled") is enabled:
        return
    await admin.a_update_user(
        user_id,
        {
            key: user[key]
            for key in ("username", "email", "firstName", "lastName", "attributes")
            if key in user
        }
        | {"enabled": enabled},
    )


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """What SafeCampus reads of an existing account: its id, realm roles and tenant attributes."""

    user_id: str
    username: str
    full_name: str
    enabled: bool
    roles: frozenset[str]
    attributes: Mapping[str, tuple[str, ...]]

    def attribute(self, name: str) -> str | None:
        """The first value of a single-valued attribute (``county_id``, ``school_id``), if any."""
        values = self.attributes.get(name) or ()
        return values[0] if values else None


async def find_account(admin: KeycloakAdmin, username: str) -> AccountProfile | None:
    """The account with exactly this username, or ``None``."""
    user_id = await admin.a_get_user_id(username)
    if user_id is None:
        return None
    user = await admin.a_get_user(user_id)
    roles = frozenset(r["name"] for r in await admin.a_get_realm_roles_of_user(user_id))
    raw = user.get("attributes") or {}
    names = " ".join(filter(None, (user.get("firstName"), user.get("lastName"))))
    return AccountProfile(
        user_id=str(user_id),
        username=str(user.get("username", username)),
        full_name=names or str(user.get("username", username)),
        enabled=bool(user.get("enabled", False)),
        roles=roles,
        attributes={
            str(k): tuple(str(v) for v in (vs if isinstance(vs, list) else [vs])) for k, vs in raw.items()
        },
    )


async def set_account_attribute(admin: KeycloakAdmin, user_id: str, name: str, values: Iterable[str]) -> bool:
    """Make the account's attribute ``name`` hold exactly ``values`` (in order, duplicates dropped; none
    removes it), keeping every other attribute. Idempotent: returns whether anything changed.

    The whole representation is sent back, as Keycloak's PUT replaces the attributes it is given."""
    user = await admin.a_get_user(user_id)
    attributes = dict(user.get("attributes") or {})
    wanted = list(dict.fromkeys(values))
    if list(attributes.get(name) or []) == wanted:
        return False
    if wanted:
        attributes[name] = wanted
    else:
        attributes.pop(name, None)
    await admin.a_update_user(user_id, {**user, "attributes": attributes})
    return True


@dataclass(frozen=True, slots=True)
class Recipient:
    """Somebody to notify: their account id and e-mail address, as Keycloak knows them."""

    user_id: str
    email: str | None


def _first_attribute(user: Mapping[str, object], name: str) -> str | None:
    attributes = user.get("attributes") or {}
    values = attributes.get(name) if isinstance(attributes, Mapping) else None
    return str(values[0]) if isinstance(values, list) and values else None


async def bureau_recipients(admin: KeycloakAdmin, county_id: uuid.UUID) -> list[Recipient]:
    """The enabled bureau accounts of ``county_id`` (few per county: the role's members, by county)."""
    members = await admin.a_get_realm_role_members("bureau", {"briefRepresentation": False})
    found = [
        Recipient(user_id=str(account["id"]), email=account.get("email") or None)
        for account in members
        if account.get("enabled", False)
        and _first_attribute(account, "county_id") == str(county_id)
        and not _first_attribute(account, "school_id")
    ]
    return sorted(found, key=lambda r: r.user_id)
