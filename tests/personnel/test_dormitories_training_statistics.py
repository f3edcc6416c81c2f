"""Dormitory night inspections (female dormitories first, head count against the roster, missed nights
flagged), training records, and the statistics that feed the evaluation."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import asyncpg
import pytest

from personnel.domain.dormitories.coverage import DormRef, night_coverage
from tenants import TenantContext
from tests.personnel.conftest import new_campus, new_staff_user


def test_night_coverage_counts_boarding_nights_and_female_dormitories_apart():
    girls, boys = (
        DormRef(uuid.uuid4(), True, dt.date(2026, 1, 1)),
        DormRef(uuid.uuid4(), False, dt.date(2026, 1, 1)),
    )
    monday = dt.date(2026, 3, 2)
    inspected = {(girls.id, monday + dt.timedelta(days=i)) for i in range(4)} | {(boys.id, monday)}
    result = night_coverage(
        [girls, boys],
        [0, 1, 2, 3, 6],
        inspected,
        monday,
        monday + dt.timedelta(days=6),
        last_complete_night=dt.date(2026, 3, 31),
    )
    assert (result.required, result.inspected) == (10, 5)  # five boarding nights × two dormitories
    assert (result.priority_required, result.priority_inspected, result.priority_coverage_rate) == (5, 4, 0.8)
    # nights not over yet are not required
    early = night_coverage(
        [girls, boys],
        [0, 1, 2, 3, 6],
        inspected,
        monday,
        monday + dt.timedelta(days=6),
        last_complete_night=monday,
    )
    assert (early.required, early.inspected) == (2, 2)


@pytest.fixture(scope="module")
async def boarding_campus(personnel_client, personnel_db, stack, world):
    campus = await new_campus(stack, personnel_db, world.county_x, students=900, boarding=True)
    await personnel_client.patch(
        "/school-profile", json={"boarding_nights": [0, 1, 2, 3, 4, 5, 6]}, headers=campus.principal.headers
    )
    supervisor, supervisor_staff = await new_staff_user(
        stack, personnel_db, "teacher", campus.county_id, campus.school_id, "宿管刘老师"
    )
    dorms = {}
    for name, occupants, roster in (("男生一号楼", "male", 120), ("女生二号楼", "female", 96)):
        response = await personnel_client.post(
            "/dormitories",
            json={
                "name": name,
                "occupants": occupants,
                "roster_count": roster,
                "supervisor_staff_id": str(supervisor_staff),
            },
            headers=campus.principal.headers,
        )
        assert response.status_code == 201, response.text
        dorms[occupants] = response.json()
    return campus, supervisor, dorms


async def test_the_night_round_lists_female_dormitories_first_and_compares_the_head_count(
    personnel_client, boarding_campus
):
    _campus, supervisor, dorms = boarding_campus
    listed = (await personnel_client.get("/dormitories", headers=supervisor.headers)).json()
    assert [d["occupants"] for d in listed] == ["female", "male"] and listed[0]["priority"] is True
    tonight = (await personnel_client.get("/night-inspections/tonight", headers=supervisor.headers)).json()
    assert tonight["outstanding"] == [dorms["female"]["id"], dorms["male"]["id"]]

    inspection = await personnel_client.post(
        f"/dormitories/{dorms['female']['id']}/inspections",
        json={
            "present_count": 93,
            "absent_with_leave": 2,
            "findings": ["electrical_hazard"],
            "notes": "305 室私接电线",
        },
        headers=supervisor.headers,
    )
    assert inspection.status_code == 201, inspection.text
    body = inspection.json()
    assert (body["expected_count"], body["unexplained_absences"]) == (96, 1)
    assert body["findings"] == ["unexplained_absence", "electrical_hazard"] and body["has_issues"] is True
    tonight = (await personnel_client.get("/night-inspections/tonight", headers=supervisor.headers)).json()
    assert tonight["outstanding"] == [dorms["male"]["id"]]


async def test_a_night_without_an_inspection_is_flagged_once(personnel_client, personnel_db, boarding_campus):
    from personnel.domain.dormitories.models import night_of
    from personnel.domain.dormitories.service import DormitoryService

    campus, supervisor, dorms = boarding_campus
    now = dt.datetime.now(dt.UTC)
    tonight = night_of(now, dt.timezone(dt.timedelta(hours=8)))
    job = TenantContext.for_school(campus.county_id, campus.school_id, actor="test:nights")
    tomorrow_afternoon = now + dt.timedelta(days=1, hours=1)
    runs = []
    for _ in range(2):
        async with personnel_db.transaction(job) as session:
            runs.append(
                await DormitoryService(session, job).flag_missed_nights(campus.school_id, tomorrow_afternoon)
            )
    flagged = {(str(d.id), n) for d, n in runs[0]}
    assert (dorms["male"]["id"], tonight) in flagged
    assert (dorms["female"]["id"], tonight) not in flagged  # inspected in the test before
    assert runs[1] == []
    missed = await personnel_client.get(
        "/night-inspections/missed",
        params={"start": tonight.isoformat(), "end": tonight.isoformat()},
        headers=campus.principal.headers,
    )
    assert [m["dormitory_name"] for m in missed.json()] == ["男生一号楼"]
    inbox = (await personnel_client.get("/notifications", headers=supervisor.headers)).json()["items"]
    assert any(n["kind"] == "personnel.night_inspection_missed" for n in inbox)


async def test_training_is_recorded_and_summed_in_hours(personnel_client, boarding_campus):
    campus, supervisor, _ = boarding_campus
    today = dt.date.today()
    for topic, minutes, people in (("fire", 90, 300), ("drowning", 45, 120)):
        response = await personnel_client.post(
            "/training-sessions",
            json={
                "topic": topic,
                "title": f"{topic} 安全教育",
                "held_on": today.isoformat(),
                "duration_minutes": minutes,
                "audience": ["students"],
                "participant_count": people,
                "materials": [{"title": "课件", "url": "https://example.org/slides.pdf"}],
            },
            headers=supervisor.headers,
        )
        assert response.status_code == 201, response.text
    future = await personnel_client.post(
        "/training-sessions",
        json={
            "topic": "traffic",
            "title": "交通安全",
            "held_on": (today + dt.timedelta(days=9)).isoformat(),
            "duration_minutes": 40,
            "audience": ["students"],
            "participant_count": 10,
        },
        headers=supervisor.headers,
    )
    assert future.status_code == 422
    summary = (
        await personnel_client.get("/training-sessions/summary", headers=campus.principal.headers)
    ).json()
    assert (summary["sessions"], summary["hours"], summary["participant_hours"]) == (
        2,
        2.25,
        round((90 * 300 + 45 * 120) / 60, 2),
    )
    assert summary["by_topic"] == {"drowning": 1, "fire": 1}


async def test_statistics_gather_every_figure_for_the_evaluation(personnel_client, boarding_campus, world):
    campus, _supervisor, _ = boarding_campus
    await personnel_client.post(
        "/visits",
        json={
            "visitor_name": "家长",
            "id_type": "passport",
            "id_number": "E12345678",
            "purpose": "探望",
            "host_name": "班主任",
            "plate": "吉C12345",
        },
        headers=campus.principal.headers,
    )
    today = dt.date.today().isoformat()
    own = await personnel_client.get(
        "/statistics", params={"start": today, "end": today}, headers=campus.principal.headers
    )
    assert own.status_code == 200, own.text
    figures = own.json()
    assert figures["school_id"] == str(campus.school_id)
    assert figures["visitors"] == {"registered": 1, "refused": 0, "admitted": 0, "vehicles_refused": 1}
    assert figures["training"]["sessions"] == 2
    assert (
        figures["staffing"]["compliant"] is False
        and "guards_per_students" in figures["staffing"]["unmet_rules"]
    )
    county = (
        await personnel_client.get(
            "/statistics/schools", params={"start": today, "end": today}, headers=world["bureau_x"].headers
        )
    ).json()
    assert next(s for s in county if s["school_id"] == str(campus.school_id)) == figures
    too_long = await personnel_client.get(
        "/statistics", params={"start": "2025-01-01", "end": today}, headers=campus.principal.headers
    )
    assert too_long.status_code == 422


async def test_the_weekly_statistics_are_published_as_an_event(personnel_db, boarding_campus, stack):
    from personnel.domain.statistics.service import StatisticsService
    from tenants.roles import MIGRATOR

    campus, _, _ = boarding_campus
    job = TenantContext.for_school(campus.county_id, campus.school_id, actor="test:statistics")
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 7)
    async with personnel_db.transaction(job) as session:
        await StatisticsService(session, job).publish_week(monday, dt.datetime.now(dt.UTC))
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        payload = await conn.fetchval(
            "select payload from personnel.outbox where type = 'personnel.statistics.published'"
            " and tenant_school_id = $1 order by created_at desc limit 1",
            campus.school_id,
        )
    finally:
        await conn.close()
    event = json.loads(payload)
    assert (event["start"], event["end"]) == (monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())
    assert event["school_id"] == str(campus.school_id) and event["staffing_compliant"] is False
