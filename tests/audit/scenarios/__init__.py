"""Scenarios of the write-route walk (``tests/audit/test_every_write_is_audited.py``): for each write route
of each service, how to call it successfully and in which tenant's chain its entry must land.

Each service has its own module here (``tests/audit/scenarios/<service>.py``) with a ``SCENARIOS`` dict
keyed by the route-matrix id (``"<service>:<METHOD> <path>"``). A service without a module, or a route
without a scenario, fails the walk.
"""

from __future__ import annotations

import importlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.audit.conftest import Chain
from tests.conftest import make_school


@dataclass
class Write:
    """A successful call of one write route: how to make it, and where its entry must land."""

    send: Callable[[], Awaitable[Any]]
    #: The chain, given the response (a new object's chain is known only from it).
    chain: Callable[[Any], Chain]
    #: The action of the entry the call must leave (the first entry carrying the request's id).
    action: str


@dataclass
class Context:
    stack: Any
    world: Any
    #: The service's API (an ASGI test client).
    client: Any
    service: str

    def headers(self, user: str) -> dict[str, str]:
        return self.world[user].headers

    async def fresh_school(self) -> uuid.UUID:
        """A new school of county X (created through the schools service, no provisioning job)."""
        return await make_school(self.stack.settings, self.world.county_x, f"w{secrets.token_hex(3)}")

    def in_school(self, school_id: uuid.UUID) -> Callable[[Any], Chain]:
        return lambda _: Chain(self.world.county_x, school_id, self.service)


Scenario = Callable[[Context], Awaitable[Write]]


def collect(services: tuple[str, ...]) -> dict[str, Scenario]:
    """Every service's scenarios, by route id."""
    found: dict[str, Scenario] = {}
    for service in services:
        try:
            module = importlib.import_module(f"tests.audit.scenarios.{service}")
        except ModuleNotFoundError as error:
            if error.name != f"tests.audit.scenarios.{service}":
                raise
            continue
        found.update(module.SCENARIOS)
    return found
