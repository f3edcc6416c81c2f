"""Fixtures of the hazards tests: the hazards API in-process with a clock the tests can set and a file store
in a temporary directory, the world's schools in the hazards service's school directory, a second teacher
of school A (a checker who is not the rectifier), and helpers that walk a hazard through its life cycle."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import User, make_user

PROBLEM = "application/problem+json"
#: The smallest valid JPEG header (content sniffing only looks at the first bytes).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class SettableClock:
    """The app's clock: the real time unless a test sets one."""

    def __init__(self) -> None:
        self.fixed: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.fixed or dt.datetime.now(dt.UTC)


def user_id(user: User) -> str:
    """The ``sub`` of a test user's token (what the services record as the actor)."""
    payload = user.token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


@pytest.fixture(scope="session")
def hazards_clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def clock(hazards_clock: SettableClock) -> Iterator[SettableClock]:
    yield hazards_clock
    hazards_clock.fixed = None


@pytest.fixture(scope="session")
def file_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kit.storage import FilesystemStore

    return FilesystemStore(tmp_path_factory.mktemp("hazard-files"))


@pytest.fixture(scope="session")
async def hazards_client(
    stack: Any, broker: Any, hazards_clock: SettableClock, file_store: Any
) -> AsyncIterator[Any]:
    """The hazards API in-process (ASGI), verifying tokens against the identity server over HTTP. Its public
    channel's limits are out of the way (tests/hazards/test_public_reports.py builds an app with small ones)."""
    from litestar.testing import AsyncTestClient

    from hazards.app import create_app
    from hazards.domain.reports.limits import ChannelLimits

    app = create_app(
        stack.settings,
        store=file_store,
        clock=hazards_clock,
        report_limits=ChannelLimits(per_client=1_000, per_link=1_000),
    )
    async with AsyncTestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
async def hazards_db(stack: Any) -> AsyncIterator[Any]:
    """The hazards app role's engine, for tests that look at the database directly."""
    from kit.db import Database
    from tenants.roles import app_role

    database = Database(
        stack.settings.sqlalchemy_url(app_role("hazards"), "hazards"), pool_size=2, max_overflow=2
    )
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def hazards_world(stack: Any, world: Any, hazards_db: Any) -> Any:
    """The world, plus: its schools in the hazards directory exactly as the ``schools.school.onboarded``
    consumer puts them (``world.school_codes``: school id → (code, name)), and ``teacher_a2``, a second
    teacher of school A."""
    if "teacher_a2" in world.users:
        return world
    world.school_codes = {}
    for county, school in (
        (world.county_x, world.school_a),
        (world.county_x, world.school_b),
        (world.county_y, world.school_c),
    ):
        code, name = await _school_facts(stack, county, school)
        await _remember(hazards_db, county, school, code, name)
        world.school_codes[school] = (code, name)
    world.users["teacher_a2"] = await make_user(stack.settings, "teacher", world.county_x, world.school_a)
    return world


async def _school_facts(stack: Any, county_id: uuid.UUID, school_id: uuid.UUID) -> tuple[str, str]:
    """The school's code and name as the schools service holds them."""
    from kit.db import Database
    from tenants import TenantContext
    from tenants.roles import app_role

    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(TenantContext.for_county(county_id, roles=["bureau"])) as session:
            row = (
                await session.execute(
                    text("select code, name from schools.schools where id = :id"), {"id": school_id}
                )
            ).one()
    finally:
        await database.dispose()
    return str(row.code), str(row.name)


async def _remember(db: Any, county_id: uuid.UUID, school_id: uuid.UUID, code: str, name: str) -> None:
    from hazards.domain.directory import DirectoryRepository
    from tenants import TenantContext

    async with db.transaction(
        TenantContext.for_school(county_id, school_id, actor="test:directory")
    ) as session:
        await DirectoryRepository(session).upsert(
            county_id=county_id, school_id=school_id, code=code, name=name
        )


