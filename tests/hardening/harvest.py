"""Walk every API as every user of the hardening world and record what each one can see.

Routes are discovered from the apps (``tests.test_route_matrix.ROUTES``), so a route added later is walked
without editing this file. Lists are read first; then each detail route is tried with the ids the same
user saw under a matching name (``hazard_id`` for ``{hazard_id}``, or ``id`` inside a ``hazards`` list), and
the pairs that answered 200 are *proven*: real records of a known tenant, the ammunition of the isolation
matrix.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import User
from tests.hardening.conftest import HardWorld
from tests.test_route_matrix import ROUTES, Route

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
#: How many candidate ids a user tries on one detail route (enough to find one that is theirs).
CANDIDATES = 6


def params(route: Route) -> list[str]:
    return PARAM.findall(route.path)


def fill(route: Route, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], route.path)


def context_of(path: str) -> str:
    """The last fixed segment of a path: what the items of its answer are (``/campaigns/{id}/reports``)."""
    fixed = [s for s in path.split("/") if s and not s.startswith("{")]
    return fixed[-1] if fixed else ""


def segment_before(path: str, param: str) -> str:
    parts = path.split("/")
    index = next(i for i, s in enumerate(parts) if s.startswith("{" + param))
    return parts[index - 1] if index > 0 else ""


def sightings(node: Any, context: str) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """Every UUID in a JSON answer as (name, uuid, owning object): ``id`` is named by its context (the
    key above it, or the route for top-level items); any other key by itself."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (UUID.match(value) or (key == "code" and value)):
                yield (context if key == "id" else key), value, node
            elif isinstance(value, dict | list):
                inner = context if key in ("items", "item", "data") else key
                yield from sightings(value, inner)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str) and UUID.match(item):
                yield context, item, None
            else:
                yield from sightings(item, context)


@dataclass(frozen=True)
class Scope:
    """A tenant: a county, and a school of it (``None`` for a county-level record or a bureau user)."""

    county: str
    school: str | None


