"""Fixtures for the dev identity server tests: a throwaway database and one running server.

Tests talk to the server over real HTTP through python-keycloak, exactly as the services will.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from jwcrypto import jwk
from keycloak import KeycloakAdmin, KeycloakOpenID

from devidp.testing import running_idp
from tenants.bootstrap import bootstrap_database, drop_database

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
REALM = "safecampus"
PROVISIONER_SECRET = "test-provisioner-" + secrets.token_hex(8)
PORTAL_SECRET = "test-portal-" + secrets.token_hex(8)
PASSWORD = "Correct-Horse-9"
#: Settings every test server gets: test mode and known client secrets.
IDP_SETTINGS: dict[str, Any] = {
    "env": "test",
    "placeholders": {
        "KEYCLOAK_PROVISIONER_CLIENT_SECRET": PROVISIONER_SECRET,
        "SAFECAMPUS_PORTAL_CLIENT_SECRET": PORTAL_SECRET,
    },
}


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    password: str


@pytest.fixture(scope="session")
async def idp_dsn() -> AsyncIterator[str]:
    """A fresh database prepared by the tenancy bootstrap; the server logs in as safecampus_idp."""
    dbname = f"devidp_test_{secrets.token_hex(4)}"
    await bootstrap_database(ADMIN_DSN, dbname)
    try:
        yield f"postgresql://safecampus_idp@127.0.0.1:5432/{dbname}"
    finally:
        await drop_database(ADMIN_DSN, dbname)


@pytest.fixture(scope="session")
def idp_url(idp_dsn: str) -> Iterator[str]:
    with running_idp(idp_dsn, **IDP_SETTINGS) as url:
        yield url


@pytest.fixture
def start_idp(idp_dsn: str) -> Callable[..., AbstractContextManager[str]]:
    """Start another server on the test database (``with start_idp(**settings) as url``)."""

    def start(**settings: Any) -> AbstractContextManager[str]:
        return running_idp(idp_dsn, **{**IDP_SETTINGS, **settings})

    return start


@dataclass(frozen=True)
class Clients:
    cli: KeycloakOpenID
    admin: KeycloakAdmin


@pytest.fixture
def clients_for() -> Callable[[str], Clients]:
    """The password-grant client and the provisioner's KeycloakAdmin for a server at ``url``."""

    def make(url: str) -> Clients:
        return Clients(
            cli=KeycloakOpenID(server_url=url, realm_name=REALM, client_id="safecampus-cli"),
            admin=KeycloakAdmin(
                server_url=url,
                realm_name=REALM,
                client_id="safecampus-provisioner",
                client_secret_key=PROVISIONER_SECRET,
            ),
        )

    return make


@pytest.fixture(scope="session")
def issuer(idp_url: str) -> str:
    return f"{idp_url}/realms/{REALM}"


@pytest.fixture(scope="session")
def cli(idp_url: str) -> KeycloakOpenID:
    """The public dev/test client with the password grant."""
    return KeycloakOpenID(server_url=idp_url, realm_name=REALM, client_id="safecampus-cli")


@pytest.fixture(scope="session")
def portal(idp_url: str) -> KeycloakOpenID:
    """The confidential portal client (code flow + PKCE; may introspect)."""
    return KeycloakOpenID(
        server_url=idp_url, realm_name=REALM, client_id="safecampus-portal", client_secret_key=PORTAL_SECRET
    )


@pytest.fixture(scope="session")
def provisioner(idp_url: str) -> KeycloakOpenID:
    return KeycloakOpenID(
        server_url=idp_url,
        realm_name=REALM,
        client_id="safecampus-provisioner",
        client_secret_key=PROVISIONER_SECRET,
    )


@pytest.fixture(scope="session")
def admin(idp_url: str) -> KeycloakAdmin:
    """KeycloakAdmin as the provisioning actors use it: client credentials of the service account."""
    return KeycloakAdmin(
        server_url=idp_url,
        realm_name=REALM,
        client_id="safecampus-provisioner",
        client_secret_key=PROVISIONER_SECRET,
    )


@pytest.fixture
def make_user(admin: KeycloakAdmin) -> Callable[..., Account]:
    """Create an enabled user with a permanent password through the Admin API."""

    def make(*, roles: tuple[str, ...] = (), attributes: dict[str, Any] | None = None, **rep: Any) -> Account:
        username = rep.pop("username", None) or f"user-{secrets.token_hex(4)}"
        payload = {
            "username": username,
            "email": f"{username}@school.example",
            "firstName": "Test",
            "lastName": "User",
            "enabled": True,
            "attributes": attributes
            if attributes is not None
            else {"county_id": ["c-1"], "school_id": ["s-1"]},
            "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
            **rep,
        }
        user_id = admin.create_user(payload)
        if roles:
            admin.assign_realm_roles(user_id, [admin.get_realm_role(r) for r in roles])
        return Account(user_id, username, PASSWORD)

    return make


@pytest.fixture
def fetch_jwks(cli: KeycloakOpenID) -> Callable[[], jwk.JWKSet]:
    """Fetch the realm's published keys, as a service does before caching them."""

    def fetch() -> jwk.JWKSet:
        keyset = jwk.JWKSet()
        for key in cli.certs()["keys"]:
            keyset.add(jwk.JWK(**key))
        return keyset

    return fetch
