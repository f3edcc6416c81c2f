"""Rubrics through the API: the default rubric from the plan, drafts, publishing, versions, and bad rubrics
refused with nothing written."""

from __future__ import annotations

import copy

from sqlalchemy import text

from tenants import TenantContext
from tests.evaluation.conftest import PROBLEM, open_campaign, publish_default_rubric


async def _rubric_count(eval_db, county_id) -> int:
    async with eval_db.transaction(TenantContext.for_county(county_id)) as session:
        return int((await session.execute(text("select count(*) from evaluation.rubrics"))).scalar_one())


async def test_the_default_rubric_is_built_from_the_plan(eval_client, world):
    response = await eval_client.post("/rubrics/default", headers=world["bureau_x"].headers)
    assert response.status_code == 201
    rubric = response.json()
    assert rubric["status"] == "draft" and rubric["version"] == 1
    definition = rubric["definition"]
    assert sum(c["weight"] for c in definition["categories"]) == 100
    codes = {i["code"]: i for c in definition["categories"] for i in c["indicators"]}
    assert "110" in codes["sec.video"]["title"]
    assert codes["inv.closed_on_time"]["metric"] == "hazards.closed_on_time"
    vetoes = {v["code"]: v for v in definition["veto_items"]}
    assert vetoes["veto.major_accident"]["metric"] == "hazards.major_incidents"
    assert definition["grade_bands"] == {"excellent": 90, "good": 75, "pass": 60}


async def test_a_published_rubric_never_changes_and_a_new_version_is_a_draft_copy(eval_client, world):
    bureau = world["bureau_x"].headers
    draft = (await eval_client.post("/rubrics/default", headers=bureau)).json()
    edited = copy.deepcopy(draft["definition"])
    edited["title"] = "2026 版 / 2026 edition"
    edited["bonus_cap"] = 3
    replaced = await eval_client.put(f"/rubrics/{draft['id']}", json=edited, headers=bureau)
    assert replaced.status_code == 200 and replaced.json()["title"] == "2026 版 / 2026 edition"

    published = await eval_client.post(f"/rubrics/{draft['id']}/publish", headers=bureau)
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = await eval_client.put(f"/rubrics/{draft['id']}", json=draft["definition"], headers=bureau)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith(PROBLEM)
    assert (await eval_client.get(f"/rubrics/{draft['id']}", headers=bureau)).json()["definition"][
        "bonus_cap"
    ] == 3

    version = await eval_client.post(f"/rubrics/{draft['id']}/versions", headers=bureau)
    assert version.status_code == 201
    v2 = version.json()
    assert (v2["lineage_id"], v2["version"], v2["status"]) == (draft["lineage_id"], 2, "draft")
    assert v2["definition"] == published.json()["definition"]
    assert (await eval_client.post(f"/rubrics/{draft['id']}/versions", headers=bureau)).status_code == 409

    listed = (await eval_client.get("/rubrics", headers=bureau)).json()
    mine = [(r["version"], r["status"]) for r in listed if r["lineage_id"] == draft["lineage_id"]]
    assert mine == [(2, "draft"), (1, "published")]


async def test_a_rubric_that_breaks_the_rules_is_refused_and_nothing_is_written(eval_client, eval_db, world):
    bureau = world["bureau_x"].headers
    definition = (await eval_client.post("/rubrics/default", headers=bureau)).json()["definition"]
    before = await _rubric_count(eval_db, world.county_x)
    definition["categories"][0]["weight"] = 50  # the weights now add up to 135
    definition["categories"][1]["indicators"][1]["metric"] = "hazards.unknown"
    response = await eval_client.post("/rubrics", json=definition, headers=bureau)
    assert response.status_code == 422
    assert {e["key"] for e in response.json()["errors"]} == {
        "categories",
        "categories[1].indicators[1].metric",
    }
    malformed = await eval_client.post("/rubrics", json={"title": "x", "categories": "many"}, headers=bureau)
    assert malformed.status_code == 400
    assert await _rubric_count(eval_db, world.county_x) == before


async def test_only_a_published_rubric_scores_a_campaign(eval_client, world):
    bureau = world["bureau_x"].headers
    draft = (await eval_client.post("/rubrics/default", headers=bureau)).json()
    response = await eval_client.post(
        "/campaigns",
        json={"campaign_id": draft["id"], "title": "试点", "year": 2026, "rubric_id": draft["id"]},
        headers=bureau,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"key": "rubric_id", "message": "not published"}]


async def test_school_staff_read_their_countys_rubric_and_another_county_gets_404(eval_client, world):
    rubric_id = await publish_default_rubric(eval_client, world["bureau_x"])
    assert (
        await eval_client.get(f"/rubrics/{rubric_id}", headers=world["teacher_a"].headers)
    ).status_code == 200
    assert (
        await eval_client.get(f"/rubrics/{rubric_id}", headers=world["principal_c"].headers)
    ).status_code == 404
    assert (
        await eval_client.get(f"/rubrics/{rubric_id}", headers=world["bureau_y"].headers)
    ).status_code == 404


async def test_a_campaigns_rubric_changes_only_until_something_is_scored(eval_client, world, directory):
    bureau = world["bureau_x"].headers
    first = await publish_default_rubric(eval_client, world["bureau_x"])
    second = await publish_default_rubric(eval_client, world["bureau_x"])
    campaign = await open_campaign(eval_client, world["bureau_x"], first)
    changed = await eval_client.patch(f"/campaigns/{campaign}", json={"rubric_id": second}, headers=bureau)
    assert changed.status_code == 200 and changed.json()["rubric_id"] == second
    scored = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/org.deployment",
        json={"points": 4, "comment": "领导小组已成立"},
        headers=world["principal_a"].headers,
    )
    assert scored.status_code == 200, scored.text
    refused = await eval_client.patch(f"/campaigns/{campaign}", json={"rubric_id": first}, headers=bureau)
    assert refused.status_code == 409
