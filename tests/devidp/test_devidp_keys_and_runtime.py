"""Key rotation, persistence across restarts, lifetimes from settings, production refusal, the realm file."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from jwcrypto import jwk
from keycloak import KeycloakOpenID

from devidp.app import create_app
from devidp.config import DEFAULT_REALM_FILE, REPO_ROOT, IdpConfig, ProductionRefusedError
from devidp.realm import RealmFileError, load_realm, redirect_uri_allowed
from devidp.testing import running_idp

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from conftest import Account, Clients

REALM = "safecampus"


def _kid(token: str) -> str:
    segment = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["kid"])


def _rotate(idp_url: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{idp_url}/admin/realms/{REALM}/dev/rotate-keys", headers={"Authorization": f"Bearer {token}"}
    )


def test_key_rotation_keeps_old_tokens_verifiable(
    idp_url: str,
    cli: KeycloakOpenID,
    provisioner: KeycloakOpenID,
    make_user: Callable[..., Account],
    fetch_jwks: Callable[[], jwk.JWKSet],
) -> None:
    user = make_user()
    before = cli.token(user.username, user.password)["access_token"]

    rotated = _rotate(idp_url, provisioner.token(grant_type="client_credentials")["access_token"])
    after = cli.token(user.username, user.password)["access_token"]
    keys = fetch_jwks()

    assert rotated.status_code == 200
    assert _kid(after) == rotated.json()["active"] != _kid(before)
    assert {_kid(before), _kid(after)} <= {k["kid"] for k in keys["keys"]}
    assert cli.decode_token(before, key=keys)["sub"] == user.id
    assert cli.decode_token(after, key=keys)["sub"] == user.id


def test_only_realm_managers_may_rotate_keys(
    idp_url: str, cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user(roles=("bureau",))

    response = _rotate(idp_url, cli.token(user.username, user.password)["access_token"])

    assert response.status_code == 403


def test_users_and_keys_survive_a_restart(
    start_idp: Callable[..., AbstractContextManager[str]], clients_for: Callable[[str], Clients]
) -> None:
    with start_idp() as first_url:
        first = clients_for(first_url)
        user_id = first.admin.create_user(
            {
                "username": "survivor",
                "enabled": True,
                "credentials": [{"value": "Survive-123", "temporary": False}],
            }
        )
        old_token = first.cli.token("survivor", "Survive-123")["access_token"]

    with start_idp() as second_url:
        second = clients_for(second_url)
        keys = jwk.JWKSet()
        for key in second.cli.certs()["keys"]:
            keys.add(jwk.JWK(**key))
        new_token = second.cli.token("survivor", "Survive-123")["access_token"]

        assert second_url != first_url
        assert second.admin.get_user_id("survivor") == user_id
        assert second.cli.decode_token(new_token, key=keys)["sub"] == user_id
        assert second.cli.decode_token(old_token, key=keys)["sub"] == user_id


def test_token_lifetimes_come_from_settings(
    start_idp: Callable[..., AbstractContextManager[str]], clients_for: Callable[[str], Clients]
) -> None:
    with start_idp(access_token_lifespan=7, sso_session_idle_timeout=11) as url:
        idp = clients_for(url)
        idp.admin.create_user(
            {"username": "shortlived", "enabled": True, "credentials": [{"value": "Short-Lived-1"}]},
            exist_ok=True,
        )
        tokens = idp.cli.token("shortlived", "Short-Lived-1")

    claims = idp.cli.decode_token(tokens["access_token"], validate=False)
    assert tokens["expires_in"] == 7
    assert claims["exp"] - claims["iat"] == 7
    assert tokens["refresh_expires_in"] == 11


def test_users_listed_in_a_realm_file_are_seeded(
    tmp_path: Path,
    start_idp: Callable[..., AbstractContextManager[str]],
    clients_for: Callable[[str], Clients],
) -> None:
    document = json.loads(DEFAULT_REALM_FILE.read_text(encoding="utf-8"))
    document["users"].append(
        {
            "username": "seeded-teacher",
            "enabled": True,
            "realmRoles": ["teacher"],
            "attributes": {"county_id": ["c-9"], "school_id": ["s-9"]},
            "credentials": [{"type": "password", "value": "Seeded-Pass-1", "temporary": False}],
        }
    )
    realm_file = tmp_path / "realm.json"
    realm_file.write_text(json.dumps(document), encoding="utf-8")

    with start_idp(realm_file=realm_file) as url:
        idp = clients_for(url)
        claims = idp.cli.decode_token(
            idp.cli.token("seeded-teacher", "Seeded-Pass-1")["access_token"], validate=False
        )

    assert "teacher" in claims["realm_access"]["roles"]
    assert claims["county_id"] == "c-9"


def test_production_mode_refuses_to_start(idp_dsn: str) -> None:
    env = {**os.environ, "SAFECAMPUS_ENV": "production", "IDP_DATABASE_URL": idp_dsn}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "infra"), str(REPO_ROOT), env.get("PYTHONPATH", "")])

    result = subprocess.run(
        [sys.executable, "-m", "devidp"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode != 0
    assert "refuses to start with SAFECAMPUS_ENV=production" in result.stderr
    with pytest.raises(ProductionRefusedError):
        create_app(IdpConfig(database_url=idp_dsn, env="production"))
    with pytest.raises(ProductionRefusedError), running_idp(idp_dsn, env="production"):
        pass


def test_missing_secret_placeholders_are_dev_only(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(
        RealmFileError, match=r"KEYCLOAK_PROVISIONER_CLIENT_SECRET|SAFECAMPUS_PORTAL_CLIENT_SECRET"
    ):
        load_realm(DEFAULT_REALM_FILE, {}, allow_generated=False)

    realm = load_realm(DEFAULT_REALM_FILE, {}, allow_generated=True)

    secret = realm.clients["safecampus-provisioner"].secret
    assert secret and len(secret) >= 32 and "${" not in secret
    assert set(realm.generated_placeholders) == {
        "KEYCLOAK_PROVISIONER_CLIENT_SECRET",
        "SAFECAMPUS_PORTAL_CLIENT_SECRET",
    }
    assert "DEV-ONLY" in caplog.text


def test_the_committed_realm_file_holds_no_secrets_or_people() -> None:
    document: dict[str, Any] = json.loads(Path(DEFAULT_REALM_FILE).read_text(encoding="utf-8"))
    clients = {c["clientId"]: c for c in document["clients"]}

    assert document["realm"] == "safecampus"
    assert {"bureau", "principal", "teacher", "guard"} <= {r["name"] for r in document["roles"]["realm"]}
    assert clients["safecampus-portal"]["secret"] == "${SAFECAMPUS_PORTAL_CLIENT_SECRET}"
    assert clients["safecampus-provisioner"]["secret"] == "${KEYCLOAK_PROVISIONER_CLIENT_SECRET}"
    assert clients["safecampus-portal"]["attributes"]["pkce.code.challenge.method"] == "S256"
    assert clients["safecampus-api"]["bearerOnly"] is True
    assert "DEV/TEST ONLY" in clients["safecampus-cli"]["description"]
    assert all("serviceAccountClientId" in u for u in document["users"])
    assert all("credentials" not in u for u in document["users"])


def test_redirect_uris_match_like_keycloak() -> None:
    patterns = ["http://127.0.0.1:*", "https://portal.example/auth/callback"]

    assert redirect_uri_allowed("http://127.0.0.1:8000/auth/callback", patterns)
    assert redirect_uri_allowed("https://portal.example/auth/callback", patterns)
    assert not redirect_uri_allowed("https://portal.example/auth/callback/../evil", patterns)
    assert not redirect_uri_allowed("https://portal.example.evil/auth/callback", patterns)
    assert not redirect_uri_allowed("http://127.0.0.1:80@evil.example/", patterns)
    assert not redirect_uri_allowed("http://127.0.0.1:8000/cb#fragment", patterns)
    assert not redirect_uri_allowed("http://localhost:8000/auth/callback", patterns)
