"""Password, refresh and client-credentials grants, token shapes, userinfo, introspection, logout."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from jwcrypto import jwk
from jwcrypto.common import JWException
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakError, KeycloakPostError

if TYPE_CHECKING:
    from conftest import Account


def _error(exc: KeycloakError) -> dict[str, Any]:
    """The JSON body Keycloak answered an error with."""
    body: dict[str, Any] = json.loads(exc.response_body or b"{}")
    return body


def _header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return header


def test_access_token_has_keycloak_claims_and_tenant_attributes(
    cli: KeycloakOpenID,
    issuer: str,
    make_user: Callable[..., Account],
    fetch_jwks: Callable[[], jwk.JWKSet],
) -> None:
    user = make_user(roles=("teacher",), attributes={"county_id": ["county-7"], "school_id": ["school-42"]})

    tokens = cli.token(user.username, user.password)
    keys = fetch_jwks()
    claims = cli.decode_token(
        tokens["access_token"],
        key=keys,
        check_claims={"iss": issuer, "aud": "safecampus-api", "exp": None},
    )

    assert _header(tokens["access_token"])["kid"] in {k["kid"] for k in keys["keys"]}
    assert _header(tokens["access_token"])["alg"] == "RS256"
    assert claims["iss"] == issuer
    assert "safecampus-api" in claims["aud"]
    assert claims["azp"] == "safecampus-cli"
    assert claims["typ"] == "Bearer"
    assert claims["sub"] == user.id
    assert claims["sid"] == tokens["session_state"]
    assert "teacher" in claims["realm_access"]["roles"]
    assert claims["county_id"] == "county-7"
    assert claims["school_id"] == "school-42"
    assert claims["preferred_username"] == user.username
    assert claims["email"] == f"{user.username}@school.example"
    assert claims["name"] == "Test User"
    assert claims["given_name"] == "Test"
    assert claims["family_name"] == "User"
    assert claims["exp"] - claims["iat"] == tokens["expires_in"] == 300
    assert {"jti", "scope"} <= set(claims)


def test_id_token_is_for_the_client_and_bound_to_the_access_token(
    cli: KeycloakOpenID, make_user: Callable[..., Account], fetch_jwks: Callable[[], jwk.JWKSet]
) -> None:
    user = make_user()

    tokens = cli.token(user.username, user.password, scope="openid")
    claims = cli.decode_token(tokens["id_token"], key=fetch_jwks())

    digest = hashlib.sha256(tokens["access_token"].encode()).digest()[:16]
    assert claims["typ"] == "ID"
    assert claims["aud"] == "safecampus-cli"
    assert claims["sub"] == user.id
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert claims["county_id"] == "c-1"


def test_user_without_tenant_attributes_gets_no_tenant_claims(
    cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user(attributes={})

    claims = cli.decode_token(cli.token(user.username, user.password)["access_token"], validate=False)

    assert "county_id" not in claims
    assert "school_id" not in claims


def test_wrong_password_and_unknown_user_get_the_same_keycloak_error(
    cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    with pytest.raises(KeycloakAuthenticationError) as wrong:
        cli.token(user.username, "not-the-password")
    with pytest.raises(KeycloakAuthenticationError) as unknown:
        cli.token("nobody-at-all", "whatever-password")

    for error in (wrong.value, unknown.value):
        assert error.response_code == 401
        assert _error(error) == {
            "error": "invalid_grant",
            "error_description": "Invalid user credentials",
        }


def test_disabled_user_cannot_log_in(cli: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user(enabled=False)

    with pytest.raises(KeycloakPostError) as error:
        cli.token(user.username, user.password)

    assert error.value.response_code == 400
    assert _error(error.value)["error_description"] == "Account disabled"


def test_user_with_a_temporary_password_must_finish_setup_in_the_browser(
    cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user(credentials=[{"type": "password", "value": "Temporary-123", "temporary": True}])

    with pytest.raises(KeycloakPostError) as error:
        cli.token(user.username, "Temporary-123")

    assert _error(error.value)["error_description"] == "Account is not fully set up"


def test_user_can_log_in_with_email(cli: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user()

    tokens = cli.token(f"{user.username}@school.example", user.password)

    assert cli.decode_token(tokens["access_token"], validate=False)["sub"] == user.id


def test_refresh_keeps_the_session_and_refresh_tokens_are_not_access_tokens(
    cli: KeycloakOpenID, make_user: Callable[..., Account], fetch_jwks: Callable[[], jwk.JWKSet]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    refreshed = cli.refresh_token(tokens["refresh_token"])

    claims = cli.decode_token(refreshed["access_token"], key=fetch_jwks())
    refresh_claims = cli.decode_token(refreshed["refresh_token"], validate=False)
    assert claims["sid"] == tokens["session_state"]
    assert claims["sub"] == user.id
    assert refresh_claims["typ"] == "Refresh"
    assert _header(refreshed["refresh_token"])["alg"] == "HS512"
    with pytest.raises(JWException):
        cli.decode_token(refreshed["refresh_token"], key=fetch_jwks())


def test_refresh_token_of_another_client_is_refused(
    cli: KeycloakOpenID, portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    with pytest.raises(KeycloakPostError) as error:
        portal.refresh_token(tokens["refresh_token"])

    assert _error(error.value)["error"] == "invalid_grant"


def test_userinfo_returns_profile_and_tenant_claims(
    cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    info = cli.userinfo(tokens["access_token"])

    assert isinstance(info, dict)
    assert info["sub"] == user.id
    assert info["preferred_username"] == user.username
    assert info["county_id"] == "c-1"
    assert info["school_id"] == "s-1"
    assert "realm_access" not in info


def test_userinfo_refuses_a_bad_token(cli: KeycloakOpenID) -> None:
    with pytest.raises(KeycloakAuthenticationError) as error:
        cli.userinfo("not.a.token")

    assert error.value.response_code == 401


def test_introspection_by_a_confidential_client(
    cli: KeycloakOpenID, portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    active = portal.introspect(tokens["access_token"])
    garbage = portal.introspect("garbage")

    assert active["active"] is True
    assert active["username"] == user.username
    assert active["client_id"] == "safecampus-cli"
    assert active["county_id"] == "c-1"
    assert garbage == {"active": False}


def test_a_public_client_may_not_introspect(cli: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    with pytest.raises(KeycloakPostError):
        cli.introspect(tokens["access_token"])


def test_logout_ends_the_session(
    cli: KeycloakOpenID, portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    assert cli.logout(tokens["refresh_token"]) == {}

    with pytest.raises(KeycloakPostError) as error:
        cli.refresh_token(tokens["refresh_token"])
    assert _error(error.value) == {
        "error": "invalid_grant",
        "error_description": "Session not active",
    }
    assert portal.introspect(tokens["access_token"]) == {"active": False}
    with pytest.raises(KeycloakAuthenticationError):
        cli.userinfo(tokens["access_token"])


def test_disabling_a_user_stops_refresh(
    cli: KeycloakOpenID, admin: Any, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    tokens = cli.token(user.username, user.password)

    admin.update_user(user.id, {"enabled": False})

    with pytest.raises(KeycloakPostError):
        cli.refresh_token(tokens["refresh_token"])


async def test_async_password_refresh_userinfo_logout(
    cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    tokens = await cli.a_token(user.username, user.password)
    refreshed = await cli.a_refresh_token(tokens["refresh_token"])
    info = await cli.a_userinfo(refreshed["access_token"])
    await cli.a_logout(refreshed["refresh_token"])

    assert isinstance(info, dict)
    assert info["sub"] == user.id
    with pytest.raises(KeycloakPostError):
        await cli.a_refresh_token(refreshed["refresh_token"])


def test_client_credentials_give_a_service_account_token(
    provisioner: KeycloakOpenID, issuer: str, fetch_jwks: Callable[[], jwk.JWKSet]
) -> None:
    tokens = provisioner.token(grant_type="client_credentials")

    claims = provisioner.decode_token(tokens["access_token"], key=fetch_jwks(), check_claims={"iss": issuer})
    assert "refresh_token" not in tokens
    assert claims["preferred_username"] == "service-account-safecampus-provisioner"
    assert claims["azp"] == "safecampus-provisioner"
    assert claims["client_id"] == "safecampus-provisioner"
    assert set(claims["resource_access"]["realm-management"]["roles"]) >= {
        "manage-users",
        "view-users",
        "query-users",
        "view-realm",
        "query-groups",
    }
    assert "sid" not in claims


async def test_async_client_credentials(provisioner: KeycloakOpenID) -> None:
    tokens = await provisioner.a_token(grant_type="client_credentials")

    assert tokens["token_type"] == "Bearer"


def test_wrong_client_secret_is_refused(idp_url: str) -> None:
    client = KeycloakOpenID(
        server_url=idp_url,
        realm_name="safecampus",
        client_id="safecampus-provisioner",
        client_secret_key="wrong",
    )

    with pytest.raises(KeycloakAuthenticationError) as error:
        client.token(grant_type="client_credentials")

    assert _error(error.value)["error"] == "unauthorized_client"


def test_clients_only_use_the_grants_the_realm_allows(
    cli: KeycloakOpenID, portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    with pytest.raises(KeycloakPostError) as no_direct_grant:
        portal.token(user.username, user.password)
    with pytest.raises(KeycloakAuthenticationError) as no_service_account:
        cli.token(grant_type="client_credentials")

    assert _error(no_direct_grant.value)["error"] == "unauthorized_client"
    assert _error(no_service_account.value)["error"] == "unauthorized_client"
