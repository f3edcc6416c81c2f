"""Fixtures and helpers of the evaluation pages' tests: the world's schools in the evaluation's school
directory, a published default rubric with a campaign (through the evaluation API, as the bureau), fresh
inspector accounts, and waiting for the worker to push an inspector's grants."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from kit.identity import admin_client, find_account
from tests.conftest import User, make_user
from tests.evaluation.conftest import add_school, eventually, unique
from tests.portal.conftest import fresh_headers

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="session")
async def eval_db(stack: Any) -> AsyncIterator[Any]:
    """The evaluation service's database as its app role (row-level security applies)."""
    from kit.db import Database
    from tenants.roles import app_role

    database = Database(stack.settings.sqlalchemy_url(app_role("evaluation"), "evaluation"), pool_size=2)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def eval_world(eval_db: Any, world: Any) -> Any:
    """The world, with its schools in the evaluation's directory (as ``schools.school.onboarded`` puts them)."""
    await add_school(eval_db, world.county_x, world.school_a, "A", "甲校 School A")
    await add_school(eval_db, world.county_x, world.school_b, "B", "乙校 School B")
    await add_school(eval_db, world.county_y, world.school_c, "C", "丙校 School C")
    return world


async def call(stack: Any, user: User, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """The evaluation API (or another) with a fresh token of ``user``."""
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, url, headers=await fresh_headers(stack, user), **kwargs)


@pytest.fixture(scope="session")
async def eval_rubric(stack: Any, api_urls: dict[str, str], eval_world: Any) -> str:
    """A published default rubric of county X."""
    bureau, api = eval_world["bureau_x"], api_urls["evaluation"]
    created = await call(stack, bureau, "POST", f"{api}/rubrics/default")
    assert created.status_code == 201, created.text
    published = await call(stack, bureau, "POST", f"{api}/rubrics/{created.json()['id']}/publish")
    assert published.status_code == 200, published.text
    return str(published.json()["id"])


async def open_campaign(stack: Any, api_urls: dict[str, str], bureau: User, rubric_id: str) -> str:
    """A county campaign of county X evaluated with ``rubric_id``."""
    body = {
        "campaign_id": str(uuid.uuid4()),
        "title": unique("2026 考评"),
        "year": 2026,
        "rubric_id": rubric_id,
    }
    created = await call(stack, bureau, "POST", f"{api_urls['evaluation']}/campaigns", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def inspector(stack: Any, world: Any, role: str = "principal", school: str = "a") -> User:
    """A fresh account of school A (or B): its grants never show in another test's tokens."""
    school_id = world.school_a if school == "a" else world.school_b
    return await make_user(stack.settings, role, world.county_x, school_id, unique(f"pw-{role}-{school}"))


async def wait_for_pushed_grants(stack: Any, username: str, count: int) -> None:
    """Wait until the worker has pushed ``count`` inspection grants of ``username`` to the identity server."""

    async def pushed() -> bool:
        account = await find_account(admin_client(stack.settings), username)
        return account is not None and len(account.attributes.get("inspection_grants", ())) == count

    await eventually(pushed, timeout=60)


def china_time(moment: dt.datetime) -> str:
    """A moment as a ``datetime-local`` value in county time."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


async def assign_via_api(
    stack: Any,
    api_urls: dict[str, str],
    bureau: User,
    campaign: str,
    members: list[User],
    school: uuid.UUID,
    *,
    starts: dt.timedelta = dt.timedelta(minutes=-5),
    length: dt.timedelta = dt.timedelta(hours=2),
) -> str:
    """A team of ``members`` (the first leads) assigned to ``school``; returns the assignment's id."""
    api = api_urls["evaluation"]
    body = {
        "name": unique("检查组"),
        "members": [{"username": m.username, "lead": i == 0} for i, m in enumerate(members)],
    }
    team = await call(stack, bureau, "POST", f"{api}/campaigns/{campaign}/teams", json=body)
    assert team.status_code == 201, team.text
    begin = dt.datetime.now(dt.UTC).replace(microsecond=0) + starts
    window = {
        "school_id": str(school),
        "starts_at": begin.isoformat(),
        "ends_at": (begin + length).isoformat(),
    }
    assigned = await call(stack, bureau, "POST", f"{api}/teams/{team.json()['id']}/assignments", json=window)
    assert assigned.status_code == 201, assigned.text
    return str(assigned.json()["id"])
