"""Schemathesis against every service's OpenAPI (``/schema/openapi.json``), over real HTTP with real tokens:
no 5xx, no answer that breaks its documented schema, none slower than 2 s.

Each operation is called as a user its guard lets in, of a county made for the fuzzing alone: its random
writes (an escalation policy of zero days, a suspended school) never reach the tenants that other tests
rely on. ``make test`` runs a few examples per
operation; ``HARDENING_FUZZ_EXAMPLES=200 pytest tests/hardening/test_fuzz_openapi.py`` runs a long campaign.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.hardening.conftest import SERVICES
from tests.portal.conftest import serving_api
from tests.test_route_matrix import ROUTES

EXAMPLES = int(os.environ.get("HARDENING_FUZZ_EXAMPLES", "4"))
MAX_SECONDS = 2.0
#: Who calls an operation: the first role in this order that the route's guard lets in.
CALLERS = ("principal", "bureau", "teacher", "guard")
_TYPED = re.compile(r"\{(\w+):\w+\}")
ALLOWED = {(r.service, r.method, _TYPED.sub(r"{\1}", r.path)): r.allowed for r in ROUTES}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 10,  # the short run in `make test` is the same every time
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="session")
def api_servers(stack: Any, broker: Any) -> Iterator[dict[str, str]]:
    from contextlib import ExitStack

    with ExitStack() as servers:
        yield {s: servers.enter_context(serving_api(s, stack)) for s in SERVICES}


@pytest.fixture(scope="session")
async def fuzz_callers(stack: Any) -> dict[str, Any]:
    """A county of its own with a school and a user of every role."""
    import secrets

    from tests.conftest import make_county, make_school, make_user

    county = await make_county(stack.settings, "fuzz")
    school = await make_school(stack.settings, county, f"fz{secrets.token_hex(2)}")
    return {
        role: await make_user(stack.settings, role, county, None if role == "bureau" else school)
        for role in CALLERS
    }


def _caller(service: str, case: Any, callers: dict[str, Any]) -> dict[str, str]:
    allowed = ALLOWED.get((service, case.method.upper(), case.path), frozenset())
    role = next((r for r in CALLERS if r in allowed), None)
    assert role is not None or case.path.startswith("/public/"), f"no known guard for {case.path}"
    return callers[role].headers if role else {}


def _fuzz(service: str, case: Any, callers: dict[str, Any]) -> None:
    response = case.call(headers=_caller(service, case, callers), timeout=30)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
    )
    elapsed = float(response.elapsed)
    assert elapsed < MAX_SECONDS, f"{case.method} {case.formatted_path} took {elapsed:.2f}s"


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_survives_fuzzing_with_a_real_token(
    service: str, api_servers: dict[str, str], fuzz_callers: dict[str, Any]
):
    # schemathesis' own pytest plugin does not run under this pytest; its strategies are driven directly.
    schema = schemathesis.openapi.from_url(f"{api_servers[service]}/schema/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            _fuzz(service, case, fuzz_callers)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # one entry per broken operation, all in one report
            causes = [str(e) for e in getattr(exc, "exceptions", ())] or [str(exc)]
            failures.append(f"{operation.method.upper()} {operation.path}: {' | '.join(causes)[:800]}")
    assert operations >= 10
    assert failures == [], "\n".join(failures)
