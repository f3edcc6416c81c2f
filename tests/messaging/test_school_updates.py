"""The other services' school directories follow the schools service: a school the bureau renames and then
suspends is renamed in the hazards and personnel directories and no longer evaluated — through the outbox,
RabbitMQ and a real worker."""

from __future__ import annotations

import asyncio
import json

import asyncpg

from tenants.roles import MIGRATOR
from tests.schools.test_schools_api import new_school


async def _facts(conn: asyncpg.Connection, school_id: str) -> dict[str, object]:
    row = await conn.fetchrow(
        """
        select (select name from hazards.school_directory where school_id = $1::uuid) as hazards_name,
               (select name from personnel.school_profiles where id = $1::uuid) as personnel_name,
               (select active from personnel.school_profiles where id = $1::uuid) as personnel_active,
               (select student_count from personnel.school_profiles where id = $1::uuid) as students,
               (select active from evaluation.schools where id = $1::uuid) as evaluated
        """,
        school_id,
    )
    return dict(row)


async def _until(conn: asyncpg.Connection, school_id: str, wanted: dict[str, object]) -> dict[str, object]:
    facts: dict[str, object] = {}
    for _ in range(150):
        facts = await _facts(conn, school_id)
        if all(facts[key] == value for key, value in wanted.items()):
            return facts
        await asyncio.sleep(0.2)
    raise AssertionError(f"the directories did not follow: {facts}")


async def test_a_renamed_then_suspended_school_is_followed_by_every_directory(
    app_client, world, stack, worker
):
    headers = world["bureau_x"].headers
    created = (await app_client.post("/schools", json=new_school(name="更名前小学"), headers=headers)).json()
    school_id = created["id"]
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        await _until(
            conn, school_id, {"hazards_name": "更名前小学", "evaluated": True, "personnel_active": True}
        )

        renamed = await app_client.patch(
            f"/schools/{school_id}", json={"name": "更名后小学", "student_count": 900}, headers=headers
        )
        assert renamed.status_code == 200
        await _until(
            conn, school_id, {"hazards_name": "更名后小学", "personnel_name": "更名后小学", "students": 900}
        )

        suspended = await app_client.post(
            f"/schools/{school_id}/suspend", json={"reason": "撤并"}, headers=headers
        )
        assert suspended.status_code == 200
        await _until(conn, school_id, {"evaluated": False, "personnel_active": False})

        events = await conn.fetch(
            "select payload from schools.outbox where type = 'schools.school.updated'"
            " and tenant_school_id = $1::uuid order by created_at",
            school_id,
        )
        payloads = [json.loads(e["payload"]) for e in events]
        assert [(p["change"], p["status"], p["reason"]) for p in payloads] == [
            ("updated", "active", ""),
            ("suspended", "suspended", "撤并"),
        ]

        back = await app_client.post(
            f"/schools/{school_id}/reactivate", json={"reason": "恢复"}, headers=headers
        )
        assert back.status_code == 200
        await _until(conn, school_id, {"evaluated": True, "personnel_active": True})
    finally:
        await conn.close()