# --- helpers --------------------------------------------------------------------------------------------
def today() -> dt.date:
    from hazards.clock import local_date

    return local_date(dt.datetime.now(dt.UTC))


async def report(client: Any, user: User, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "消防通道堆放杂物",
        "category": "fire",
        "area": "teaching_buildings",
        "location_text": "一号楼东侧",
    }
    body.update(overrides)
    response = await client.post("/hazards", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def act(
    client: Any, user: User, hazard: dict[str, Any], action: str, body: dict[str, Any] | None = None
) -> Any:
    return await client.post(f"/hazards/{hazard['id']}/{action}", json=body or {}, headers=user.headers)


async def ok(
    client: Any, user: User, hazard: dict[str, Any], action: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await act(client, user, hazard, action, body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def assignment(responsible: User, checker: User | None = None, days: int = 7, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "responsible_id": user_id(responsible),
        "responsible_name": responsible.username,
        "plan": "清理杂物，设置警示标识",
        "deadline": (today() + dt.timedelta(days=days)).isoformat(),
    }
    if checker is not None:
        body |= {"checker_id": user_id(checker), "checker_name": checker.username}
    return body | extra


async def hazard_in(client: Any, w: Any, state: str, **overrides: Any) -> dict[str, Any]:
    """A hazard of school A in ``state``: reported by teacher_a, rectified by teacher_a (the responsible
    person), verified by the principal; ``teacher_a2`` is the named checker."""
    h = await report(client, w["teacher_a"], **overrides)
    if state == "reported":
        return h
    if state == "rejected":
        return await ok(client, w["principal_a"], h, "reject", {"reason": "不属于安全隐患"})
    h = await ok(client, w["principal_a"], h, "confirm")
    if state == "confirmed":
        return h
    h = await ok(client, w["principal_a"], h, "assign", assignment(w["teacher_a"], w["teacher_a2"]))
    if state == "rectifying":
        return h
    h = await ok(client, w["teacher_a"], h, "rectify", {"note": "已清理完毕"})
    if state == "rectified":
        return h
    h = await ok(client, w["principal_a"], h, "verify")
    assert h["status"] == state, (h["status"], state)
    return h


async def upload(
    client: Any, user: User, hazard: dict[str, Any], content: bytes = JPEG, stage: str = "before"
) -> Any:
    return await client.post(
        f"/hazards/{hazard['id']}/photos",
        files={"file": ("photo.jpg", io.BytesIO(content), "image/jpeg")},
        data={"stage": stage},
        headers=user.headers,
    )


async def outbox_events(
    db: Any, county_id: uuid.UUID, school_id: uuid.UUID, type_: str, **match: str
) -> list[dict[str, Any]]:
    """Payloads of the hazards outbox's events of ``type_`` for one school (optionally matching fields)."""
    from tenants import TenantContext

    async with db.transaction(TenantContext.for_school(county_id, school_id, actor="test")) as session:
        rows = (
            await session.execute(
                text(
                    "SELECT payload FROM hazards.outbox WHERE type = :type AND tenant_school_id = :school"
                    " ORDER BY created_at"
                ),
                {"type": type_, "school": school_id},
            )
        ).scalars()
        payloads = [dict(row) for row in rows]
    return [p for p in payloads if all(str(p.get(k)) == v for k, v in match.items())]


@dataclass
class FreshSchool:
    """A school of county X that no other test touches, with its own principal and two teachers."""

    id: uuid.UUID
    code: str
    name: str
    principal: User
    teacher: User
    checker: User


async def fresh_school(stack: Any, county_id: uuid.UUID, db: Any) -> FreshSchool:
    from tests.conftest import make_school

    school = await make_school(stack.settings, county_id, f"t{secrets.token_hex(3)}")
    code, name = await _school_facts(stack, county_id, school)
    await _remember(db, county_id, school, code, name)
    return FreshSchool(
        school,
        code,
        name,
        await make_user(stack.settings, "principal", county_id, school),
        await make_user(stack.settings, "teacher", county_id, school),
        await make_user(stack.settings, "teacher", county_id, school),
    )
