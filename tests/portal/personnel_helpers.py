"""Shared set-up of the personnel page tests: the world's schools as the personnel service knows them and
the world's school users on their staff lists (as the demo seed and the personnel tests do), and the
pieces the HTTP and browser tests of the personnel pages share."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.personnel.conftest import SCHOOL_FACTS, adopt, receive_school_facts
from tests.personnel.test_visitors import resident_id

__all__ = ["NAMES", "personnel_db", "resident_id", "staffed", "unmasked_id_numbers"]

NAMES = {
    "principal_a": "王校长",
    "teacher_a": "李老师",
    "guard_a": "张保安",
    "principal_b": "赵校长",
    "principal_c": "钱校长",
}


@pytest.fixture(scope="session")
async def personnel_db(stack: Any) -> AsyncIterator[Any]:
    """The personnel app role's engine (set-up only; the pages are tested through the portal)."""
    from kit.db import Database
    from tenants.roles import app_role

    database = Database(stack.settings.sqlalchemy_url(app_role("personnel"), "personnel"), pool_size=2)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def staffed(world: Any, stack: Any, personnel_db: Any) -> dict[str, uuid.UUID]:
    """Schools A, B, C known to the personnel service; each world school user on its staff list."""
    for key, (students, boarding) in SCHOOL_FACTS.items():
        county_id = world.county_y if key == "school_c" else world.county_x
        await receive_school_facts(
            personnel_db, county_id, getattr(world, key), student_count=students, boarding=boarding
        )
    staff: dict[str, uuid.UUID] = {}
    for key, name in NAMES.items():
        staff[key], _ = await adopt(personnel_db, stack, world[key], name)
    return staff


_RESIDENT_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


def unmasked_id_numbers(html: str) -> list[str]:
    """Whole 18-character resident ID numbers anywhere in a page (there must never be one)."""
    return _RESIDENT_ID.findall(html)
