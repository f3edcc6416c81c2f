"""Overdue escalation with a controllable clock: the responsible person is reminded before the deadline, the
principal told once it has passed, the bureau after the county's grace period; each step exactly once, also
when the job runs again, late, or is retried after a failure."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from hazards.clock import end_of_day
from hazards.domain.escalation.models import Step
from hazards.domain.escalation.service import EscalationService, Timing
from tenants import TenantContext
from tests.hazards.conftest import assignment, hazard_in, ok, outbox_events, report, today, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


async def run_escalation(
    db: Any, county_id: uuid.UUID, school_id: uuid.UUID, now: dt.datetime
) -> list[tuple[uuid.UUID, Step]]:
    """One escalation job for one school at ``now``, committed as the worker commits it."""
    tenant = TenantContext.for_school(county_id, school_id, actor="test:escalation")
    async with db.transaction(tenant) as session:
        return await EscalationService(session, tenant).run(now)


async def steps_of(
    db: Any, w: Any, hazard_id: str, school_id: uuid.UUID | None = None, county_id: uuid.UUID | None = None
) -> list[str]:
    tenant = TenantContext.for_school(county_id or w.county_x, school_id or w.school_a)
    async with db.transaction(tenant) as session:
        rows = await session.execute(
            text("select step from hazards.escalation_steps where hazard_id = :id order by taken_at, step"),
            {"id": hazard_id},
        )
        return list(rows.scalars())


async def notifications_for(client: Any, user: Any, number: str) -> list[dict[str, Any]]:
    page = (await client.get("/notifications?limit=200", headers=user.headers)).json()
    return [n for n in page["items"] if number in n["title"]]


def test_the_timing_of_each_step():
    timing = Timing(remind_days_before=2, grace_days=3)
    deadline = dt.date(2026, 12, 10)
    due = end_of_day(deadline)  # midnight at the school after the deadline day
    assert due.isoformat() == "2026-12-11T00:00:00+08:00"
    assert timing.due_steps(deadline, due - 2 * DAY - HOUR) == []
    assert timing.due_steps(deadline, due - 2 * DAY) == [Step.REMIND]
    assert timing.due_steps(deadline, due - dt.timedelta(seconds=1)) == [Step.REMIND]
    assert timing.due_steps(deadline, due) == [Step.PRINCIPAL]
    assert timing.due_steps(deadline, due + 3 * DAY - HOUR) == [Step.PRINCIPAL]
    assert timing.due_steps(deadline, due + 3 * DAY) == [Step.PRINCIPAL, Step.BUREAU]


async def test_each_step_happens_once_at_its_time(hazards_client, hazards_world, hazards_db):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed", title="逾期升级测试")
    h = await ok(hazards_client, w["principal_a"], h, "assign", assignment(w["teacher_a"], days=3))
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))

    async def at(moment: dt.datetime) -> list[str]:
        taken = await run_escalation(hazards_db, w.county_x, w.school_a, moment)
        return [step.value for hazard_id, step in taken if str(hazard_id) == h["id"]]

    assert await at(due - 3 * DAY) == []
    assert await at(due - 2 * DAY + HOUR) == ["remind"]
    assert await at(due - 2 * DAY + 2 * HOUR) == []  # the next run
    assert await at(due - HOUR) == []
    assert await at(due + HOUR) == ["principal"]
    assert await at(due + HOUR) == []  # the same run again
    assert await at(due + 2 * DAY) == []
    assert await at(due + 3 * DAY + HOUR) == ["bureau"]
    assert await at(due + 10 * DAY) == []
    assert await steps_of(hazards_db, w, h["id"]) == ["remind", "principal", "bureau"]

    events = await outbox_events(
        hazards_db, w.county_x, w.school_a, "hazards.hazard.escalated", hazard_id=h["id"]
    )
    assert [e["step"] for e in events] == ["remind", "principal", "bureau"]
    assert [
        len(await notifications_for(hazards_client, w[u], h["number"]))
        for u in ("teacher_a", "principal_a", "bureau_x")
    ] == [1, 1, 1]
    reminder = (await notifications_for(hazards_client, w["teacher_a"], h["number"]))[0]
    assert reminder["kind"] == "hazards.escalation.remind" and reminder["link"] == f"/hazards/{h['id']}"


async def test_a_job_that_first_runs_late_takes_the_overdue_steps_but_no_stale_reminder(
    hazards_client, hazards_world, hazards_db
):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying")
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    await run_escalation(hazards_db, w.county_x, w.school_a, due + 5 * DAY)
    assert await steps_of(hazards_db, w, h["id"]) == ["bureau", "principal"]  # same instant: alphabetical


async def test_a_new_deadline_starts_its_own_steps_and_a_fixed_hazard_none(
    hazards_client, hazards_world, hazards_db
):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying")
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    await run_escalation(hazards_db, w.county_x, w.school_a, due - DAY)
    assert await steps_of(hazards_db, w, h["id"]) == ["remind"]
    later = (today() + dt.timedelta(days=20)).isoformat()
    await ok(hazards_client, w["principal_a"], h, "reassign", {"reason": "延期", "deadline": later})
    new_due = end_of_day(dt.date.fromisoformat(later))
    await run_escalation(hazards_db, w.county_x, w.school_a, new_due - DAY)
    assert await steps_of(hazards_db, w, h["id"]) == ["remind", "remind"]
    fixed = await hazard_in(hazards_client, w, "rectified")
    await run_escalation(hazards_db, w.county_x, w.school_a, new_due + 10 * DAY)
    assert await steps_of(hazards_db, w, fixed["id"]) == []


async def test_a_failed_run_leaves_no_step_and_its_retry_takes_each_step_once(
    hazards_client, hazards_world, hazards_db, monkeypatch
):
    from hazards import recipients

    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying", title="重试测试")
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    real = recipients.principals_of

    async def identity_server_down(school_id: uuid.UUID) -> list[recipients.Recipient]:
        raise ConnectionError("keycloak unreachable")

    monkeypatch.setattr(recipients, "principals_of", identity_server_down)
    with pytest.raises(ConnectionError):
        await run_escalation(hazards_db, w.county_x, w.school_a, due + HOUR)
    assert await steps_of(hazards_db, w, h["id"]) == []
    assert (
        await outbox_events(hazards_db, w.county_x, w.school_a, "hazards.hazard.escalated", hazard_id=h["id"])
        == []
    )
    monkeypatch.setattr(recipients, "principals_of", real)
    await run_escalation(hazards_db, w.county_x, w.school_a, due + HOUR)
    await run_escalation(hazards_db, w.county_x, w.school_a, due + HOUR)
    assert await steps_of(hazards_db, w, h["id"]) == ["principal"]
    assert len(await notifications_for(hazards_client, w["principal_a"], h["number"])) == 1


async def test_the_scheduled_job_decides_by_its_period_so_a_retried_message_acts_the_same(
    hazards_client, hazards_world, hazards_db
):
    from hazards.domain.escalation.jobs import SCHEDULE, escalate, period_instant, schools_with_deadlines

    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying", title="定时任务测试")
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    period = SCHEDULE.period(due + HOUR)
    assert period_instant(period) <= due + HOUR
    assert (w.county_x, w.school_a) in await schools_with_deadlines(period)
    job = escalate.fn.__wrapped__  # the actor's coroutine, as the worker's event loop runs it
    for _ in range(2):  # the message, then its redelivery
        await job(str(w.county_x), str(w.school_a), period=period)
    assert await steps_of(hazards_db, w, h["id"]) == ["principal"]


async def test_escalation_runs_through_the_scheduler_and_the_worker(
    hazards_client, hazards_world, hazards_db, worker
):
    import asyncio

    from kit.scheduler import REGISTRY, Scheduler

    w = hazards_world
    h = await report(hazards_client, w["principal_c"], title="县Y 的隐患")
    h = await ok(hazards_client, w["principal_c"], h, "confirm")
    h = await ok(hazards_client, w["principal_c"], h, "assign", assignment(w["principal_c"], days=1))
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    scheduler = Scheduler([REGISTRY["hazards.escalation.run"]])
    try:
        enqueued = await scheduler.tick(due + HOUR)
        again = await scheduler.tick(due + HOUR)
    finally:
        await scheduler.close()
    assert [name for name, _ in enqueued] == ["hazards.escalation.run"] and again == []
    for _ in range(150):
        if await steps_of(hazards_db, w, h["id"], w.school_c, w.county_y):
            break
        await asyncio.sleep(0.2)
    assert await steps_of(hazards_db, w, h["id"], w.school_c, w.county_y) == ["principal"]
    assert user_id(w["principal_c"]) != user_id(w["principal_a"])


async def test_the_bureau_sets_its_countys_escalation_timing(hazards_client, hazards_world, hazards_db):
    w = hazards_world
    assert (await hazards_client.get("/escalation-policy", headers=w["principal_c"].headers)).json()[
        "grace_days"
    ] == 3
    response = await hazards_client.put(
        "/escalation-policy", json={"remind_days_before": 5, "grace_days": 1}, headers=w["bureau_y"].headers
    )
    assert response.status_code == 200 and response.json()["grace_days"] == 1
    assert (await hazards_client.get("/escalation-policy", headers=w["bureau_x"].headers)).json()[
        "grace_days"
    ] == 3
    bad = await hazards_client.put(
        "/escalation-policy", json={"remind_days_before": -1, "grace_days": 1}, headers=w["bureau_y"].headers
    )
    assert bad.status_code == 400
    h = await report(hazards_client, w["principal_c"], title="宽限期测试")
    h = await ok(hazards_client, w["principal_c"], h, "confirm")
    h = await ok(hazards_client, w["principal_c"], h, "assign", assignment(w["principal_c"], days=10))
    due = end_of_day(dt.date.fromisoformat(h["deadline"]))
    taken = await run_escalation(hazards_db, w.county_y, w.school_c, due - 4 * DAY)
    assert [s.value for hid, s in taken if str(hid) == h["id"]] == ["remind"]  # 5 days ahead
    taken = await run_escalation(hazards_db, w.county_y, w.school_c, due + DAY + HOUR)
    assert sorted(s.value for hid, s in taken if str(hid) == h["id"]) == [
        "bureau",
        "principal",
    ]  # 1 day of grace
    assert len(await notifications_for(hazards_client, w["bureau_y"], h["number"])) == 1
    assert await notifications_for(hazards_client, w["bureau_x"], h["number"]) == []
