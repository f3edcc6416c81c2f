"""Every write route of every service, walked from the apps themselves: a successful call leaves an entry
in its tenant's audit chain, carrying the request's id. A write route added later fails
``test_every_write_route_has_a_scenario`` until it gets a scenario in ``tests/audit/scenarios/<service>.py``,
which then proves that it is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tenants.roles import SERVICES
from tests.audit.conftest import entries
from tests.audit.scenarios import Context, collect
from tests.test_route_matrix import ROUTES, _app

WRITE_ROUTES = [route for route in ROUTES if route.method != "GET"]
SCENARIOS = collect(SERVICES)
WALKED = [route for route in WRITE_ROUTES if route.id in SCENARIOS]


@pytest.fixture(scope="module")
async def apis(stack, broker) -> AsyncIterator[dict[str, Any]]:
    """The API of every service that has a scenario, in-process."""
    async with AsyncExitStack() as exits:
        services = sorted({route.service for route in WALKED})
        yield {s: await exits.enter_async_context(AsyncTestClient(_app(s))) for s in services}


def test_every_write_route_has_a_scenario():
    assert len(WRITE_ROUTES) >= 8
    missing = sorted(route.id for route in WRITE_ROUTES if route.id not in SCENARIOS)
    assert missing == [], "write routes with no audit scenario in tests/audit/scenarios/<service>.py"


@pytest.mark.parametrize("route", WALKED, ids=lambda route: route.id)
async def test_a_successful_write_leaves_an_audit_entry_with_its_request_id(
    route, stack, world, apis, migrator
):
    write = await SCENARIOS[route.id](Context(stack, world, apis[route.service], route.service))
    response = await write.send()
    assert 200 <= response.status_code < 300, response.text
    request_id = response.headers["x-request-id"]
    recorded = [e for e in await entries(migrator, write.chain(response)) if e["request_id"] == request_id]
    assert [e["action"] for e in recorded][:1] == [write.action], recorded
