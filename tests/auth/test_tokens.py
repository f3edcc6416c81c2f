"""Token verification: every forged or foreign token is refused; a rotated key is picked up without a
restart; and no request costs a call to the identity server."""

from __future__ import annotations

import json
import time
import uuid

import asyncpg
import httpx
import pytest
from jwcrypto import jwk, jwt

from kit.auth import InvalidTokenError, TokenVerifier
from tenants.roles import IDP_ROLE


async def _active_key(stack) -> jwk.JWK:
    """The identity server's current signing key, read from its own schema (to forge tokens that differ
    from a genuine one in exactly one respect)."""
    conn = await asyncpg.connect(stack.settings.database_dsn(IDP_ROLE, "idp"))
    try:
        row = await conn.fetchrow(
            "SELECT jwk FROM idp.keys WHERE algorithm = 'RS256' ORDER BY created_at DESC LIMIT 1"
        )
    finally:
        await conn.close()
    return jwk.JWK(**json.loads(row["jwk"]))


def _claims_of(token: str) -> dict:
    return json.loads(jwt.JWT(jwt=token).token.objects["payload"])


def _sign(claims: dict, key: jwk.JWK, *, alg: str = "RS256", kid: str | None = None) -> str:
    header = {"alg": alg, "typ": "JWT", "kid": kid if kid is not None else key.get("kid")}
    token = jwt.JWT(header=header, claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


def _unsigned(claims: dict, kid: str) -> str:
    import base64

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."


@pytest.fixture
async def genuine(world):
    return world["principal_a"].token


@pytest.fixture
async def verifier(stack):
    return TokenVerifier(stack.settings)


async def test_a_genuine_token_verifies(verifier, genuine, world):
    claims = await verifier.verify(genuine)
    assert claims["school_id"] == str(world.school_a)
    assert "safecampus-api" in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("expired", {"exp": int(time.time()) - 300, "iat": int(time.time()) - 900}),
        ("wrong issuer", {"iss": "https://evil.example/realms/safecampus"}),
        ("other realm", {"iss": "REALM:other"}),
        ("wrong audience", {"aud": ["account"]}),
        ("refresh token", {"typ": "Refresh"}),
        ("no role", {"realm_access": {"roles": ["offline_access"]}}),
        ("no county", {"county_id": None}),
        ("forged county", {"county_id": "not-a-uuid"}),
    ],
)
async def test_a_token_with_a_bad_claim_is_refused(stack, verifier, genuine, app_client, name, change):
    key = await _active_key(stack)
    claims = _claims_of(genuine)
    for k, v in change.items():
        if v == "REALM:other":
            v = claims["iss"].rsplit("/", 1)[0] + "/other"
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    forged = _sign(claims, key)
    response = await app_client.get("/school", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401, name
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_bad_signature_is_refused(stack, verifier, genuine):
    impostor = jwk.JWK.generate(kty="RSA", size=2048)
    real_kid = (await _active_key(stack)).get("kid")
    with pytest.raises(InvalidTokenError):
        await verifier.verify(_sign(_claims_of(genuine), impostor, kid=real_kid))
    tampered = genuine.split(".")
    payload = _claims_of(genuine) | {"school_id": str(uuid.uuid4())}
    import base64

    tampered[1] = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidTokenError):
        await verifier.verify(".".join(tampered))


async def test_alg_none_is_refused(stack, verifier, genuine):
    kid = (await _active_key(stack)).get("kid")
    with pytest.raises(InvalidTokenError):
        await verifier.verify(_unsigned(_claims_of(genuine), kid))


async def test_hmac_signed_with_the_public_key_is_refused(stack, verifier, genuine):
    public_pem = (await _active_key(stack)).export_to_pem(private_key=False)
    confused = jwk.JWK(kty="oct", k=jwk.base64url_encode(public_pem))
    with pytest.raises(InvalidTokenError):
        await verifier.verify(_sign(_claims_of(genuine), confused, alg="HS256", kid="x"))


async def test_an_unknown_kid_is_refused_after_one_refetch(stack, verifier, genuine):
    await verifier.verify(genuine)
    fetched = verifier.fetch_count
    stranger = jwk.JWK.generate(kty="RSA", size=2048, kid="unknown-kid")
    for _ in range(5):
        with pytest.raises(InvalidTokenError):
            await verifier.verify(_sign(_claims_of(genuine), stranger))
    assert verifier.fetch_count == fetched + 1  # refetched once, not once per forged token


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer a.b.c", "Bearer " + "x" * 20000]
)
async def test_garbage_authorization_headers_get_401(app_client, header):
    response = await app_client.get("/school", headers={"Authorization": header} if header else {})
    assert response.status_code == 401


async def test_requests_cost_no_call_to_the_identity_server(app_client, world):
    verifier = app_client.app.state.verifier
    await app_client.get("/school", headers=world["principal_a"].headers)
    fetched = verifier.fetch_count
    for _ in range(20):
        assert (await app_client.get("/school", headers=world["principal_a"].headers)).status_code == 200
    assert verifier.fetch_count == fetched


async def test_a_rotated_key_is_picked_up_without_a_restart(stack, world):
    from keycloak import KeycloakOpenID

    from tests.conftest import user_token

    verifier = TokenVerifier(stack.settings)
    old_token = world["teacher_a"].token
    await verifier.verify(old_token)
    settings = stack.settings
    provisioner = KeycloakOpenID(
        server_url=settings.keycloak_url,
        realm_name=settings.keycloak_realm,
        client_id=settings.provisioner_client_id,
        client_secret_key=settings.provisioner_client_secret,
    )
    admin_token = (await provisioner.a_token(grant_type="client_credentials"))["access_token"]
    async with httpx.AsyncClient(base_url=stack.idp_url) as client:
        rotated = await client.post(
            f"/admin/realms/{settings.keycloak_realm}/dev/rotate-keys",
            headers={"Authorization": f"Bearer {admin_token}"},
        )
    assert rotated.status_code in (200, 201, 204), rotated.text
    new_token = await user_token(settings, world["teacher_a"].username)
    assert jwt.JWT(jwt=new_token).token.jose_header["kid"] != jwt.JWT(jwt=old_token).token.jose_header["kid"]
    claims = await verifier.verify(new_token)
    assert claims["preferred_username"] == world["teacher_a"].username
    await verifier.verify(old_token)  # tokens signed before the rotation keep working until they expire
