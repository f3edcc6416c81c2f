"""Objective indicators come from the other services' events, show the figures they came from, and a replayed
or late event changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from evaluation.domain.indicators import consumers
from kit.events import (
    CAMPAIGN_PHASE_CLOSED,
    CAMPAIGN_PHASE_REOPENED,
    HAZARD_STATISTICS_UPDATED,
    PERSONNEL_STATISTICS_PUBLISHED,
    CampaignPhaseChanged,
    HazardStatistics,
    PersonnelStatistics,
)
from tenants import TenantContext
from tests.evaluation.conftest import deliver, open_campaign, rows

T0 = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)


def hazard_stats(
    school_id: uuid.UUID, *, closed: int, on_time: int, overdue: int, as_of: dt.datetime, **more
):
    values = {
        "school_id": school_id,
        "year": 2026,
        "reported": 20,
        "open": 5,
        "overdue": overdue,
        "closed": closed,
        "closed_on_time": on_time,
        "closed_on_time_rate": on_time / closed if closed else None,
        "average_days_to_close": 6.5,
        "rejected": 1,
        "listed_open": 1,
        "major_open": 0,
        "by_category": {"fire": 2},
        "by_severity": {"general": 5},
        "incidents": 2,
        "major_incidents": 0,
        "as_of": as_of,
    }
    values.update(more)
    return HazardStatistics(**values)


async def values(eval_db, world, school_id) -> dict[str, tuple[float, dict, dt.datetime]]:
    found = await rows(
        eval_db,
        TenantContext.for_county(world.county_x),
        "select metric, value, figures, updated_at, source_event_id from evaluation.indicator_values"
        " where school_id = :s",
        s=school_id,
    )
    return {r.metric: (r.value, r.figures, r.updated_at, r.source_event_id) for r in found}


@pytest.fixture
async def school(eval_db, directory, world):
    """A fresh school of county X in the directory (so that indicator rows of other tests do not interfere)."""
    from tests.evaluation.conftest import add_school

    school_id = uuid.uuid4()
    await add_school(eval_db, world.county_x, school_id, f"T{school_id.hex[:5]}", "指标测试学校")
    return school_id


async def test_hazard_statistics_become_indicators_with_their_figures(
    eval_client, eval_db, world, school, default_rubric
):
    event_id = await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        hazard_stats(school, closed=8, on_time=6, overdue=2, as_of=T0),
        county_id=world.county_x,
        school_id=school,
    )
    stored = await values(eval_db, world, school)
    assert stored["hazards.closed_on_time"][0] == 0.75
    assert stored["hazards.closed_on_time"][1] == {"closed_on_time": 6, "closed": 8, "year": 2026}
    assert stored["hazards.overdue"][0] == 2
    assert stored["hazards.overdue"][3] == event_id

    campaign = await open_campaign(eval_client, world["bureau_x"], default_rubric)
    response = await eval_client.get(
        f"/campaigns/{campaign}/schools/{school}/indicators", headers=world["bureau_x"].headers
    )
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()["items"]}
    closed = items["inv.closed_on_time"]
    assert (closed["points"], closed["max_points"], closed["state"]) == (6.0, 8, "computed")  # 8 × 0.75
    assert closed["figures"] == {"closed_on_time": 6, "closed": 8, "year": 2026}
    assert closed["source_event_id"] == str(event_id)
    assert items["inv.overdue"]["points"] == 2.0  # 6 − 2 × 2 overdue
    assert items["veto.major_accident"]["state"] == "clear"
    assert items["duty.gate"]["state"] == "no_data" and items["duty.gate"]["points"] == 0


async def test_the_same_event_delivered_twice_changes_nothing(eval_db, world, school):
    payload = hazard_stats(school, closed=4, on_time=4, overdue=0, as_of=T0)
    event_id = await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        payload,
        county_id=world.county_x,
        school_id=school,
    )
    first = await values(eval_db, world, school)
    await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        payload,
        county_id=world.county_x,
        school_id=school,
        event_id=event_id,
    )
    assert await values(eval_db, world, school) == first  # not even updated_at moved
    handled = await rows(
        eval_db,
        None,
        "select count(*) from evaluation.inbox where event_id = :e",
        e=event_id,
    )
    assert handled[0][0] == 1


async def test_an_older_event_arriving_late_never_replaces_newer_figures(eval_db, world, school):
    newer = hazard_stats(school, closed=10, on_time=10, overdue=0, as_of=T0 + dt.timedelta(hours=2))
    older = hazard_stats(school, closed=10, on_time=1, overdue=7, as_of=T0)
    await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        newer,
        county_id=world.county_x,
        school_id=school,
    )
    await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        older,
        county_id=world.county_x,
        school_id=school,
    )
    stored = await values(eval_db, world, school)
    assert stored["hazards.closed_on_time"][0] == 1.0
    assert stored["hazards.overdue"][0] == 0


async def test_personnel_statistics_become_coverage_and_staffing_indicators(eval_db, world, school):
    stats = PersonnelStatistics(
        school_id=school,
        start=dt.date(2026, 5, 25),
        end=dt.date(2026, 5, 31),
        staffing_compliant=False,
        staffing_missing=2,
        duty_coverage_rate=0.9,
        duty_attendance_rate=0.85,
        visitors_registered=40,
        visitors_refused=2,
        vehicles_refused=1,
        night_inspection_coverage_rate=None,  # a day school: no dormitory nights were required
        priority_night_inspection_coverage_rate=None,
        training_sessions=3,
        training_hours=4.5,
    )
    await deliver(
        consumers.personnel_statistics,
        PERSONNEL_STATISTICS_PUBLISHED,
        stats,
        county_id=world.county_x,
        school_id=school,
    )
    stored = await values(eval_db, world, school)
    assert stored["personnel.duty_coverage"][0] == 0.9
    assert stored["personnel.night_inspection_coverage"][0] == 1.0
    assert stored["personnel.staffing_missing"][0] == 2
    assert stored["personnel.staffing_missing"][1] == {"staffing_compliant": False, "staffing_missing": 2}


def phase_event(
    school: uuid.UUID, instance: uuid.UUID, phase: str, *, closed: bool, deadline: dt.date
) -> CampaignPhaseChanged:
    return CampaignPhaseChanged(
        school_campaign_id=instance,
        campaign_id=uuid.uuid4(),
        school_id=school,
        phase=phase,
        action="close" if closed else "reopen",
        status="closed" if closed else "open",
        deadline=deadline,
        current_phase=None,
        completed=False,
        reason="",
        actor_id="x",
        actor_name="x",
    )


async def test_phases_closed_on_time_follow_closing_and_reopening(eval_db, world, school):
    instance = uuid.uuid4()

    async def send(phase, closed, deadline, at):
        actor = consumers.campaign_phase_closed if closed else consumers.campaign_phase_reopened
        kind = CAMPAIGN_PHASE_CLOSED if closed else CAMPAIGN_PHASE_REOPENED
        await deliver(
            actor,
            kind,
            phase_event(school, instance, phase, closed=closed, deadline=deadline),
            county_id=world.county_x,
            school_id=school,
            occurred_at=at,
        )

    await send(
        "deployment", True, dt.date(2026, 5, 10), dt.datetime(2026, 5, 9, 10, tzinfo=dt.UTC)
    )  # on time
    await send(
        "investigation", True, dt.date(2026, 5, 20), dt.datetime(2026, 5, 25, 10, tzinfo=dt.UTC)
    )  # late
    stored = (await values(eval_db, world, school))["schools.phases_on_time"]
    assert stored[0] == 0.5
    assert (stored[1]["closed"], stored[1]["closed_on_time"]) == (2, 1)

    await send("investigation", False, dt.date(2026, 5, 20), dt.datetime(2026, 5, 26, 10, tzinfo=dt.UTC))
    assert (await values(eval_db, world, school))["schools.phases_on_time"][0] == 1.0
    # A late close that happened before the reopen arrives afterwards: it changes nothing.
    await send("investigation", True, dt.date(2026, 5, 20), dt.datetime(2026, 5, 24, 10, tzinfo=dt.UTC))
    assert (await values(eval_db, world, school))["schools.phases_on_time"][0] == 1.0


async def test_a_school_sees_its_own_indicators_and_404_for_another_schools(
    eval_client, world, directory, default_rubric
):
    campaign = await open_campaign(eval_client, world["bureau_x"], default_rubric)
    own = await eval_client.get(
        f"/campaigns/{campaign}/schools/{world.school_a}/indicators", headers=world["teacher_a"].headers
    )
    assert own.status_code == 200 and own.json()["school_id"] == str(world.school_a)
    other = await eval_client.get(
        f"/campaigns/{campaign}/schools/{world.school_b}/indicators", headers=world["teacher_a"].headers
    )
    assert other.status_code == 404


async def test_drills_against_plans_become_the_drill_indicator(eval_db, world, school):
    from kit.events import DRILLS_UPDATED, DrillStatistics

    def drills(plans: int, drilled: int, as_of: dt.datetime) -> DrillStatistics:
        return DrillStatistics(
            school_id=school,
            term="2026-spring",
            term_starts_on=dt.date(2026, 2, 1),
            term_ends_on=dt.date(2026, 7, 31),
            plans=plans,
            drilled_plans=drilled,
            drills=drilled + 1,
            as_of=as_of,
        )

    await deliver(
        consumers.drill_statistics,
        DRILLS_UPDATED,
        drills(4, 3, T0),
        county_id=world.county_x,
        school_id=school,
    )
    value, figures, *_ = (await values(eval_db, world, school))["schools.drills_per_plan"]
    assert value == 0.75
    assert figures == {"term": "2026-spring", "plans": 4, "drilled_plans": 3, "drills": 4}

    await deliver(  # an older event arriving late changes nothing
        consumers.drill_statistics,
        DRILLS_UPDATED,
        drills(4, 0, T0 - dt.timedelta(days=1)),
        county_id=world.county_x,
        school_id=school,
    )
    assert (await values(eval_db, world, school))["schools.drills_per_plan"][0] == 0.75
