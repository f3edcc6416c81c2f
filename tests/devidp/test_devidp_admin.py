"""The Admin REST subset, driven by python-keycloak's KeycloakAdmin with the provisioner's client credentials."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from keycloak import KeycloakAdmin, KeycloakOpenID
from keycloak.exceptions import (
    KeycloakAuthenticationError,
    KeycloakError,
    KeycloakGetError,
    KeycloakPostError,
)

if TYPE_CHECKING:
    from conftest import Account


def _error(exc: KeycloakError) -> dict[str, Any]:
    """The JSON body Keycloak answered an error with."""
    body: dict[str, Any] = json.loads(exc.response_body or b"{}")
    return body


def _name(prefix: str = "u") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def test_admin_calls_need_a_token(idp_url: str) -> None:
    response = httpx.get(f"{idp_url}/admin/realms/safecampus/users")

    assert response.status_code == 401


def test_admin_calls_need_realm_management_roles(
    idp_url: str, cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user(roles=("principal",))
    token = cli.token(user.username, user.password)["access_token"]

    response = httpx.get(
        f"{idp_url}/admin/realms/safecampus/users", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 403


def test_create_user_with_attributes_and_password(admin: KeycloakAdmin, cli: KeycloakOpenID) -> None:
    username = _name()

    user_id = admin.create_user(
        {
            "username": username,
            "email": f"{username}@Example.ORG",
            "firstName": "Li",
            "lastName": "Wei",
            "enabled": True,
            "emailVerified": True,
            "attributes": {"county_id": ["county-1"], "school_id": ["school-9"]},
            "credentials": [{"type": "password", "value": "Good-Password-1", "temporary": False}],
        }
    )
    user = admin.get_user(user_id)
    claims = cli.decode_token(cli.token(username, "Good-Password-1")["access_token"], validate=False)

    assert user["username"] == username
    assert user["email"] == f"{username}@example.org"
    assert user["enabled"] is True
    assert user["attributes"] == {"county_id": ["county-1"], "school_id": ["school-9"]}
    assert user["requiredActions"] == []
    assert claims["sub"] == user_id
    assert claims["school_id"] == "school-9"


def test_users_are_created_disabled_unless_enabled_is_given(admin: KeycloakAdmin) -> None:
    user_id = admin.create_user({"username": _name()})

    assert admin.get_user(user_id)["enabled"] is False


def test_temporary_password_sets_the_update_password_action(admin: KeycloakAdmin) -> None:
    user_id = admin.create_user(
        {
            "username": _name(),
            "enabled": True,
            "credentials": [{"value": "Temp-Password-1", "temporary": True}],
        }
    )

    assert admin.get_user(user_id)["requiredActions"] == ["UPDATE_PASSWORD"]


def test_duplicate_username_is_409_and_exist_ok_returns_the_existing_id(admin: KeycloakAdmin) -> None:
    username = _name()
    user_id = admin.create_user({"username": username, "enabled": True})

    with pytest.raises(KeycloakPostError) as error:
        admin.create_user({"username": username.upper()})

    assert error.value.response_code == 409
    assert _error(error.value) == {"errorMessage": "User exists with same username"}
    assert admin.create_user({"username": username}, exist_ok=True) == user_id


def test_duplicate_email_is_409(admin: KeycloakAdmin) -> None:
    email = f"{_name()}@example.org"
    admin.create_user({"username": _name(), "email": email})

    with pytest.raises(KeycloakPostError) as error:
        admin.create_user({"username": _name(), "email": email})

    assert _error(error.value) == {"errorMessage": "User exists with same email"}


def test_password_policy_is_enforced(admin: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakPostError) as error:
        admin.create_user({"username": _name(), "credentials": [{"value": "short"}]})

    assert error.value.response_code == 400


def test_get_user_id_and_queries(admin: KeycloakAdmin) -> None:
    prefix = _name("q")
    ids = [
        admin.create_user(
            {
                "username": f"{prefix}-{i}",
                "firstName": f"First{i}",
                "enabled": True,
                "attributes": {"school_id": [f"{prefix}-school-{i % 2}"]},
            }
        )
        for i in range(3)
    ]

    assert admin.get_user_id(f"{prefix}-1") == ids[1]
    assert admin.get_user_id(f"{prefix}-nope") is None
    assert admin.get_user_id(prefix) is None  # exact match only
    assert [u["id"] for u in admin.get_users({"search": prefix})] == ids
    assert [u["id"] for u in admin.get_users({"search": prefix, "first": 1, "max": 1})] == [ids[1]]
    assert [u["id"] for u in admin.get_users({"username": prefix, "exact": False})] == ids
    assert [u["id"] for u in admin.get_users({"q": f"school_id:{prefix}-school-0"})] == [ids[0], ids[2]]
    assert admin.users_count({"search": prefix}) == 3
    brief = admin.get_users({"search": prefix, "briefRepresentation": True})
    assert all("attributes" not in u for u in brief)
    full = admin.get_users({"search": prefix})
    assert full[0]["attributes"] == {"school_id": [f"{prefix}-school-0"]}


def test_update_user_replaces_given_fields(admin: KeycloakAdmin, make_user: Callable[..., Account]) -> None:
    user = make_user()

    admin.update_user(
        user.id, {"firstName": "Changed", "attributes": {"county_id": ["c-2"], "school_id": ["s-2"]}}
    )
    updated = admin.get_user(user.id)

    assert updated["firstName"] == "Changed"
    assert updated["lastName"] == "User"
    assert updated["attributes"] == {"county_id": ["c-2"], "school_id": ["s-2"]}


def test_disabled_user_cannot_log_in_after_update(
    admin: KeycloakAdmin, cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    admin.update_user(user.id, {"enabled": False})

    with pytest.raises(KeycloakPostError) as error:
        cli.token(user.username, user.password)
    assert _error(error.value)["error_description"] == "Account disabled"


def test_reset_password(admin: KeycloakAdmin, cli: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user()

    admin.set_user_password(user.id, "Brand-New-Pass-2", temporary=False)

    assert cli.token(user.username, "Brand-New-Pass-2")["access_token"]
    with pytest.raises(KeycloakAuthenticationError):
        cli.token(user.username, user.password)
    admin.set_user_password(user.id, "Temp-Pass-3", temporary=True)
    assert admin.get_user(user.id)["requiredActions"] == ["UPDATE_PASSWORD"]


def test_realm_roles_and_mappings(
    admin: KeycloakAdmin, cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    names = {r["name"] for r in admin.get_realm_roles()}
    admin.assign_realm_roles(user.id, [admin.get_realm_role("principal"), admin.get_realm_role("guard")])
    admin.delete_realm_roles_of_user(user.id, [admin.get_realm_role("guard")])
    direct = {r["name"] for r in admin.get_realm_roles_of_user(user.id)}
    effective = {r["name"] for r in admin.get_composite_realm_roles_of_user(user.id)}
    mappings = admin.get_all_roles_of_user(user.id)
    claims = cli.decode_token(cli.token(user.username, user.password)["access_token"], validate=False)

    assert {"bureau", "principal", "teacher", "guard"} <= names
    assert direct == {"principal", "default-roles-safecampus"}
    assert {"principal", "offline_access", "uma_authorization"} <= effective
    assert {r["name"] for r in mappings["realmMappings"]} == direct
    assert "principal" in claims["realm_access"]["roles"]
    assert "guard" not in claims["realm_access"]["roles"]


def test_unknown_role_is_404(admin: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakGetError) as error:
        admin.get_realm_role("headmaster")

    assert error.value.response_code == 404


def test_delete_user(admin: KeycloakAdmin, cli: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user()

    admin.delete_user(user.id)

    with pytest.raises(KeycloakGetError) as error:
        admin.get_user(user.id)
    assert error.value.response_code == 404
    with pytest.raises(KeycloakAuthenticationError):
        cli.token(user.username, user.password)


def test_groups(admin: KeycloakAdmin, make_user: Callable[..., Account]) -> None:
    user = make_user()
    name = _name("g")

    group_id = admin.create_group({"name": name, "attributes": {"county_id": ["c-1"]}})
    assert group_id is not None
    assert admin.create_group({"name": name}, skip_exists=True) is None
    child_id = admin.create_group({"name": "teachers"}, parent=group_id)
    assert child_id is not None
    admin.group_user_add(user.id, child_id)

    assert admin.get_group(group_id)["attributes"] == {"county_id": ["c-1"]}
    assert admin.get_group_by_path(f"/{name}/teachers")["id"] == child_id
    assert [g["id"] for g in admin.get_groups({"search": name})] == [group_id]
    top = next(g for g in admin.get_groups() if g["id"] == group_id)
    assert top["subGroupCount"] == 1
    assert [g["id"] for g in top["subGroups"]] == [child_id]
    assert [u["id"] for u in admin.get_group_members(child_id)] == [user.id]
    assert [g["path"] for g in admin.get_user_groups(user.id)] == [f"/{name}/teachers"]

    admin.group_user_remove(user.id, child_id)
    assert admin.get_group_members(child_id) == []
    admin.delete_group(group_id)
    with pytest.raises(KeycloakGetError):
        admin.get_group(child_id)


def test_user_created_into_a_group_by_path(admin: KeycloakAdmin) -> None:
    name = _name("g")
    admin.create_group({"name": name})

    user_id = admin.create_user({"username": _name(), "groups": [f"/{name}"]})

    assert [g["name"] for g in admin.get_user_groups(user_id)] == [name]


async def test_async_admin(admin: KeycloakAdmin) -> None:
    username = _name("async")

    user_id = await admin.a_create_user({"username": username, "enabled": True})
    await admin.a_assign_realm_roles(user_id, [await admin.a_get_realm_role("bureau")])

    assert await admin.a_get_user_id(username) == user_id
    assert [u["id"] for u in await admin.a_get_users({"search": username})] == [user_id]
    assert "bureau" in {r["name"] for r in await admin.a_get_realm_roles_of_user(user_id)}
    assert await admin.a_create_user({"username": username}, exist_ok=True) == user_id