@dataclass
class Harvest:
    world: HardWorld
    #: every id each county's users saw anywhere
    seen_by_county: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: (user, route, status) of every answer, for the report of a failure
    answers: dict[tuple[str, str], int] = field(default_factory=dict)
    #: name -> ids each user saw under that name
    named: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    #: route id -> {param values (frozen) -> (owner scope, users that read it)}
    proven: dict[str, dict[tuple[tuple[str, str], ...], tuple[Scope, set[str]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    #: (user, route id, object) for every object with a ``school_id`` that a school user saw
    school_objects: list[tuple[str, str, str]] = field(default_factory=list)
    #: server errors met on the way (route id, user, status)
    errors: list[tuple[str, str, int]] = field(default_factory=list)

    def scope_of(self, user: User) -> Scope:
        return Scope(self.world.county_of(user), self.world.school_of(user))

    def school_key(self, school_id: str) -> str | None:
        return next((k for k, s in self.world.schools.items() if str(s.id) == school_id), None)

    def record(self, user: User, route: Route, body: Any) -> None:
        county = self.world.county_of(user)
        for name, value, owner in sightings(body, context_of(route.path)):
            if UUID.match(value):
                self.seen_by_county[county].add(value)
            self.named[user.username][name].add(value)
            if owner is not None and name != "school_id" and isinstance(owner.get("school_id"), str):
                self.school_objects.append((user.username, route.id, owner["school_id"]))

    def pool(self, user: User, route: Route, name: str) -> set[str]:
        """What ``user`` saw that may fill ``{name}``: ids under that name, ``id`` of the objects listed
        under the segment before it (``/photos/{photo_id}``: a ``photos`` list), or ids under a key one of
        whose words is the parameter's stem (``before_photos``, ``evidence_file_id`` for ``{file_id}``)."""
        seen = self.named[user.username]
        pool = seen.get(name, set()) | seen.get(segment_before(route.path, name), set())
        stem = name.removesuffix("_id")
        for key, values in seen.items():
            words = set(re.split(r"[_\-]", key))
            if stem in words or f"{stem}s" in words:
                pool |= values
        if name == "school_id" and user.school_id is not None:
            pool.add(str(user.school_id))
        return pool

    def ranked(self, user: User, route: Route, name: str) -> list[str]:
        """:meth:`pool`, the ids under the parameter's own name first."""
        exact = self.named[user.username].get(name, set())
        return sorted(exact) + sorted(self.pool(user, route, name) - exact)

    def candidates(self, user: User, route: Route) -> list[dict[str, str]]:
        """Value sets for the route's parameters from what ``user`` saw, the first ``CANDIDATES`` of each."""
        names = params(route)
        pools = [self.ranked(user, route, name)[:CANDIDATES] for name in names]
        if not all(pools):
            return []
        # every parameter's first candidates, paired (multi-parameter routes rarely need more)
        depth = max(len(p) for p in pools)
        return [{n: p[i % len(p)] for n, p in zip(names, pools, strict=True)} for i in range(depth)]

    def prove(self, route: Route, values: dict[str, str], user: User, body: Any) -> None:
        owner = self.scope_of(user)
        if isinstance(body, dict) and isinstance(body.get("school_id"), str):
            school = self.school_key(body["school_id"])
            owner = Scope(owner.county, school)
        key = tuple(sorted(values.items()))
        known = self.proven[route.id].get(key)
        if known is None:
            self.proven[route.id][key] = (owner, {user.username})
            return
        scope, users = known
        users.add(user.username)
        if scope != owner and scope.county == owner.county:
            # read by two schools' staff and not a school's record: a county-level record
            self.proven[route.id][key] = (Scope(scope.county, None), users)
        elif scope.county != owner.county:
            self.proven[route.id][key] = (Scope("?", None), users)  # reported by the matrix


def get_routes() -> list[Route]:
    return [r for r in ROUTES if r.method == "GET"]


def is_json(response: Any) -> bool:
    return "json" in response.headers.get("content-type", "")


async def harvest(
    world: HardWorld,
    api: dict[str, Any],
    users: list[User],
    rounds: int = 3,
    known: dict[str, dict[str, set[str]]] | None = None,
) -> Harvest:
    """Read every list as every user, then every detail route with what they saw (``rounds`` times);
    ``known`` adds ids a user made themselves (``{username: {name: ids}}``)."""
    result = Harvest(world)
    for username, names in (known or {}).items():
        for name, ids in names.items():
            result.named[username][name] |= ids
    routes = get_routes()
    for user in users:
        for route in (r for r in routes if not params(r) and (set([user.role]) & r.allowed)):
            response = await api[route.service].get(route.path, headers=user.headers)
            result.answers[(user.username, route.id)] = response.status_code
            if response.status_code >= 500:
                result.errors.append((route.id, user.username, response.status_code))
            if response.status_code == 200 and is_json(response):
                result.record(user, route, response.json())
    tried: set[tuple[str, str, str]] = set()
    for _ in range(rounds):
        for user in users:
            for route in (r for r in routes if params(r) and user.role in r.allowed):
                for values in result.candidates(user, route):
                    mark = (user.username, route.id, repr(sorted(values.items())))
                    if mark in tried:
                        continue
                    tried.add(mark)
                    response = await api[route.service].get(fill(route, values), headers=user.headers)
                    if response.status_code >= 500:
                        result.errors.append((route.id, user.username, response.status_code))
                    if response.status_code != 200:
                        continue
                    body = response.json() if is_json(response) else None
                    result.prove(route, values, user, body)
                    if body is not None:
                        result.record(user, route, body)
    return result


def random_ids(count: int, near: str | None = None) -> list[str]:
    """Ids an attacker would guess: random ones, and (with ``near``) neighbours of a real one."""
    guesses = [str(uuid.uuid4()) for _ in range(count)]
    if near is not None:
        base = uuid.UUID(near).int
        guesses += [str(uuid.UUID(int=(base + delta) % (1 << 128))) for delta in (1, -1, 2, 1 << 64)]
    return guesses
