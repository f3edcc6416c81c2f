"""Staffing compliance against the county standard, gate-duty rosters, check-in on a phone, missed duties,
and weekly coverage, on data built for the purpose."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid
from zoneinfo import ZoneInfo

import pytest

from personnel.domain.security_team.compliance import SchoolStaffing, StandardFigures, assess
from tenants import TenantContext
from tests.personnel.conftest import new_campus, new_staff_user

BEIJING = ZoneInfo("Asia/Shanghai")


def test_compliance_names_what_is_missing_rule_by_rule():
    standard = StandardFigures(
        students_per_guard=500, min_guards_per_school=1, min_guards_per_gate=1, night_guards_boarding=2
    )
    school = SchoolStaffing(
        uuid.uuid4(),
        "一中",
        student_count=1200,
        boarding=True,
        active_gates=4,
        guards=3,
        night_guards=1,
        team_size=3,
        team_leaders=0,
    )
    result = assess(standard, school)
    figures = {r.rule: (r.required, r.actual, r.missing) for r in result.requirements}
    assert figures == {
        "guards_per_students": (3, 3, 0),  # ceil(1200 / 500)
        "guards_per_school": (1, 3, 0),
        "guards_per_gate": (4, 3, 1),
        "team_leader": (1, 0, 1),
        "night_guards": (2, 1, 1),
    }
    assert result.compliant is False and len(result.missing) == 3
    day_school = assess(
        standard,
        SchoolStaffing(
            uuid.uuid4(), "二小", student_count=400, boarding=False, active_gates=1, guards=1, team_leaders=1
        ),
    )
    assert day_school.compliant and "night_guards" not in {r.rule for r in day_school.requirements}


async def _invite_guard(client, principal):
    response = await client.post(
        "/staff",
        json={
            "name": f"保安{secrets.token_hex(2)}",
            "email": f"g{secrets.token_hex(4)}@test.example",
            "username": f"g-{secrets.token_hex(5)}",
            "role": "guard",
        },
        headers=principal.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_staffing_compliance_counts_guards_gates_and_night_shifts(
    personnel_client, personnel_db, stack, world
):
    campus = await new_campus(stack, personnel_db, world.county_y, students=1200, boarding=True)
    principal = campus.principal
    for name in ("正门", "东侧门"):
        assert (
            await personnel_client.post("/gates", json={"name": name}, headers=principal.headers)
        ).status_code == 201
    guards = [await _invite_guard(personnel_client, principal) for _ in range(2)]
    leader = await personnel_client.post(
        "/security-team",
        json={
            "staff_id": guards[0],
            "team_role": "leader",
            "night_shift": True,
            "certificate_no": "吉保0012",
        },
        headers=principal.headers,
    )
    assert leader.status_code == 201, leader.text

    own = (await personnel_client.get("/staffing", headers=principal.headers)).json()
    figures = {r["rule"]: (r["required"], r["actual"], r["missing"]) for r in own["requirements"]}
    assert figures == {
        "guards_per_students": (3, 2, 1),
        "guards_per_school": (1, 2, 0),
        "guards_per_gate": (2, 2, 0),
        "team_leader": (1, 1, 0),
        "night_guards": (2, 1, 1),
    }
    assert own["compliant"] is False and own["guards"] == 2 and own["active_gates"] == 2

    # the bureau's overview shows the same school with the same figures, least compliant first
    overview = (await personnel_client.get("/staffing/schools", headers=world["bureau_y"].headers)).json()
    mine = next(s for s in overview if s["school_id"] == str(campus.school_id))
    assert mine["requirements"] == own["requirements"]
    assert (
        str(campus.school_id)
        not in (await personnel_client.get("/staffing/schools", headers=world["bureau_x"].headers)).text
    )

    # a stricter county standard raises what is required; a deactivated guard no longer counts
    strict = {
        "students_per_guard": 300,
        "min_guards_per_school": 1,
        "min_guards_per_gate": 1,
        "night_guards_boarding": 2,
        "visitor_id_retention_days": 180,
    }
    assert (
        await personnel_client.put("/standard", json=strict, headers=world["bureau_y"].headers)
    ).status_code == 200
    await personnel_client.post(
        f"/staff/{guards[1]}/deactivate", json={"reason": "离职"}, headers=principal.headers
    )
    after = (await personnel_client.get("/staffing", headers=principal.headers)).json()
    assert {r["rule"]: r["missing"] for r in after["requirements"]}[
        "guards_per_students"
    ] == 3  # 4 required, 1 left


@pytest.fixture(scope="module")
async def duty_campus(personnel_client, personnel_db, stack, world):
    campus = await new_campus(stack, personnel_db, world.county_x, students=800, boarding=False)
    gates = []
    for name in ("正门", "北门"):
        gates.append(
            (
                await personnel_client.post("/gates", json={"name": name}, headers=campus.principal.headers)
            ).json()["id"]
        )
    guard, guard_staff = await new_staff_user(
        stack, personnel_db, "guard", campus.county_id, campus.school_id, "门卫老赵"
    )
    teacher, teacher_staff = await new_staff_user(
        stack, personnel_db, "teacher", campus.county_id, campus.school_id, "值周教师"
    )
    return campus, gates, (guard, guard_staff), (teacher, teacher_staff)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


async def test_a_week_of_gate_duty_gives_the_coverage_it_should(
    personnel_client, personnel_db, duty_campus, clock
):
    campus, (main_gate, north_gate), (guard, guard_staff), (teacher, teacher_staff) = duty_campus
    today = dt.datetime.now(BEIJING).date()
    monday = today - dt.timedelta(days=today.weekday() + 7)  # last week's Monday
    week = [monday + dt.timedelta(days=i) for i in range(5)]
    clock.fixed = _local(monday, 6)
    plan = [
        {"date": d.isoformat(), "peak": "arrival", "gate_id": main_gate, "staff_id": str(guard_staff)}
        for d in week
    ]
    plan += [
        {"date": d.isoformat(), "peak": "dismissal", "gate_id": main_gate, "staff_id": str(teacher_staff)}
        for d in week
    ]
    plan.append(
        {"date": monday.isoformat(), "peak": "noon", "gate_id": north_gate, "staff_id": str(teacher_staff)}
    )
    created = await personnel_client.post(
        "/duty/shifts", json={"shifts": plan}, headers=campus.principal.headers
    )
    assert created.status_code == 201, created.text
    shifts = {(s["date"], s["peak"]): s["id"] for s in created.json()}

    async def check_in(user, day, peak, at):
        clock.fixed = at
        response = await personnel_client.post(
            f"/duty/shifts/{shifts[(day.isoformat(), peak)]}/check-in", headers=user.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    for day in week[:4]:  # the guard misses Friday morning
        await check_in(guard, day, "arrival", _local(day, 6, 50))
    for day in week:
        await check_in(teacher, day, "dismissal", _local(day, 16, 25))
    late = await check_in(teacher, monday, "noon", _local(monday, 11, 40))  # the window opens at 11:30
    assert late["late_minutes"] == 10

    clock.fixed = _local(monday + dt.timedelta(days=7), 8)
    coverage = (
        await personnel_client.get(
            "/duty/coverage", params={"week_of": monday.isoformat()}, headers=campus.principal.headers
        )
    ).json()
    assert coverage["required_slots"] == 5 * 3 * 2  # school days × peaks × gates
    assert coverage["planned_slots"] == 11
    assert coverage["covered_slots"] == 4 + 5 + 1
    assert coverage["coverage_rate"] == round(10 / 30, 4)
    assert (coverage["shifts_attended"], coverage["shifts_missed"], coverage["late_check_ins"]) == (10, 1, 1)
    assert coverage["attendance_rate"] == round(10 / 11, 4)
    friday_morning = [
        s
        for s in coverage["uncovered"]
        if s["date"] == week[4].isoformat() and s["peak"] == "arrival" and s["gate_id"] == main_gate
    ]
    assert friday_morning == [
        {
            "date": week[4].isoformat(),
            "peak": "arrival",
            "gate_id": main_gate,
            "gate_name": "正门",
            "planned": True,
        }
    ]


async def test_check_in_has_a_window_and_belongs_to_the_person_on_duty(personnel_client, duty_campus, clock):
    campus, (main_gate, _), (guard, guard_staff), (teacher, _) = duty_campus
    day = dt.datetime.now(BEIJING).date() + dt.timedelta(days=14)
    clock.fixed = _local(day - dt.timedelta(days=1), 12)
    shift = (
        await personnel_client.post(
            "/duty/shifts",
            json={
                "shifts": [
                    {
                        "date": day.isoformat(),
                        "peak": "dismissal",
                        "gate_id": main_gate,
                        "staff_id": str(guard_staff),
                    }
                ]
            },
            headers=campus.principal.headers,
        )
    ).json()[0]
    path = f"/duty/shifts/{shift['id']}"
    clock.fixed = _local(day, 15, 50)  # 40 minutes before 16:30
    assert (await personnel_client.post(f"{path}/check-in", headers=guard.headers)).status_code == 409
    clock.fixed = _local(day, 16, 10)
    assert (await personnel_client.post(f"{path}/check-in", headers=teacher.headers)).status_code == 403
    checked = await personnel_client.post(f"{path}/check-in", headers=guard.headers)
    assert checked.json()["status"] == "checked_in" and checked.json()["late_minutes"] == 0
    clock.fixed = _local(day, 17, 35)
    out = await personnel_client.post(f"{path}/check-out", headers=guard.headers)
    assert out.json()["status"] == "completed"
    mine = await personnel_client.get("/duty/mine", headers=guard.headers)
    assert mine.status_code == 200
    # rosters are all or nothing: one unknown gate rejects every line
    bad = await personnel_client.post(
        "/duty/shifts",
        json={
            "shifts": [
                {
                    "date": day.isoformat(),
                    "peak": "arrival",
                    "gate_id": main_gate,
                    "staff_id": str(guard_staff),
                },
                {
                    "date": day.isoformat(),
                    "peak": "noon",
                    "gate_id": str(uuid.uuid4()),
                    "staff_id": str(guard_staff),
                },
            ]
        },
        headers=campus.principal.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["key"] == "shifts[1].gate_id"
    roster = await personnel_client.get(
        "/duty/shifts", params={"start": day.isoformat(), "end": day.isoformat()}, headers=guard.headers
    )
    assert [s["peak"] for s in roster.json()] == ["dismissal"]


async def test_a_missed_duty_is_flagged_once_and_the_principal_is_told(
    personnel_client, personnel_db, duty_campus, clock
):
    from personnel.domain.duty.service import DutyService

    campus, (_, north_gate), (guard, guard_staff), _ = duty_campus
    day = dt.datetime.now(BEIJING).date() + dt.timedelta(days=21)
    clock.fixed = _local(day, 6)
    shift = (
        await personnel_client.post(
            "/duty/shifts",
            json={
                "shifts": [
                    {
                        "date": day.isoformat(),
                        "peak": "arrival",
                        "gate_id": north_gate,
                        "staff_id": str(guard_staff),
                    }
                ]
            },
            headers=campus.principal.headers,
        )
    ).json()[0]
    job = TenantContext.for_school(campus.county_id, campus.school_id, actor="test:duty")
    runs = []
    for _ in range(2):  # the job runs twice; the shift is flagged once
        async with personnel_db.transaction(job) as session:
            runs.append(
                [str(s.id) for s, _, _ in await DutyService(session, job).flag_missed(_local(day, 9))]
            )
    assert shift["id"] in runs[0] and runs[1] == []
    async with personnel_db.transaction(job) as session:
        roster = await DutyService(session, job).repository.get(uuid.UUID(shift["id"]))
    assert roster is not None and roster[0].status.value == "missed"
    for user in (campus.principal, guard):
        inbox = (await personnel_client.get("/notifications", headers=user.headers)).json()["items"]
        assert [n for n in inbox if n["kind"] == "personnel.duty_missed" and day.isoformat() in n["body"]], (
            user.username
        )


async def test_a_school_onboarded_in_the_schools_service_arrives_with_its_facts(
    personnel_db, stack, world, worker
):
    from sqlalchemy import select

    from personnel.domain.school_profiles.models import SchoolProfile
    from tests.personnel.conftest import onboard_school

    school_id = await onboard_school(stack, world.county_x, students=2345, boarding=True)
    bureau = TenantContext.for_county(world.county_x, roles=["bureau"])
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        async with personnel_db.transaction(bureau) as session:
            profile = (
                await session.execute(select(SchoolProfile).where(SchoolProfile.id == school_id))
            ).scalar_one_or_none()
        if profile is not None:
            break
        assert asyncio.get_running_loop().time() < deadline, (
            "schools.school.onboarded did not reach the personnel service"
        )
        await asyncio.sleep(0.2)
    assert (profile.student_count, profile.boarding, profile.synced_at is not None) == (2345, True, True)
