"""Keycloak's JSON representations of users, roles and groups, and parsing of admin request bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devidp.errors import AdminError
from devidp.realm import Realm, Role
from devidp.store import Group, User

_USER_ACCESS = {
    "manageGroupMembership": True,
    "view": True,
    "mapRoles": True,
    "impersonate": False,
    "manage": True,
}
_GROUP_ACCESS = {"view": True, "viewMembers": True, "manageMembership": True, "manage": True}


def user_rep(user: User, *, brief: bool = False) -> dict[str, Any]:
    rep: dict[str, Any] = {"id": user.id, "username": user.username}
    for key, value in (("firstName", user.first_name), ("lastName", user.last_name), ("email", user.email)):
        if value is not None:
            rep[key] = value
    rep.update(
        {
            "emailVerified": user.email_verified,
            "createdTimestamp": user.created_at,
            "enabled": user.enabled,
            "totp": False,
            "disableableCredentialTypes": [],
            "requiredActions": list(user.required_actions),
            "notBefore": 0,
            "access": dict(_USER_ACCESS),
        }
    )
    if not brief and user.attributes:
        rep["attributes"] = {k: list(v) for k, v in user.attributes.items()}
    return rep


def role_rep(realm: Realm, role: Role, *, brief: bool = True) -> dict[str, Any]:
    rep: dict[str, Any] = {
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "composite": role.composite,
        "clientRole": role.client is not None,
        "containerId": role.client or realm.id,
    }
    if not brief:
        rep["attributes"] = {}
        if role.composite:
            rep["composites"] = {
                "realm": list(role.composite_realm),
                "client": {c: list(r) for c, r in role.composite_client.items()},
            }
    return rep


def group_rep(group: Group, *, brief: bool = True) -> dict[str, Any]:
    rep: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "path": group.path,
        "subGroupCount": group.sub_group_count,
        "subGroups": [],
    }
    if group.parent_id:
        rep["parentId"] = group.parent_id
    if not brief:
        rep["attributes"] = {k: list(v) for k, v in group.attributes.items()}
        rep["realmRoles"] = []
        rep["clientRoles"] = {}
        rep["access"] = dict(_GROUP_ACCESS)
    return rep


def attributes(value: Any) -> dict[str, list[str]]:
    """``{"county_id": ["c1"]}``; a bare string value is taken as a one-element list."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AdminError.bad_request("attributes must be an object")
    result: dict[str, list[str]] = {}
    for key, raw in value.items():
        items = raw if isinstance(raw, list) else [raw]
        values = [str(v) for v in items if v is not None]
        if values:
            result[str(key)] = values
    return result


def password_credential(rep: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The password and its ``temporary`` flag from a UserRepresentation's ``credentials``."""
    password, temporary = None, False
    for credential in rep.get("credentials") or []:
        if not isinstance(credential, Mapping):
            raise AdminError.bad_request("credentials must be objects")
        if credential.get("type", "password") != "password":
            raise AdminError.bad_request(f"credential type {credential.get('type')!r} is not supported")
        if credential.get("value") is None:
            raise AdminError.bad_request("a password credential needs a value")
        password, temporary = str(credential["value"]), bool(credential.get("temporary", False))
    return password, temporary


def normalised_email(value: Any) -> str | None:
    if value in (None, ""):
        return None
    email = str(value).strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email:
        raise AdminError(
            400, {"field": "email", "errorMessage": "invalidEmailMessage", "params": ["email", email]}
        )
    return email


def apply_user_update(user: User, rep: Mapping[str, Any]) -> None:
    """PUT semantics of Keycloak: fields present in ``rep`` replace the stored ones."""
    if rep.get("username") not in (None, ""):
        user.username = str(rep["username"]).strip().lower()
    if "email" in rep:
        user.email = normalised_email(rep["email"])
    if "firstName" in rep:
        user.first_name = rep["firstName"]
    if "lastName" in rep:
        user.last_name = rep["lastName"]
    if rep.get("enabled") is not None:
        user.enabled = bool(rep["enabled"])
    if rep.get("emailVerified") is not None:
        user.email_verified = bool(rep["emailVerified"])
    if rep.get("requiredActions") is not None:
        user.required_actions = [str(a) for a in rep["requiredActions"]]
    if rep.get("attributes") is not None:
        user.attributes = attributes(rep["attributes"])
