"""Auth hardening across the whole platform: every forged token refused by every service; the headers a
security scanner expects on every API answer (successes, 401s, 404s, health) and every portal page."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from jwcrypto import jwk

from kit.app import SECURITY_HEADERS
from tests.auth.test_tokens import _active_key, _claims_of, _sign, _unsigned
from tests.hardening.conftest import SERVICES
from tests.test_route_matrix import ROUTES

#: A route of each service that a principal may read without parameters: the target of every attack.
TARGETS = {
    s: next(
        r.path
        for r in ROUTES
        if r.service == s and r.method == "GET" and "principal" in r.allowed and "{" not in r.path
    )
    for s in SERVICES
}


def _changed(claims: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = dict(claims)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _tampered(token: str, **changes: Any) -> str:
    """The genuine token with its payload edited and the original signature kept."""
    header, _payload, signature = token.split(".")
    payload = _changed(_claims_of(token), **changes)
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


async def _forgeries(stack: Any, genuine: str, other_school: str) -> dict[str, str]:
    key = await _active_key(stack)
    claims = _claims_of(genuine)
    now = int(time.time())
    impostor = jwk.JWK.generate(kty="RSA", size=2048)
    confused = jwk.JWK(kty="oct", k=jwk.base64url_encode(key.export_to_pem(private_key=False)))
    return {
        "alg none": _unsigned(claims, key.get("kid")),
        "alg none, no signature part": _unsigned(claims, key.get("kid")).rstrip("."),
        "HS256 keyed with the public key": _sign(claims, confused, alg="HS256", kid=key.get("kid")),
        "another key under the real kid": _sign(claims, impostor, kid=key.get("kid")),
        "another key, unknown kid": _sign(claims, impostor, kid="attacker"),
        "expired": _sign(_changed(claims, exp=now - 60, iat=now - 600), key),
        "no expiry": _sign(_changed(claims, exp=None), key),
        "wrong audience": _sign(_changed(claims, aud="account"), key),
        "no audience": _sign(_changed(claims, aud=None), key),
        "wrong issuer": _sign(_changed(claims, iss="http://127.0.0.1:1/realms/safecampus"), key),
        "refresh token": _sign(_changed(claims, typ="Refresh"), key),
        "school swapped, signature kept": _tampered(genuine, school_id=other_school),
        "role raised, signature kept": _tampered(genuine, realm_access={"roles": ["bureau"]}),
        "county removed": _sign(_changed(claims, county_id=None), key),
        "truncated": genuine[:-10],
        "empty signature": genuine.rsplit(".", 1)[0] + ".",
    }


@pytest.fixture(scope="module")
async def clients(stack: Any, broker: Any) -> Any:
    from contextlib import AsyncExitStack
    from importlib import import_module

    from litestar.testing import AsyncTestClient

    async with AsyncExitStack() as exits:
        yield {
            s: await exits.enter_async_context(
                AsyncTestClient(import_module(f"{s}.app").create_app(stack.settings))
            )
            for s in SERVICES
        }


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_refuses_every_forged_token(service: str, clients: Any, stack: Any, world: Any):
    genuine = world["principal_a"].token
    client = clients[service]
    control = await client.get(TARGETS[service], headers={"Authorization": f"Bearer {genuine}"})
    assert control.status_code == 200, control.text  # the genuine token opens the door the forgeries try

    refused = {}
    for name, token in (await _forgeries(stack, genuine, str(world.school_b))).items():
        response = await client.get(TARGETS[service], headers={"Authorization": f"Bearer {token}"})
        refused[name] = (response.status_code, response.headers.get("content-type", "").split(";")[0])

    assert refused == {name: (401, "application/problem+json") for name in refused}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_token_in_the_query_string_or_a_cookie_is_not_accepted(
    service: str, clients: Any, world: Any
):
    token = world["principal_a"].token
    client = clients[service]
    assert (await client.get(TARGETS[service], params={"access_token": token})).status_code == 401
    assert (
        await client.get(TARGETS[service], headers={"Cookie": f"access_token={token}"})
    ).status_code == 401


@pytest.mark.parametrize("service", SERVICES)
async def test_every_api_answer_carries_the_security_headers(service: str, clients: Any, world: Any):
    client = clients[service]
    answers = {
        "ok": await client.get(TARGETS[service], headers=world["principal_a"].headers),
        "401": await client.get(TARGETS[service]),
        "404": await client.get("/no/such/route", headers=world["principal_a"].headers),
        "health": await client.get("/health/live"),
        "openapi": await client.get("/schema/openapi.json"),
    }
    for name, response in answers.items():
        missing = {h: v for h, v in SECURITY_HEADERS.items() if response.headers.get(h) != v}
        assert missing == {}, name
    assert answers["401"].status_code == 401
    assert answers["401"].headers["content-type"].startswith("application/problem+json")


async def test_the_swagger_page_is_the_one_answer_without_the_strict_policy(clients: Any):
    response = await clients["schools"].get("/schema/swagger")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
