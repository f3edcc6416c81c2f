"""The isolation matrix of the APIs: every route × every role (bureau, principal, teacher, guard, a
cross-school inspector, anonymous) × own school / another school of the county / another county, with real
records of each tenant (see ``conftest.py``), and ids guessed in bulk.

Expected answers: no token → 401; a role the route does not let in → 403; another county's record → 404;
another school's record → 404 for school staff (a bureau user reaches every school of its county); a
random or neighbouring id → 404 with the same detail. Lists: nobody ever sees an id of another county, and
every object with a ``school_id`` that school staff see is their own school's (or, on the routes of
``INSPECTION_ROUTES``, a school they inspect).

Routes come from the apps. A detail route that no user could reach with real data fails the walk unless
``NOT_REACHED`` says why — so a new route gets an expectation or the build goes red.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import User
from tests.hardening.conftest import HardWorld, SeededFiles, matrix_users
from tests.hardening.harvest import Harvest, Scope, fill, get_routes, params, random_ids
from tests.test_route_matrix import ROUTES, Route, _body

#: Detail routes that the seeded world cannot reach with a real record, and why. Each is still walked
#: for 401/403/404 with foreign and guessed ids by tests/test_route_matrix.py and ``test_guessed_ids``.
NOT_REACHED: dict[str, str] = {}
#: Routes on which school staff may read another school's record: a cross-school inspector's sheet and
#: the evidence it needs (SPEC: "grants access to the target school's inspection sheet").
INSPECTION_ROUTES = {
    "evaluation:GET /inspections/mine",
    "evaluation:GET /inspections/{assignment_id:uuid}",
    "evaluation:GET /inspection-photos/{photo_id:uuid}",
    "evaluation:GET /self-assessment-evidence/{evidence_id:uuid}",
}
DETAIL_ROUTES = [r for r in get_routes() if params(r)]
WRITE_ROUTES = [r for r in ROUTES if r.method != "GET" and params(r)]


def expected(route: Route, user: User | None, owner: Scope, world: HardWorld, inspector: User) -> int | None:
    """The answer ``user`` must get for ``owner``'s record on ``route``; ``None``: not determined here
    (their own tenant, where visibility depends on more than the tenant)."""
    if user is None:
        return 401
    if user.role not in route.allowed:
        return 403
    if world.county_of(user) != owner.county:
        return 404
    school = world.school_of(user)
    if school is None or owner.school is None or owner.school == school:
        return None
    if route.id in INSPECTION_ROUTES:
        # the inspector, the inspected school and (once decided) its staff read these across schools;
        # which of them may is the evaluation service's own test (tests/evaluation/test_inspections.py)
        return None
    return 404


async def test_no_server_error_while_walking_every_route_as_every_user(seen: Harvest):
    assert seen.errors == []


async def test_every_detail_route_was_reached_with_real_data_or_says_why_not(
    seen: Harvest, files: SeededFiles
):
    reached = set(seen.proven)
    unexplained = sorted(r.id for r in DETAIL_ROUTES if r.id not in reached and r.id not in NOT_REACHED)
    assert unexplained == [], "detail routes without a real record to test isolation with:\n" + "\n".join(
        unexplained + files.problems
    )
    stale = sorted(set(NOT_REACHED) - {r.id for r in DETAIL_ROUTES})
    assert stale == [], "NOT_REACHED names routes that no longer exist"


async def test_nobody_ever_sees_an_id_of_another_county(seen: Harvest):
    shared = seen.seen_by_county["X"] & seen.seen_by_county["Y"]
    assert shared == set()
    assert seen.seen_by_county["X"] and seen.seen_by_county["Y"]


async def test_no_record_is_readable_in_two_counties(seen: Harvest):
    crossed = [
        (route, key)
        for route, found in seen.proven.items()
        for key, (o, _) in found.items()
        if o.county == "?"
    ]
    assert crossed == []


async def test_school_staff_see_only_their_own_schools_objects_in_every_answer(
    seen: Harvest, hard_world: HardWorld, inspector: User
):
    users = {u.username: u for u in hard_world.every_user()}
    foreign = []
    for username, route_id, school_id in seen.school_objects:
        user = users[username]
        if user.school_id is None:
            in_county = any(
                str(s.id) == school_id and s.county_id == user.county_id for s in hard_world.schools.values()
            )
            if not in_county:
                foreign.append((username, route_id, school_id))
        elif school_id != str(user.school_id) and not (
            route_id in INSPECTION_ROUTES and username == inspector.username
        ):
            foreign.append((username, route_id, school_id))
    assert foreign == []
    assert len(seen.school_objects) > 100  # the walk did meet school records


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=lambda r: r.id)
async def test_every_role_and_tenant_gets_the_expected_answer_for_real_records(
    route: Route, seen: Harvest, hard_world: HardWorld, api: dict[str, Any], inspector: User
):
    found = seen.proven.get(route.id, {})
    if not found:
        assert route.id in NOT_REACHED
        return
    # one record per owner scope is enough; the user set is the same for each
    by_owner: dict[Scope, dict[str, str]] = {}
    for key, (owner, _) in found.items():
        by_owner.setdefault(owner, dict(key))
    checked = 0
    for owner, values in by_owner.items():
        url = fill(route, values)
        for user in [None, *matrix_users(hard_world), inspector]:
            want = expected(route, user, owner, hard_world, inspector)
            if want is None:
                continue
            headers = user.headers if user else {}
            response = await api[route.service].get(url, headers=headers)
            who = user.username if user else "anonymous"
            assert response.status_code == want, (who, owner, url, response.text[:300])
            checked += 1
    assert checked


def _staff(world: HardWorld, school: str) -> list[User]:
    return [world.schools[school].users[k] for k in ("principal", "teacher", "guard")]


def _attackers(world: HardWorld, route: Route, *, county: str, school: str | None) -> list[User]:
    """Users of the route's roles outside ``county`` (or, with ``school``, in other schools of it)."""
    if school is None:
        users = [world.bureaus[county]] + [
            u for s in world.schools.values() if s.county == county for u in _staff(world, s.key)
        ]
    else:
        users = [
            u
            for s in world.schools.values()
            if s.county == county and s.key != school
            for u in _staff(world, s.key)
        ]
    by_role: dict[str, User] = {}
    for user in users:
        if user.role in route.allowed:
            by_role.setdefault(user.role, user)
    return list(by_role.values())


