"""Every route of every service, walked from the app itself: no token → 401, a wrong role → 403,
another tenant's object → 404. A route added later is covered without editing this file."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from polyfactory.factories.msgspec_factory import MsgspecFactory

from tenants.roles import SERVICES

ROLE_USERS = {"bureau": "bureau_x", "principal": "principal_a", "teacher": "teacher_a", "guard": "guard_a"}
PUBLIC = re.compile(r"^/(health/|metrics$|schema)")
#: Routes that answer without a token on purpose (``exclude_from_auth``). Any other route that skips
#: authentication fails the walk; these are tested by their service (tests/hazards/test_public_reports.py).
ANONYMOUS = {"hazards:POST /public/reports/{token:str}"}


def _app(service: str) -> Litestar:
    return importlib.import_module(f"{service}.app").create_app()


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    allowed: frozenset[str]
    body_type: Any

    @property
    def id(self) -> str:
        return f"{self.service}:{self.method} {self.path}"


def _routes() -> Iterator[Route]:
    for service in SERVICES:
        app = _app(service)
        for route in app.routes:
            if not isinstance(route, HTTPRoute) or PUBLIC.match(route.path):
                continue
            for handler in route.route_handlers:
                if handler.opt.get("exclude_from_auth"):
                    ANONYMOUS_FOUND.update(f"{service}:{m} {route.path}" for m in handler.http_methods)
                    continue
                allowed: set[str] = set()
                for layer in handler.ownership_layers:
                    for guard in layer.guards or ():
                        allowed |= set(getattr(guard, "allowed_roles", ()))
                data = handler.parsed_fn_signature.parameters.get("data")
                for method in sorted(handler.http_methods):
                    if method in ("HEAD", "OPTIONS"):
                        continue
                    yield Route(
                        service, method, route.path, frozenset(allowed), data.annotation if data else None
                    )


ANONYMOUS_FOUND: set[str] = set()
ROUTES = list(_routes())


def _body(route: Route) -> Any:
    if route.body_type is None:
        return None
    return msgspec.to_builtins(MsgspecFactory.create_factory(route.body_type).build())


def _url(route: Route, object_id: uuid.UUID) -> str:
    return re.sub(r"\{[^}]+\}", str(object_id), route.path)


@pytest.fixture(scope="module")
async def clients(stack, broker) -> AsyncIterator[dict[str, Any]]:
    from contextlib import AsyncExitStack

    from litestar.testing import AsyncTestClient

    async with AsyncExitStack() as exits:
        yield {s: await exits.enter_async_context(AsyncTestClient(_app(s))) for s in SERVICES}


def test_the_walk_found_routes_and_every_one_declares_its_roles():
    assert len(ROUTES) >= 8
    undeclared = [r.id for r in ROUTES if not r.allowed]
    assert undeclared == [], "routes without a role guard (deny by default)"


def test_only_the_named_routes_answer_without_a_token():
    assert ANONYMOUS_FOUND == ANONYMOUS


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
async def test_without_a_token_every_route_answers_401(clients, world, route):
    response = await clients[route.service].request(
        route.method, _url(route, world.school_a), json=_body(route)
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("route", [r for r in ROUTES if set(ROLE_USERS) - r.allowed], ids=lambda r: r.id)
async def test_a_wrong_role_gets_403(clients, world, route):
    for role in sorted(set(ROLE_USERS) - route.allowed):
        user = world[ROLE_USERS[role]]
        response = await clients[route.service].request(
            route.method, _url(route, world.school_a), json=_body(route), headers=user.headers
        )
        assert response.status_code == 403, (role, response.text)


@pytest.mark.parametrize("route", [r for r in ROUTES if "{" in r.path], ids=lambda r: r.id)
async def test_another_tenants_object_answers_404(clients, world, route):
    if "bureau" in route.allowed:
        user, foreign = world["bureau_x"], world.school_c  # a school of another county
    else:
        role = sorted(route.allowed)[0]
        user, foreign = world[ROLE_USERS[role]], world.school_b  # another school of the same county
    response = await clients[route.service].request(
        route.method, _url(route, foreign), json=_body(route), headers=user.headers
    )
    assert response.status_code == 404, response.text
    # a random id answers exactly the same: existence does not leak
    missing = await clients[route.service].request(
        route.method, _url(route, uuid.uuid4()), json=_body(route), headers=user.headers
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == response.json()["detail"]
