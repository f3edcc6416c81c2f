"""Accounts in Keycloak, through python-keycloak's Admin API client (service-account credentials).

Works unchanged against a real Keycloak and against the dev identity server.
"""

from __future__ import annotations

import secrets
import string
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
