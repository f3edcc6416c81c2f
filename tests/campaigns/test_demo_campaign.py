"""The demo county's campaign (``make run``): launched, with its schools in different phases."""

from __future__ import annotations

from collections import Counter

from schools.demo.campaign_seed import TITLE, seed_campaign
from schools.domain.campaigns.calendar import local_date, system_clock
from tests.campaigns.conftest import set_school
from tests.conftest import make_county, make_school, make_user


async def test_the_demo_campaign_spreads_the_schools_over_the_phases(
    app_client, stack, clock, monkeypatch, tmp_path
):
    clock.set(local_date(system_clock()))  # the seed lays the campaign out around the real today
    monkeypatch.setenv("SAFECAMPUS_FILES_DIR", str(tmp_path))
    county_id = await make_county(stack.settings, "demo")
    for number in range(1, 13):
        school = await make_school(stack.settings, county_id, f"cl{number:02d}")
        if number % 2:
            await set_school(stack, school, boarding=True)
    bureau = await make_user(stack.settings, "bureau", county_id, None)

    await seed_campaign(stack.settings, county_id)
    await seed_campaign(stack.settings, county_id)  # a second `make run` changes nothing

    campaigns = (await app_client.get("/campaigns", headers=bureau.headers)).json()
    assert [c["title"] for c in campaigns] == [TITLE]
    board = (await app_client.get(f"/campaigns/{campaigns[0]['id']}/board", headers=bureau.headers)).json()
    phases = Counter(row["current_phase"] for row in board["rows"])
    assert phases == {
        "deployment": 6,  # cl07-cl12 (cl09 sent back by the bureau)
        "investigation": 2,
        "remediation": 2,
        "acceptance": 1,
        None: 1,  # cl01 completed
    }
    assert board["completed"] == 1
    deployment = {row["school_code"]: row["phases"][0] for row in board["rows"]}
    assert deployment["cl08"]["overdue"] is True
    assert (deployment["cl07"]["overdue"], deployment["cl07"]["extended"]) == (False, True)  # given more time
    assert {row["school_code"] for row in board["rows"] if not row["overdue"]} == {
        "cl01",
        "cl02",
        "cl03",
        "cl04",
    }
    cl09 = next(row for row in board["rows"] if row["school_code"] == "cl09")
    history = (
        await app_client.get(f"/school-campaigns/{cl09['school_campaign_id']}", headers=bureau.headers)
    ).json()
    assert "reopen" in [t["action"] for t in history["history"]]
    plans = (
        await app_client.get("/emergency-plans", params={"undrilled": "true"}, headers=bureau.headers)
    ).json()
    assert len(plans) == 6  # cl01-cl04 each have two plans; only cl01's and cl03's fire plans were drilled
