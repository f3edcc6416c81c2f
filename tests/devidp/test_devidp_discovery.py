"""Realm discovery, realm info and the JWKS look like Keycloak's."""

from __future__ import annotations

import base64

import httpx
from jwcrypto import jwk
from keycloak import KeycloakOpenID


def test_well_known_uses_keycloak_url_layout(cli: KeycloakOpenID, issuer: str) -> None:
    config = cli.well_known()

    oidc = f"{issuer}/protocol/openid-connect"
    assert config["issuer"] == issuer
    assert config["authorization_endpoint"] == f"{oidc}/auth"
    assert config["token_endpoint"] == f"{oidc}/token"
    assert config["userinfo_endpoint"] == f"{oidc}/userinfo"
    assert config["end_session_endpoint"] == f"{oidc}/logout"
    assert config["introspection_endpoint"] == f"{oidc}/token/introspect"
    assert config["jwks_uri"] == f"{oidc}/certs"
    assert "S256" in config["code_challenge_methods_supported"]
    assert {"authorization_code", "password", "client_credentials", "refresh_token"} <= set(
        config["grant_types_supported"]
    )


async def test_async_well_known_matches_sync(cli: KeycloakOpenID) -> None:
    assert await cli.a_well_known() == cli.well_known()


def test_certs_publish_rs256_signing_keys_with_kid(cli: KeycloakOpenID) -> None:
    keys = cli.certs()["keys"]

    assert keys
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["kid"]
        assert key["n"] and key["e"]


def test_realm_info_shows_the_active_public_key(cli: KeycloakOpenID, issuer: str) -> None:
    info = httpx.get(issuer).json()
    pem = "-----BEGIN PUBLIC KEY-----\n" + cli.public_key() + "\n-----END PUBLIC KEY-----\n"
    public = jwk.JWK.from_pem(pem.encode())
    active = cli.certs()["keys"][0]

    assert info["realm"] == "safecampus"
    assert info["token-service"] == f"{issuer}/protocol/openid-connect"
    assert info["account-service"] == f"{issuer}/account"
    assert base64.b64decode(cli.public_key())
    assert public.export_public(as_dict=True)["n"] == active["n"]


def test_an_unknown_realm_is_404(idp_url: str) -> None:
    response = httpx.get(f"{idp_url}/realms/nope/.well-known/openid-configuration")

    assert response.status_code == 404
    assert response.json() == {"error": "Realm does not exist"}
