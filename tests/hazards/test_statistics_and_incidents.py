"""Statistics for the evaluation (open, overdue, closed on time, average days to close, by category and
severity, incidents), by API and as events; and security incidents with the county's counts and trend.

A school of its own (D) and a clock set to June 2026 make every figure exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.hazards.conftest import FreshSchool, fresh_school, outbox_events, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")
UTC = dt.UTC
JUNE_10 = dt.datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 at the school


@pytest.fixture(scope="module")
async def school_d(stack, hazards_world, hazards_db) -> FreshSchool:
    return await fresh_school(stack, hazards_world.county_x, hazards_db)


async def _post(client, user, path, body=None):
    response = await client.post(path, json=body or {}, headers=user.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _scenario(client, clock, d: FreshSchool) -> dict[str, Any]:
    """Five hazards and two incidents of school D, with the clock at the moments things happen."""
    clock.fixed = JUNE_10

    async def new(title, **extra):
        body = {"title": title, "category": "fire", "area": "canteen"} | extra
        return await _post(client, d.teacher, "/hazards", body)

    async def assign(h, deadline):
        h = await _post(client, d.principal, f"/hazards/{h['id']}/confirm")
        return await _post(client, d.principal, f"/hazards/{h['id']}/assign", {
            "responsible_id": user_id(d.teacher), "responsible_name": "张老师", "plan": "更换灭火器",
            "deadline": deadline, "checker_id": user_id(d.checker), "checker_name": "李老师",
        })  # fmt: skip

    on_time = await assign(await new("灭火器过期"), "2026-06-12")
    late = await assign(await new("消防通道堵塞", category="electrical"), "2026-06-11")
    overdue = await assign(
        await new("配电箱未上锁", category="electrical", area="electrical_rooms"), "2026-06-11"
    )
    rejected = await new("误报")
    await _post(client, d.principal, f"/hazards/{rejected['id']}/reject", {"reason": "不是隐患"})
    major = await new("宿舍楼外墙开裂", category="buildings_facilities", area="dormitories", severity="major")
    await _post(client, d.principal, f"/hazards/{major['id']}/confirm")

    clock.fixed = dt.datetime(2026, 6, 11, 8, 0, tzinfo=UTC)  # 16:00 on the 11th: on time
    await _post(client, d.teacher, f"/hazards/{on_time['id']}/rectify", {"note": "已更换"})
    await _post(client, d.checker, f"/hazards/{on_time['id']}/verify")
    clock.fixed = dt.datetime(2026, 6, 13, 2, 0, tzinfo=UTC)  # the 13th: two days late
    await _post(client, d.teacher, f"/hazards/{late['id']}/rectify", {"note": "已清理"})
    await _post(client, d.checker, f"/hazards/{late['id']}/verify")
    await _post(client, d.principal, "/incidents", {
        "kind": "fire", "occurred_at": "2026-06-12T20:30:00+08:00", "place": "食堂后厨", "people_affected": 0,
        "description": "油锅起火，已扑灭", "actions_taken": "使用灭火毯", "reported_to_police": True,
    })  # fmt: skip
    await _post(client, d.teacher, "/incidents", {
        "kind": "public_order", "occurred_at": "2026-05-20T07:40:00+08:00", "place": "校门口",
        "description": "校外人员与保安发生口角",
    })  # fmt: skip
    return {"on_time": on_time, "late": late, "overdue": overdue, "rejected": rejected, "major": major}


async def test_a_schools_figures_are_exact_and_published_for_the_evaluation(
    hazards_client, hazards_world, hazards_db, clock, school_d
):
    w = hazards_world
    await _scenario(hazards_client, clock, school_d)
    response = await hazards_client.get("/statistics?year=2026", headers=school_d.principal.headers)
    assert response.status_code == 200
    stats = response.json()
    assert [s["school_id"] for s in stats["schools"]] == [str(school_d.id)]
    s = stats["schools"][0]
    expected = {
        "school_name": school_d.name, "year": 2026, "reported": 5, "open": 2, "overdue": 1, "closed": 2,
        "closed_on_time": 1, "closed_on_time_rate": 0.5, "rejected": 1, "listed_open": 0, "major_open": 1,
        "incidents": 2, "major_incidents": 1,
    }  # fmt: skip
    assert {k: s[k] for k in expected} == expected
    # on time: 10th 10:00 → 11th 16:00 = 1.25 days; late: 10th 10:00 → 13th 10:00 = 3 days
    assert s["average_days_to_close"] == pytest.approx((1.25 + 3) / 2, abs=0.01)
    assert s["by_category"]["electrical"] == {"reported": 2, "open": 1}
    assert s["by_severity"]["major"] == {"reported": 1, "open": 1}
    assert stats["total"]["reported"] == 5

    events = await outbox_events(hazards_db, w.county_x, school_d.id, "hazards.statistics.updated")
    last = events[-1]
    assert {k: last[k] for k in ("reported", "closed", "closed_on_time", "incidents", "major_incidents", "rejected")} == {
        "reported": 5, "closed": 2, "closed_on_time": 1, "incidents": 2, "major_incidents": 1, "rejected": 1,
    }  # fmt: skip
    assert last["by_category"]["electrical"] == 1

    county = (await hazards_client.get("/statistics?year=2026", headers=w["bureau_x"].headers)).json()
    rows = {r["school_id"]: r for r in county["schools"]}
    assert rows[str(school_d.id)]["closed_on_time"] == 1
    assert {str(w.school_a), str(w.school_b)} <= set(rows)
    assert str(w.school_c) not in rows
    assert county["total"]["reported"] == sum(r["reported"] for r in county["schools"])


async def test_incidents_are_counted_by_type_and_month_for_the_county(
    hazards_client, hazards_world, clock, school_d
):
    w = hazards_world
    clock.fixed = dt.datetime(2026, 6, 20, 2, 0, tzinfo=UTC)
    created = await _post(hazards_client, w["guard_a"], "/incidents", {
        "kind": "injury", "occurred_at": "2026-06-19T09:00:00+08:00", "place": "操场", "people_affected": 2,
        "description": "学生课间追逐摔伤", "actions_taken": "送医",
    })  # fmt: skip
    county = (await hazards_client.get("/incidents/statistics", headers=w["bureau_x"].headers)).json()
    assert county["by_kind"]["injury"] >= 1
    assert [m["month"] for m in county["trend"]][-1] == "2026-06" and len(county["trend"]) == 12
    assert dict((m["month"], m["count"]) for m in county["trend"])["2026-06"] >= 1
    other = (await hazards_client.get("/incidents?limit=200", headers=w["bureau_y"].headers)).json()
    assert created["id"] not in {i["id"] for i in other["items"]}
    assert (
        await hazards_client.get(f"/incidents/{created['id']}", headers=w["principal_b"].headers)
    ).status_code == 404
    listed = (
        await hazards_client.get("/incidents?kind=injury&limit=200", headers=w["principal_a"].headers)
    ).json()
    assert created["id"] in {i["id"] for i in listed["items"]}


async def test_an_incident_is_corrected_by_the_principal_only_and_never_lies_in_the_future(
    hazards_client, hazards_world, clock
):
    w = hazards_world
    created = await _post(hazards_client, w["teacher_a"], "/incidents", {
        "kind": "other", "occurred_at": "2026-01-05T08:00:00+08:00", "place": "图书馆", "description": "书架倾倒",
    })  # fmt: skip
    path = f"/incidents/{created['id']}"
    assert (
        await hazards_client.patch(path, json={"people_affected": 1}, headers=w["teacher_a"].headers)
    ).status_code == 403
    fixed = await hazards_client.patch(
        path, json={"people_affected": 1, "kind": "injury"}, headers=w["principal_a"].headers
    )
    assert fixed.status_code == 200 and fixed.json()["kind"] == "injury"
    future = (dt.datetime.now(UTC) + dt.timedelta(days=2)).isoformat()
    assert (
        await hazards_client.patch(path, json={"occurred_at": future}, headers=w["principal_a"].headers)
    ).status_code == 422
    naive = await hazards_client.post("/incidents", json={
        "kind": "fire", "occurred_at": "2026-01-05T08:00:00", "place": "x", "description": "无时区的时间",
    }, headers=w["teacher_a"].headers)  # fmt: skip
    assert naive.status_code == 422
    assert (
        await hazards_client.post("/incidents", json={"kind": "fire"}, headers=w["bureau_x"].headers)
    ).status_code == 403
