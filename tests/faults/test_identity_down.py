"""The identity server goes down: every service keeps accepting the access tokens it already issued, until
they expire, because each verifies signatures with the keys it cached (and keeps them when a refresh of the
key set fails). An expired token is refused whether the identity server is up or not.

The identity server here is a private one (the session's stays up for the other tests): the same realm,
the same accounts and signing keys, on its own port, with one-minute access tokens; the four APIs run
in-process, trusting only it and refreshing their key set every second, so every request while it is
down tries (and fails) to reach it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.conftest import user_token

#: One read per service that the bureau and a principal may both make.
READS = {
    "schools": "/county",
    "hazards": "/hazards?limit=5",
    "personnel": "/standard",
    "evaluation": "/campaigns",
}
USERS = ("bureau_x", "principal_a")
#: The verifier's allowance for clock skew (``kit.auth``): a token is refused this long after ``exp``.
LEEWAY = 30
LIFESPAN = 4


def _expiry(token: str) -> float:
    payload = token.split(".")[1]
    return float(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])


def _refused(url: str) -> bool:
    port = httpx.URL(url).port
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
async def private_idp(stack: Any) -> AsyncIterator[Any]:
    """``(settings, stop)``: settings that trust a private identity server, and a function that stops it."""
    from devidp.testing import running_idp
    from tenants.roles import IDP_ROLE

    context = running_idp(stack.settings.database_dsn(IDP_ROLE, "idp"), access_token_lifespan=LIFESPAN)
    url = context.__enter__()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            context.__exit__(None, None, None)

    settings = dataclasses.replace(stack.settings, keycloak_url=url.rstrip("/") + "/", jwks_ttl_seconds=1)
    try:
        yield settings, stop, url
    finally:
        stop()


async def test_issued_tokens_keep_working_on_every_service_while_the_identity_server_is_down(
    stack, world, broker, private_idp
):
    from litestar.testing import AsyncTestClient

    from evaluation.app import create_app as evaluation_app
    from hazards.app import create_app as hazards_app
    from personnel.app import create_app as personnel_app
    from schools.app import create_app as schools_app

    settings, stop_idp, idp_url = private_idp
    factories = {
        "schools": schools_app,
        "hazards": hazards_app,
        "personnel": personnel_app,
        "evaluation": evaluation_app,
    }
    tokens = {key: await user_token(settings, world[key].username) for key in USERS}

    async def answers(clients: dict[str, Any]) -> dict[tuple[str, str], int]:
        found = {}
        for service, path in READS.items():
            for key, token in tokens.items():
                response = await clients[service].get(path, headers={"Authorization": f"Bearer {token}"})
                found[(service, key)] = response.status_code
        return found

    everywhere = {(service, key): 200 for service in READS for key in USERS}
    async with AsyncExitStack() as apps:
        clients = {
            name: await apps.enter_async_context(AsyncTestClient(factory(settings)))
            for name, factory in factories.items()
        }
        assert await answers(clients) == everywhere  # each service has fetched the keys once

        stop_idp()
        assert _refused(idp_url)
        await asyncio.sleep(1.5)  # every cached key set is now older than its TTL: each request refetches
        assert await answers(clients) == everywhere
        with pytest.raises(Exception):  # noqa: B017,PT011 - whatever the client raises: nobody answers
            await user_token(settings, world["bureau_x"].username)

        # Until they expire (plus the verifier's leeway for clock skew): then every service refuses them.
        expires = max(_expiry(token) for token in tokens.values())
        await asyncio.sleep(max(0.0, expires + LEEWAY + 1 - time.time()))
        refused = await answers(clients)
        assert refused == {(service, key): 401 for service in READS for key in USERS}
