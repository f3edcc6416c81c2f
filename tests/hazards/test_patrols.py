"""Investigation patrols: every campus area and the surroundings signed off by a named inspector with the
findings, without leaving dead ends; the sign-offs and the report reach the campaign as events."""

from __future__ import annotations

import uuid

import pytest

from tests.hazards.conftest import outbox_events, report, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")
AREAS = [
    "gate", "teaching_buildings", "labs", "dormitories", "canteen", "playground_sports", "electrical_rooms",
    "surroundings",
]  # fmt: skip


async def _start(client, user, **body):
    response = await client.post(
        "/patrols", json={"kind": "investigation", "title": "集中排查", **body}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _sign(client, user, patrol, area, findings="未发现问题"):
    return await client.post(
        f"/patrols/{patrol['id']}/sign-offs", json={"area": area, "findings": findings}, headers=user.headers
    )


async def test_an_investigation_covers_every_area_and_is_submitted_once_all_are_signed_off(
    hazards_client, hazards_world, hazards_db
):
    w = hazards_world
    campaign = uuid.uuid4()
    patrol = await _start(hazards_client, w["principal_a"], campaign_id=str(campaign))
    assert [a["area"] for a in patrol["areas"]] == AREAS
    found = await report(
        hazards_client, w["teacher_a"], area="labs", category="lab_chemicals", patrol_id=patrol["id"]
    )
    assert found["source"] == "investigation" and found["patrol_id"] == patrol["id"]
    for area in AREAS[:-1]:
        response = await _sign(
            hazards_client, w["teacher_a"], patrol, area, "危化品柜未上锁" if area == "labs" else "无"
        )
        assert response.status_code == 200, response.text
    early = await hazards_client.post(
        f"/patrols/{patrol['id']}/submit", json={"summary": "排查完毕"}, headers=w["principal_a"].headers
    )
    assert early.status_code == 409
    assert "surroundings" in early.json()["detail"]
    assert (
        await _sign(hazards_client, w["guard_a"], patrol, "surroundings", "校门外有流动摊贩")
    ).status_code == 200
    submitted = await hazards_client.post(
        f"/patrols/{patrol['id']}/submit",
        json={"summary": "排查完毕，发现隐患 1 处"},
        headers=w["principal_a"].headers,
    )
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted" and body["hazards_found"] == 1
    labs = next(a for a in body["areas"] if a["area"] == "labs")
    assert (labs["inspector_id"], labs["findings"], labs["hazards_found"]) == (
        user_id(w["teacher_a"]),
        "危化品柜未上锁",
        1,
    )

    signed = await outbox_events(
        hazards_db, w.county_x, w.school_a, "hazards.patrol.area_signed_off", patrol_id=patrol["id"]
    )
    assert [e["area"] for e in signed] == AREAS
    assert {e["campaign_id"] for e in signed} == {str(campaign)}
    assert signed[-1]["areas_signed_off"] == 8 and signed[-1]["inspector_name"] == w["guard_a"].username
    report_event = await outbox_events(
        hazards_db, w.county_x, w.school_a, "hazards.patrol.submitted", patrol_id=patrol["id"]
    )
    assert len(report_event) == 1 and report_event[0]["hazards_found"] == 1


async def test_an_area_is_signed_off_once_and_a_submitted_patrol_no_more(hazards_client, hazards_world):
    w = hazards_world
    patrol = await _start(hazards_client, w["teacher_a"])
    assert (await _sign(hazards_client, w["teacher_a"], patrol, "gate")).status_code == 200
    assert (await _sign(hazards_client, w["teacher_a2"], patrol, "gate")).status_code == 409
    bad = await hazards_client.post(
        f"/patrols/{patrol['id']}/sign-offs",
        json={"area": "roof", "findings": "x"},
        headers=w["teacher_a"].headers,
    )
    assert bad.status_code == 400


async def test_a_daily_patrol_covers_the_areas_it_names(hazards_client, hazards_world):
    w = hazards_world
    response = await hazards_client.post(
        "/patrols",
        json={"kind": "daily", "title": "午间巡查", "areas": ["canteen", "gate"]},
        headers=w["teacher_a"].headers,
    )
    assert response.status_code == 201
    patrol = response.json()
    assert [a["area"] for a in patrol["areas"]] == ["gate", "canteen"]
    assert (await _sign(hazards_client, w["teacher_a"], patrol, "labs")).status_code == 422
    none = await hazards_client.post(
        "/patrols", json={"kind": "daily", "title": "空巡查"}, headers=w["teacher_a"].headers
    )
    assert none.status_code == 422
    partial = await hazards_client.post(
        "/patrols",
        json={"kind": "investigation", "title": "漏项排查", "areas": ["gate"]},
        headers=w["teacher_a"].headers,
    )
    assert partial.status_code == 422


async def test_the_bureau_sees_the_patrols_of_its_county_and_school_b_does_not_see_school_a(
    hazards_client, hazards_world
):
    w = hazards_world
    patrol = await _start(hazards_client, w["principal_a"], title="县局可见的排查")
    assert (
        await hazards_client.get(f"/patrols/{patrol['id']}", headers=w["principal_b"].headers)
    ).status_code == 404
    assert (await _sign(hazards_client, w["principal_b"], patrol, "gate")).status_code == 404
    assert (
        await hazards_client.get(f"/patrols/{patrol['id']}", headers=w["bureau_y"].headers)
    ).status_code == 404
    listed = (
        await hazards_client.get(f"/patrols?school_id={w.school_a}&limit=200", headers=w["bureau_x"].headers)
    ).json()
    assert patrol["id"] in {p["id"] for p in listed["items"]}


async def test_a_hazard_cannot_join_another_schools_patrol(hazards_client, hazards_world):
    w = hazards_world
    patrol = await _start(hazards_client, w["principal_a"])
    response = await hazards_client.post(
        "/hazards",
        json={"title": "借用别校巡查", "category": "fire", "area": "gate", "patrol_id": patrol["id"]},
        headers=w["principal_b"].headers,
    )
    assert response.status_code == 422
