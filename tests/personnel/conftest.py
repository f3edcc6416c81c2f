"""Fixtures of the personnel tests: the personnel API in-process with a clock the tests can set, the
world's schools as the personnel service knows them (from the schools service's facts), and staff entries
for the world's school users."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# The key that protects visitors' ID numbers, as production has one. Another test module may have built
# a personnel app already (the route walk does at collection): forget the settings it read.
os.environ.setdefault("PERSONNEL_ID_KEY", secrets.token_urlsafe(32))


def _forget_cached_key() -> None:
    from personnel.domain.visitors.id_numbers import default_vault
    from personnel.settings import get_personnel_settings

    get_personnel_settings.cache_clear()
    default_vault.cache_clear()


_forget_cached_key()


class SettableClock:
    """The app's clock: the real time unless a test sets one."""

    def __init__(self) -> None:
        self.fixed: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.fixed or dt.datetime.now(dt.UTC)


@pytest.fixture(scope="session")
def app_clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def clock(app_clock: SettableClock) -> Iterator[SettableClock]:
    yield app_clock
    app_clock.fixed = None


@pytest.fixture(scope="session")
async def personnel_client(stack: Any, broker: Any, app_clock: SettableClock) -> AsyncIterator[Any]:
    """The personnel API in-process (ASGI), verifying tokens against the identity server over HTTP."""
    from litestar.testing import AsyncTestClient

    from personnel.app import create_app

    async with AsyncTestClient(create_app(stack.settings, clock=app_clock)) as client:
        yield client


@pytest.fixture(scope="session")
async def personnel_db(stack: Any) -> AsyncIterator[Any]:
    """The personnel app role's engine, for tests that look at the database directly."""
    from kit.db import Database
    from tenants.roles import app_role

    database = Database(stack.settings.sqlalchemy_url(app_role("personnel"), "personnel"), pool_size=2)
    yield database
    await database.dispose()


@dataclass
class PersonnelWorld:
    #: staff id of each world user (``principal_a`` …) on their school's staff list.
    staff: dict[str, uuid.UUID] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)


SCHOOL_FACTS = {
    # key: (student_count, boarding)
    "school_a": (1200, True),
    "school_b": (300, False),
    "school_c": (500, False),
}


async def receive_school_facts(
    personnel_db: Any, county_id: uuid.UUID, school_id: uuid.UUID, **facts: Any
) -> None:
    """What the schools service's school events do: tell the personnel service about a school."""
    from personnel.domain.school_profiles.schemas import SchoolFacts
    from personnel.domain.school_profiles.service import SchoolProfileService
    from tenants import TenantContext

    tenant = TenantContext.for_school(county_id, school_id, actor="test:schools-events")
    values = {"code": f"t{str(school_id)[:6]}", "name": f"学校 {str(school_id)[:6]}", "boarding": False,
              "student_count": 0, **facts}  # fmt: skip
    async with personnel_db.transaction(tenant) as session:
        await SchoolProfileService(session, tenant).apply_facts(
            SchoolFacts(id=school_id, county_id=county_id, **values)
        )


async def adopt(
    personnel_db: Any, stack: Any, user: Any, name: str, positions: list[str] | None = None
) -> tuple[uuid.UUID, str]:
    """Put an existing account on its school's staff list (as the demo seed does); returns (staff id, user id).
    An account already on the list (another test module put it there) keeps its entry."""
    from kit.identity import admin_client
    from personnel.domain.staff.models import StaffRole
    from personnel.domain.staff.repository import StaffRepository
    from personnel.domain.staff.service import StaffService
    from tenants import TenantContext

    user_id = await admin_client(stack.settings).a_get_user_id(user.username)
    tenant = TenantContext.for_school(user.county_id, user.school_id, actor="test:seed")
    async with personnel_db.transaction(tenant) as session:
        existing = await StaffRepository(session).by_user_id(user_id)
        if existing is not None:
            return existing.id, user_id
        staff = await StaffService(session, tenant).adopt_account(
            role=StaffRole(user.role),
            school_id=user.school_id,
            user_id=user_id,
            username=user.username,
            name=name,
            email=f"{user.username}@test.example",
            positions=positions or [],
        )
    return staff.id, user_id


@pytest.fixture(scope="session")
async def personnel_world(world: Any, stack: Any, personnel_db: Any) -> PersonnelWorld:
    for key, (students, boarding) in SCHOOL_FACTS.items():
        school_id = getattr(world, key)
        county_id = world.county_y if key == "school_c" else world.county_x
        await receive_school_facts(
            personnel_db, county_id, school_id, student_count=students, boarding=boarding
        )
    result = PersonnelWorld()
    names = {
        "principal_a": "王校长",
        "teacher_a": "李老师",
        "guard_a": "张保安",
        "principal_b": "赵校长",
        "principal_c": "钱校长",
    }
    for key, name in names.items():
        result.staff[key], result.user_ids[key] = await adopt(personnel_db, stack, world[key], name)
    return result


@dataclass
class Campus:
    """A school of its own for a test that counts things: its principal and a helper to add staff."""

    county_id: uuid.UUID
    school_id: uuid.UUID
    principal: Any
    principal_staff_id: uuid.UUID


async def onboard_school(stack: Any, county_id: uuid.UUID, *, students: int, boarding: bool) -> uuid.UUID:
    """A school onboarded through the schools service (which announces it with schools.school.onboarded)."""
    from kit.db import Database
    from schools.domain.schools.models import SchoolKind
    from schools.domain.schools.schemas import SchoolCreate
    from schools.domain.schools.service import SchoolService
    from tenants import TenantContext

    code = f"p{secrets.token_hex(3)}"
    database = Database(stack.settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    tenant = TenantContext.for_county(county_id, roles=["bureau"])
    try:
        async with database.transaction(tenant) as session:
            school = await SchoolService(session, tenant).onboard(
                SchoolCreate(
                    code=code,
                    name=f"测试学校 {code}",
                    kind=SchoolKind.NINE_YEAR,
                    boarding=boarding,
                    student_count=students,
                    principal_name="测试校长",
                    principal_email=f"{code}@test.example",
                    principal_username=f"p-{code}",
                )
            )
            return school.id
    finally:
        await database.dispose()


async def new_campus(
    stack: Any, personnel_db: Any, county_id: uuid.UUID, *, students: int, boarding: bool
) -> Campus:
    from tests.conftest import make_user

    school_id = await onboard_school(stack, county_id, students=students, boarding=boarding)
    # The same facts the event carries, in case no worker runs in this test session.
    await receive_school_facts(personnel_db, county_id, school_id, student_count=students, boarding=boarding)
    principal = await make_user(stack.settings, "principal", county_id, school_id)
    staff_id, _ = await adopt(personnel_db, stack, principal, "测试校长")
    return Campus(county_id, school_id, principal, staff_id)


async def new_staff_user(
    stack: Any, personnel_db: Any, role: str, county_id: uuid.UUID, school_id: uuid.UUID, name: str
) -> tuple[Any, uuid.UUID]:
    """An account of ``role`` in the school, on its staff list; returns (user with token, staff id)."""
    from tests.conftest import make_user

    user = await make_user(stack.settings, role, county_id, school_id)
    staff_id, _ = await adopt(personnel_db, stack, user, name)
    return user, staff_id
