"""The bureau's county campaigns: definition, launch, schools joining later, the board, ending."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid

from kit.db import Database
from schools.domain.campaigns.service import join_missing_schools
from schools.domain.campaigns.vocabulary import CATALOGUE
from tenants import TenantContext
from tenants.roles import app_role
from tests.campaigns.conftest import TODAY, campaign_body, launched
from tests.conftest import make_school


async def test_a_new_campaign_requires_the_seeds_deliverables_by_default(app_client, county):
    response = await app_client.post("/campaigns", json=campaign_body(), headers=county["bureau"].headers)

    assert response.status_code == 201, response.text
    campaign = response.json()
    assert campaign["status"] == "draft"
    assert [p["phase"] for p in campaign["phases"]] == [p.value for p in CATALOGUE]
    for plan in campaign["phases"]:
        assert plan["required"] == [d.value for d in CATALOGUE[plan["phase"]]]
    assert campaign["school_count"] == 0


async def test_the_bureau_chooses_the_required_deliverables_of_a_phase(app_client, county):
    body = campaign_body()
    body["phases"][2]["required"] = ["video_surveillance", "security_staffing", "video_surveillance"]

    response = await app_client.post("/campaigns", json=body, headers=county["bureau"].headers)

    assert response.status_code == 201, response.text
    assert response.json()["phases"][2]["required"] == ["security_staffing", "video_surveillance"]


async def test_deadlines_out_of_order_or_foreign_deliverables_are_refused(app_client, county):
    bureau = county["bureau"].headers
    late_start = campaign_body()
    late_start["phases"][1]["deadline"] = TODAY.isoformat()  # before the deployment deadline
    foreign = campaign_body()
    foreign["phases"][0]["required"] = ["area_checklist"]
    twice = campaign_body()
    twice["phases"][4]["phase"] = "deployment"

    for body, key in [
        (late_start, "phases.investigation.deadline"),
        (foreign, "phases.deployment.required"),
        (twice, "phases"),
    ]:
        response = await app_client.post("/campaigns", json=body, headers=bureau)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["key"] == key
    listed = await app_client.get("/campaigns", headers=bureau)
    assert all(c["title"] not in (late_start["title"], foreign["title"]) for c in listed.json())


async def test_launching_gives_every_active_school_its_instance_with_deployment_open(
    app_client, county, migrator
):
    result = await launched(app_client, county)
    campaign = result["campaign"]

    assert campaign["status"] == "launched"
    assert set(result["instances"]) == {county.boarding, county.day}  # not the suspended school
    view = await app_client.get(
        f"/school-campaigns/{result['instances'][county.boarding]}", headers=county["principal"].headers
    )
    phases = view.json()["phases"]
    assert [(p["phase"], p["status"]) for p in phases] == [
        ("deployment", "open"),
        ("investigation", "pending"),
        ("remediation", "pending"),
        ("acceptance", "pending"),
        ("consolidation", "pending"),
    ]
    events = await migrator.fetch(
        "SELECT type, payload FROM schools.outbox WHERE tenant_county_id = $1 AND payload->>'campaign_id' = $2",
        county.id,
        campaign["id"],
    )
    assert sorted(e["type"] for e in events) == [
        "schools.campaign.launched",
        "schools.school_campaign.joined",
        "schools.school_campaign.joined",
    ]
    again = await app_client.post(f"/campaigns/{campaign['id']}/launch", headers=county["bureau"].headers)
    assert again.status_code == 409


async def test_a_school_onboarded_after_the_launch_joins_the_running_campaign(
    app_client, stack, county, worker
):
    result = await launched(app_client, county)
    newcomer = await make_school(stack.settings, county.id, f"late{secrets.token_hex(2)}")

    # The scheduler's every-minute job, through the broker and a real worker.
    import schools.domain.campaigns.jobs as jobs

    jobs.join_new_schools.send(str(county.id), None, period="test")
    try:
        for _ in range(600):  # the worker may first have other tests' jobs to do
            listed = await app_client.get(
                "/school-campaigns",
                params={"campaign_id": result["campaign"]["id"], "school_id": str(newcomer)},
                headers=county["bureau"].headers,
            )
            if listed.json():
                break
            await asyncio.sleep(0.1)
        assert [i["current_phase"] for i in listed.json()] == ["deployment"]
    finally:  # the other tests of the module count on the county's two active schools
        await app_client.post(
            f"/schools/{newcomer}/suspend", json={"reason": "测试结束"}, headers=county["bureau"].headers
        )


async def test_joining_is_idempotent_and_a_reactivated_school_joins_too(app_client, stack, county):
    result = await launched(app_client, county)
    bureau = county["bureau"].headers
    await app_client.post(
        f"/schools/{county.suspended}/reactivate", json={"reason": "恢复办学"}, headers=bureau
    )
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    tenant = TenantContext.for_county(county.id, actor="test")
    try:
        for _ in range(2):
            async with database.transaction(tenant) as session:
                await join_missing_schools(session, tenant)
    finally:
        await database.dispose()
        await app_client.post(
            f"/schools/{county.suspended}/suspend", json={"reason": "合并办学"}, headers=bureau
        )

    listed = await app_client.get(
        "/school-campaigns", params={"campaign_id": result["campaign"]["id"]}, headers=bureau
    )
    schools = [uuid.UUID(i["school_id"]) for i in listed.json()]
    assert {county.boarding, county.day, county.suspended} <= set(schools)
    assert len(schools) == len(set(schools))  # each school once, however often the job ran


async def test_a_launched_campaign_keeps_its_requirements_but_may_move_deadlines(app_client, county):
    campaign = (await launched(app_client, county))["campaign"]
    url, bureau = f"/campaigns/{campaign['id']}", county["bureau"].headers
    phases = [{"phase": p["phase"], "deadline": p["deadline"]} for p in campaign["phases"]]
    phases[0]["deadline"] = (TODAY + dt.timedelta(days=20)).isoformat()

    moved = await app_client.patch(url, json={"phases": phases, "title": "改名"}, headers=bureau)
    assert moved.status_code == 200, moved.text
    assert moved.json()["phases"][0]["deadline"] == phases[0]["deadline"]

    phases[0]["required"] = ["leading_group"]
    assert (await app_client.patch(url, json={"phases": phases}, headers=bureau)).status_code == 409
    later = (TODAY + dt.timedelta(days=1)).isoformat()
    assert (await app_client.patch(url, json={"start_date": later}, headers=bureau)).status_code == 409
    assert (await app_client.delete(url, headers=bureau)).status_code == 409


async def test_a_draft_can_be_deleted(app_client, county):
    bureau = county["bureau"].headers
    draft = (await app_client.post("/campaigns", json=campaign_body(), headers=bureau)).json()

    assert (await app_client.delete(f"/campaigns/{draft['id']}", headers=bureau)).status_code == 204
    assert (await app_client.get(f"/campaigns/{draft['id']}", headers=bureau)).status_code == 404


async def test_the_board_shows_every_school_by_phase_and_overdue_phases_in_red(app_client, county, clock):
    result = await launched(app_client, county, step=7)
    url = f"/campaigns/{result['campaign']['id']}/board"

    on_time = (await app_client.get(url, headers=county["bureau"].headers)).json()
    clock.set(TODAY + dt.timedelta(days=8))  # a day after the deployment deadline
    late = (await app_client.get(url, headers=county["bureau"].headers)).json()

    assert {r["school_id"] for r in on_time["rows"]} == {str(county.boarding), str(county.day)}
    assert on_time["overdue"] == 0
    assert late["overdue"] == 2 and late["today"] == (TODAY + dt.timedelta(days=8)).isoformat()
    row = next(r for r in late["rows"] if r["school_id"] == str(county.boarding))
    deployment = row["phases"][0]
    assert (deployment["status"], deployment["overdue"]) == ("open", True)
    assert (deployment["required_complete"], deployment["required_total"]) == (0, 4)
    assert next(p for p in late["by_phase"] if p["phase"] == "deployment") == {
        "phase": "deployment",
        "schools": 2,
        "overdue": 2,
    }


async def test_the_day_school_needs_fewer_remediation_measures(app_client, county):
    result = await launched(app_client, county)
    board = (
        await app_client.get(f"/campaigns/{result['campaign']['id']}/board", headers=county["bureau"].headers)
    ).json()

    totals = {r["school_id"]: r["phases"][2]["required_total"] for r in board["rows"]}
    assert totals == {str(county.boarding): 14, str(county.day): 13}  # no dormitory night inspections


async def test_ending_a_campaign_freezes_its_schools(app_client, county):
    result = await launched(app_client, county)
    campaign_id = result["campaign"]["id"]

    closed = await app_client.post(f"/campaigns/{campaign_id}/close", headers=county["bureau"].headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    attempt = await app_client.put(
        f"/school-campaigns/{result['instances'][county.boarding]}/leading-group",
        json={
            "leader_duties": "全面负责",
            "established_on": TODAY.isoformat(),
            "members": [{"name": "李", "role": "member", "duties": "协助"}],
        },
        headers=county["principal"].headers,
    )
    assert attempt.status_code == 409


async def test_another_countys_bureau_and_the_schools_staff_do_not_see_the_campaign(
    app_client, county, world
):
    campaign = (await launched(app_client, county))["campaign"]

    foreign = await app_client.get(f"/campaigns/{campaign['id']}", headers=world["bureau_y"].headers)
    assert foreign.status_code == 404
    listed = await app_client.get("/campaigns", headers=world["bureau_x"].headers)
    assert campaign["id"] not in {c["id"] for c in listed.json()}
    staff = await app_client.get("/school-campaigns", headers=county["principal"].headers)
    assert {i["school_id"] for i in staff.json()} == {str(county.boarding)}
