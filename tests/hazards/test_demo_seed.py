"""The demo seed gives every school of the demo county hazards in every state, written through the services."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import make_school, make_user

pytestmark = pytest.mark.usefixtures("hazards_world")


async def test_the_demo_seed_gives_a_school_a_register_in_every_state_and_runs_once(
    stack, hazards_world, hazards_client
):
    from hazards.demo.seed import seed_hazards

    w = hazards_world
    code = f"demo{secrets.token_hex(2)}"
    school = await make_school(stack.settings, w.county_x, code)
    entry = {"code": code, "name": "演示学校", "id": str(school)}
    users = [{"username": f"{code}.bureau", "role": "bureau"}]
    await make_user(stack.settings, "bureau", w.county_x, None, username=f"{code}.bureau")
    for suffix, role in (
        ("principal", "principal"),
        ("teacher1", "teacher"),
        ("teacher2", "teacher"),
        ("guard", "guard"),
    ):
        await make_user(stack.settings, role, w.county_x, school, username=f"{code}.{suffix}")
        users.append({"username": f"{code}.{suffix}", "role": role, "school": entry})
    demo = {"county": {"id": str(w.county_x)}, "users": users}

    created = await seed_hazards(stack.settings, demo)
    assert created[code] >= 10
    principal = next(u for u in users if u["username"].endswith(".principal"))
    from tests.conftest import user_token

    headers = {"Authorization": f"Bearer {await user_token(stack.settings, principal['username'])}"}
    page = (await hazards_client.get("/hazards?limit=200", headers=headers)).json()
    states = {h["status"] for h in page["items"]}
    assert states == {"reported", "confirmed", "rejected", "rectifying", "rectified", "verified", "closed"}
    assert any(h["overdue"] for h in page["items"]) and any(h["listed"] for h in page["items"])
    assert all(h["number"].startswith(code.upper()) for h in page["items"])
    queue = (await hazards_client.get("/public-reports", headers=headers)).json()
    assert queue["total"] == 1
    patrols = (await hazards_client.get("/patrols", headers=headers)).json()
    assert patrols["items"][0]["areas_signed_off"] == 8
    stats = (await hazards_client.get("/statistics", headers=headers)).json()["schools"][0]
    assert stats["closed"] == 2 and stats["closed_on_time"] == 1 and stats["overdue"] >= 1

    assert await seed_hazards(stack.settings, demo) == {}
