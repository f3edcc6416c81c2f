"""The demo seed fills a demo school's personnel data from the demo file, and a second run changes nothing."""

from __future__ import annotations

import json
import secrets

from tests.conftest import make_user
from tests.personnel.conftest import onboard_school, receive_school_facts


async def test_the_demo_seed_fills_a_school_once(stack, world, personnel_db, personnel_client, tmp_path):
    from personnel.demo.seed import seed_personnel

    school_id = await onboard_school(stack, world.county_y, students=900, boarding=True)
    await receive_school_facts(personnel_db, world.county_y, school_id, student_count=900, boarding=True)
    code = f"d{secrets.token_hex(3)}"
    entry = {"code": code, "name": "演示学校", "id": str(school_id)}
    users = {}
    for suffix, role in (
        ("principal", "principal"),
        ("teacher1", "teacher"),
        ("teacher2", "teacher"),
        ("guard", "guard"),
    ):
        users[suffix] = await make_user(
            stack.settings, role, world.county_y, school_id, username=f"{code}.{suffix}"
        )
    demo = tmp_path / "demo.json"
    demo.write_text(
        json.dumps(
            {
                "county": {"id": str(world.county_y)},
                "users": [{"username": u.username, "role": u.role, "school": entry} for u in users.values()],
            }
        ),
        encoding="utf-8",
    )
    assert await seed_personnel(stack.settings, demo) == 1
    assert await seed_personnel(stack.settings, demo) == 0

    principal = users["principal"].headers
    staff = (await personnel_client.get("/staff", headers=principal)).json()
    assert staff["total"] == 4
    visits = (await personnel_client.get("/visits", headers=principal)).json()["items"]
    assert {v["status"] for v in visits} >= {"left", "inside", "refused"}
    assert any(v["vehicle_status"] == "authorised" for v in visits) or any(v["plate"] for v in visits)
    assert any(v["id_purged"] for v in visits)
    assert len((await personnel_client.get("/dormitories", headers=principal)).json()) == 2
    concerns = (await personnel_client.get("/students-of-concern", headers=users["teacher1"].headers)).json()
    assert len(concerns) == 2
    stats = await personnel_client.get("/statistics", headers=principal)
    assert stats.status_code == 200 and stats.json()["training"]["sessions"] == 3
