"""Who to notify: the principals of a school and the bureau staff of a county, looked up in Keycloak (the
source of truth for accounts and roles) by their tenant attributes. Used by background work only."""

from __future__ import annotations

import uuid
from typing import Any

from kit.identity import Recipient, admin_client, bureau_recipients
from kit.settings import get_settings


def _attribute(user: dict[str, Any], name: str) -> str | None:
    values = (user.get("attributes") or {}).get(name) or []
    return str(values[0]) if values else None


async def principals_of(school_id: uuid.UUID) -> list[Recipient]:
    """The enabled principal accounts of ``school_id`` (a school has a handful of accounts: search by its
    attribute, then check each one's roles)."""
    admin = admin_client(get_settings())
    found = []
    for account in await admin.a_get_users({"q": f"school_id:{school_id}", "enabled": True}):
        roles = {r["name"] for r in await admin.a_get_realm_roles_of_user(account["id"])}
        if "principal" in roles:
            found.append(Recipient(user_id=str(account["id"]), email=account.get("email") or None))
    return sorted(found, key=lambda r: r.user_id)


async def bureau_of(county_id: uuid.UUID) -> list[Recipient]:
    """The enabled bureau accounts of ``county_id``."""
    return await bureau_recipients(admin_client(get_settings()), county_id)


async def user(user_id: str) -> Recipient | None:
    """The enabled account ``user_id``, if it exists."""
    admin = admin_client(get_settings())
    try:
        found = await admin.a_get_user(user_id)
    except Exception:  # python-keycloak raises its own error for an unknown id
        return None
    if not found.get("enabled", False):
        return None
    return Recipient(user_id=str(found["id"]), email=found.get("email") or None)


async def school_accounts(school_id: uuid.UUID) -> list[tuple[str, str, list[str]]]:
    """The enabled accounts of ``school_id`` with a school role, as (id, display name, roles), by name:
    the people a principal names as responsible person or checker."""
    admin = admin_client(get_settings())
    found = []
    for account in await admin.a_get_users({"q": f"school_id:{school_id}", "enabled": True}):
        if _attribute(account, "school_id") != str(school_id):
            continue
        roles = sorted(
            r["name"]
            for r in await admin.a_get_realm_roles_of_user(account["id"])
            if r["name"] in ("principal", "teacher", "guard")
        )
        if not roles:
            continue
        full = " ".join(p for p in (account.get("firstName"), account.get("lastName")) if p)
        found.append((str(account["id"]), full or str(account.get("username", "")), roles))
    return sorted(found, key=lambda a: (a[1], a[0]))
