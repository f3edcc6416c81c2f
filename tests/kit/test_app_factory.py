"""What every service gets from the app factory: health, metrics, request ids, problem responses, the
start-up refusal of an unsafe database role, and OpenAPI."""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import AsyncTestClient

from schools.app import create_app
from tenants.guard import UnsafeDatabaseRole


async def test_liveness_and_readiness_answer_without_a_token(app_client):
    live = await app_client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = await app_client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == ["broker", "database"]


async def test_readiness_fails_with_503_when_the_database_is_unreachable(stack):
    from kit.app import create_service_app
    from kit.db import Database

    app = create_service_app(
        service="schools",
        title="unreachable",
        settings=stack.settings,
        database=Database("postgresql+asyncpg://safecampus_schools@127.0.0.1:1/nowhere"),
        route_handlers=[],
        check_role_safety=False,
    )
    async with AsyncTestClient(app) as client:
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.headers["content-type"].startswith("application/problem+json")
        assert "database" in ready.json()["detail"]
        assert (await client.get("/health/live")).status_code == 200


async def test_metrics_count_requests_by_route(app_client, world):
    await app_client.get("/school", headers=world["teacher_a"].headers)
    body = (await app_client.get("/metrics")).text
    assert (
        'safecampus_http_requests_total{method="GET",route="/school",service="schools",status="200"}' in body
    )
    assert "safecampus_http_request_duration_seconds_bucket" in body


async def test_every_response_carries_a_request_id_and_problems_name_it(app_client):
    given = await app_client.get("/school", headers={"X-Request-ID": "req-12345678"})
    assert given.headers["x-request-id"] == "req-12345678"
    assert given.json()["request_id"] == "req-12345678"
    fresh = await app_client.get("/school", headers={"X-Request-ID": "bad id with spaces"})
    assert fresh.headers["x-request-id"] != "bad id with spaces"
    assert len(fresh.headers["x-request-id"]) == 32


async def test_an_unknown_route_is_a_problem_not_an_html_page(app_client, world):
    response = await app_client.get("/no/such/route", headers=world["bureau_x"].headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_openapi_describes_every_route_with_an_operation_id(app_client):
    schema = (await app_client.get("/schema/openapi.json")).json()
    operations = [op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations
    assert all(op.get("operationId") for op in operations)
    assert "bearer" in schema["components"]["securitySchemes"]


async def test_a_service_refuses_to_start_as_a_role_that_bypasses_rls(stack, broker):
    settings = dataclasses.replace(
        stack.settings,
        role_urls={
            **stack.settings.role_urls,
            "schools": stack.settings.database_dsn("safecampus_migrator", "migrator"),
        },
    )
    with pytest.raises(BaseException) as raised:  # noqa: PT011 (the test client wraps it in a group)
        async with AsyncTestClient(create_app(settings)):
            pass
    assert _contains(raised.value, UnsafeDatabaseRole)


def _contains(error: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(error, kind):
        return True
    return isinstance(error, BaseExceptionGroup) and any(_contains(e, kind) for e in error.exceptions)