def _values(
    seen: Harvest, world: HardWorld, route: Route, school: str, *, private: bool
) -> dict[str, str] | None:
    """Values for the route's parameters from what ``school``'s staff saw; with ``private``, at least one
    of them seen by no other school's staff (so that the record is that school's, not the county's)."""
    staff = _staff(world, school)
    county = world.schools[school].county
    others = {
        v
        for s in world.schools.values()
        if s.county == county and s.key != school
        for u in _staff(world, s.key)
        for values in seen.named[u.username].values()
        for v in values
    }
    values: dict[str, str] = {}
    for name in params(route):
        pool = sorted({v for u in staff for v in seen.ranked(u, route, name)})
        if not pool:
            return None
        mine = [v for v in pool if v not in others]
        values[name] = mine[0] if mine else pool[0]
    if private and all(v in others for v in values.values()):
        return None
    return values


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=lambda r: r.id)
async def test_a_write_on_another_tenants_real_record_answers_404(
    route: Route, seen: Harvest, hard_world: HardWorld, api: dict[str, Any]
):
    """School A's and school C's real ids (what their staff saw), attacked from the other county and
    (for ids private to the school) from the other schools of its county."""
    body = _body(route)
    attacks = 0
    for school in ("A", "C"):
        county = hard_world.schools[school].county
        for private, attackers in (
            (False, _attackers(hard_world, route, county="Y" if county == "X" else "X", school=None)),
            (True, _attackers(hard_world, route, county=county, school=school)),
        ):
            values = _values(seen, hard_world, route, school, private=private)
            if values is None:
                continue
            for user in attackers:
                response = await api[route.service].request(
                    route.method, fill(route, values), json=body, headers=user.headers
                )
                assert response.status_code == 404, (user.username, school, values, response.text[:300])
                attacks += 1
    assert attacks or route.id in NOT_REACHED, f"{route.id}: no real record of A or C to attack it with"


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=lambda r: r.id)
async def test_guessed_ids_answer_404_exactly_like_a_foreign_record(
    route: Route, seen: Harvest, hard_world: HardWorld, api: dict[str, Any]
):
    user = next(
        u
        for u in matrix_users(hard_world)
        if u.role in route.allowed and u.county_id == hard_world.county_ids["X"]
    )
    real = next(iter(seen.proven.get(route.id, {})), None)
    near = dict(real)[params(route)[-1]] if real else None
    details = set()
    for guess in random_ids(16, near):
        values = {p: guess for p in params(route)}
        if real:  # keep the other parameters real, guess only the last one
            values = {**dict(real), params(route)[-1]: guess}
        response = await api[route.service].get(fill(route, values), headers=user.headers)
        assert response.status_code == 404, (user.username, values, response.text[:200])
        details.add(response.json()["detail"])
    assert len(details) == 1  # one answer for every missing id: nothing about what exists
