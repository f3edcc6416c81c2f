"""A school's drills against its plans this term go to the evaluation as `schools.drills.updated`: after a plan
or a drill is recorded, and every Monday for every school with plans (a new term starts from its own
figures)."""

from __future__ import annotations

import datetime as dt
import json

from kit.events import DRILLS_UPDATED
from tests.campaigns.conftest import new_county
from tests.campaigns.test_documents_and_drills import _drill, _plan


async def _published(migrator, school_id) -> list[dict]:
    rows = await migrator.fetch(
        "select payload from schools.outbox where type = $1 and tenant_school_id = $2 order by created_at",
        DRILLS_UPDATED.name,
        school_id,
    )
    return [json.loads(row["payload"]) for row in rows]


async def test_each_plan_and_drill_publishes_the_terms_figures(app_client, stack, migrator, clock):
    county = await new_county(stack, app_client, "drl", staff=False)
    principal = county["principal"]
    fire = await _plan(app_client, principal, "fire")
    await _plan(app_client, principal, "earthquake")
    last_term = await app_client.post(
        f"/emergency-plans/{fire['id']}/drills", json=_drill(dt.date(2025, 12, 1)), headers=principal.headers
    )
    assert last_term.status_code == 201, last_term.text
    this_term = await app_client.post(
        f"/emergency-plans/{fire['id']}/drills", json=_drill(dt.date(2026, 4, 1)), headers=principal.headers
    )
    assert this_term.status_code == 201, this_term.text

    published = await _published(migrator, county.boarding)
    figures = [(p["plans"], p["drilled_plans"], p["drills"]) for p in published]
    assert figures == [(1, 0, 0), (2, 0, 0), (2, 0, 0), (2, 1, 1)]  # last term's drill does not count
    assert {p["term"] for p in published} == {"2026-spring"}
    assert published[-1]["term_starts_on"] == "2026-02-01" and published[-1]["term_ends_on"] == "2026-07-31"
    assert await _published(migrator, county.day) == []


async def test_the_weekly_job_publishes_every_school_with_plans_in_the_new_term(
    app_client, stack, migrator, clock
):
    from schools.domain.emergency.jobs import counties_with_plans, publish_drill_statistics

    county = await new_county(stack, app_client, "drw", staff=False)
    plan = await _plan(app_client, county["principal"])
    drilled = await app_client.post(
        f"/emergency-plans/{plan['id']}/drills", json=_drill(dt.date(2026, 4, 1)),
        headers=county["principal"].headers,
    )  # fmt: skip
    assert drilled.status_code == 201
    assert (county.id, None) in await counties_with_plans("2026-09-07T06:00")

    job = publish_drill_statistics.fn.__wrapped__  # the actor's coroutine, as the worker's event loop runs it
    await job(str(county.id), None, period="2026-09-07T06:00")

    newest = (await _published(migrator, county.boarding))[-1]
    # Run today (autumn 2026 or later): the spring drill no longer counts.
    assert newest["term"] != "2026-spring"
    assert (newest["plans"], newest["drilled_plans"], newest["drills"]) == (1, 0, 0)
