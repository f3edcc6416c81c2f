"""Deadline reminders: principals are reminded before a phase's deadline, the bureau is told once a phase is
overdue; each once per phase and deadline. The clock is the job's period (the day it runs for)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kit.db import Database
from schools.domain.campaigns.reminders import send_reminders
from tenants import TenantContext
from tenants.roles import app_role
from tests.campaigns.conftest import TODAY, County, launched, new_county

DEPLOYMENT_DUE = TODAY + dt.timedelta(days=14)


@pytest.fixture(scope="module")
async def fresh(stack: Any, app_client: Any) -> County:
    """The county of these tests: only their own campaign runs in it while a test runs."""
    return await new_county(stack, app_client, "r", staff=False)


@pytest.fixture
async def campaign(app_client: Any, fresh: County) -> AsyncIterator[dict[str, Any]]:
    result = await launched(app_client, fresh)
    yield result
    # An ended campaign is not chased: the next test's runs see only its own campaign.
    await app_client.post(f"/campaigns/{result['campaign']['id']}/close", headers=fresh["bureau"].headers)


async def _run(stack: Any, county: County, day: dt.date) -> tuple[int, int]:
    """The reminder job of ``county`` for ``day``, committed as the job commits it."""
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    tenant = TenantContext.for_county(county.id, actor="actor:schools.campaigns.reminders.tenant")
    try:
        async with database.transaction(tenant) as session:
            sent = await send_reminders(session, tenant, day)
    finally:
        await database.dispose()
    return sent.due_soon, sent.overdue


async def _inbox(app_client: Any, user: Any, kind: str, instance: str | None = None) -> list[dict[str, Any]]:
    """The user's notifications of ``kind`` (about ``instance``, for a principal's reminders)."""
    response = await app_client.get("/notifications", params={"limit": 200}, headers=user.headers)
    assert response.status_code == 200, response.text
    items = [n for n in response.json()["items"] if n["kind"] == kind]
    return [n for n in items if instance is None or n["link"] == f"/school-campaigns/{instance}"]


async def test_the_principal_is_reminded_once_before_the_deadline(app_client, stack, fresh, campaign):
    instance = campaign["instances"][fresh.boarding]
    flags_before = len(await _inbox(app_client, fresh["bureau"], "campaign.phase_overdue"))

    early = await _run(stack, fresh, DEPLOYMENT_DUE - dt.timedelta(days=4))
    due = await _run(stack, fresh, DEPLOYMENT_DUE - dt.timedelta(days=3))
    again = await _run(stack, fresh, DEPLOYMENT_DUE - dt.timedelta(days=3))
    next_day = await _run(stack, fresh, DEPLOYMENT_DUE - dt.timedelta(days=2))

    assert early == (0, 0)
    assert due == (2, 0)  # the boarding school's and the day school's principal
    assert again == next_day == (0, 0)
    [reminder] = await _inbox(app_client, fresh["principal"], "campaign.phase_due_soon", instance)
    assert DEPLOYMENT_DUE.isoformat() in reminder["title"]
    assert len(await _inbox(app_client, fresh["bureau"], "campaign.phase_overdue")) == flags_before


async def test_the_bureau_is_told_once_when_a_phase_is_overdue_and_again_after_a_missed_extension(
    app_client, stack, fresh, campaign, clock
):
    instance = campaign["instances"][fresh.boarding]
    flags_before = len(await _inbox(app_client, fresh["bureau"], "campaign.phase_overdue"))

    on_the_day = await _run(stack, fresh, DEPLOYMENT_DUE)
    overdue = await _run(stack, fresh, DEPLOYMENT_DUE + dt.timedelta(days=1))
    still = await _run(stack, fresh, DEPLOYMENT_DUE + dt.timedelta(days=2))

    assert on_the_day == (2, 0)  # reminded on the day itself, not yet overdue
    assert overdue == (0, 2)
    assert still == (0, 0)
    flags = await _inbox(app_client, fresh["bureau"], "campaign.phase_overdue")
    assert len(flags) == flags_before + 1
    assert "2" in flags[0]["title"] and "组织部署" in flags[0]["body"]  # newest first

    clock.set(DEPLOYMENT_DUE + dt.timedelta(days=2))
    extended_to = DEPLOYMENT_DUE + dt.timedelta(days=5)
    response = await app_client.post(
        f"/school-campaigns/{instance}/extend-deadline",
        json={"phase": "deployment", "deadline": extended_to.isoformat(), "reason": "校舍维修"},
        headers=fresh["bureau"].headers,
    )
    assert response.status_code == 200, response.text

    reminded = await _run(stack, fresh, extended_to - dt.timedelta(days=1))
    missed_again = await _run(stack, fresh, extended_to + dt.timedelta(days=1))

    assert reminded == (1, 0)  # the new deadline earns a new reminder
    assert missed_again == (0, 1)
    reminders = await _inbox(app_client, fresh["principal"], "campaign.phase_due_soon", instance)
    assert len(reminders) == 2  # one per deadline
    assert len(await _inbox(app_client, fresh["bureau"], "campaign.phase_overdue")) == flags_before + 2


async def test_ended_campaigns_are_not_chased(app_client, stack, fresh, campaign):
    await app_client.post(f"/campaigns/{campaign['campaign']['id']}/close", headers=fresh["bureau"].headers)

    assert await _run(stack, fresh, DEPLOYMENT_DUE + dt.timedelta(days=1)) == (0, 0)


async def test_the_scheduled_job_runs_through_the_broker_for_its_day(
    app_client, stack, fresh, campaign, worker
):
    instance = campaign["instances"][fresh.day]
    import schools.domain.campaigns.jobs as jobs

    period = (DEPLOYMENT_DUE - dt.timedelta(days=1)).isoformat()
    jobs.remind.send_with_options(args=(str(fresh.id), None), kwargs={"period": period})

    for _ in range(600):  # the worker may first have other tests' jobs to do
        if await _inbox(app_client, fresh["day_principal"], "campaign.phase_due_soon", instance):
            break
        await asyncio.sleep(0.1)
    [reminder] = await _inbox(app_client, fresh["day_principal"], "campaign.phase_due_soon", instance)
    assert "1 天" in reminder["body"]
