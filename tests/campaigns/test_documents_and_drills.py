"""Management systems (a versioned register) and emergency plans with their drills."""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg
import pytest

from tenants.roles import app_role
from tests.campaigns.conftest import JPEG, PDF, TODAY, upload


def _version(file_id: str, effective: dt.date, approved: dt.date = TODAY, note: str = "") -> dict[str, str]:
    return {
        "file_id": file_id,
        "effective_on": effective.isoformat(),
        "approved_by": "校务会",
        "approved_on": approved.isoformat(),
        "change_note": note,
    }


async def test_a_management_system_keeps_every_version_and_says_which_is_in_force(app_client, county, clock):
    headers = county["principal"].headers
    first, second = (
        await upload(app_client, county["principal"]),
        await upload(app_client, county["principal"]),
    )
    title = f"门卫值班制度 {secrets.token_hex(2)}"
    created = await app_client.post(
        "/management-documents",
        json={
            "kind": "gate_duty",
            "title": title,
            "version": _version(first, TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=31)),
        },
        headers=headers,
    )
    url = f"/management-documents/{created.json()['id']}"
    revised = await app_client.post(
        f"{url}/versions",
        json=_version(second, TODAY + dt.timedelta(days=7), note="增加夜间值班"),
        headers=headers,
    )

    assert created.status_code == 201, created.text
    assert revised.status_code == 201, revised.text
    document = revised.json()
    assert [v["version"] for v in document["versions"]] == [1, 2]
    assert (document["state"], document["in_force"]["version"], document["latest_version"]) == (
        "in_force",
        1,
        2,
    )
    clock.set(TODAY + dt.timedelta(days=7))
    later = (await app_client.get(url, headers=county["guard"].headers)).json()
    assert later["in_force"]["version"] == 2 and later["in_force"]["change_note"] == "增加夜间值班"


async def test_a_version_takes_effect_after_its_approval_and_not_before(app_client, county):
    file_id = await upload(app_client, county["principal"])

    response = await app_client.post(
        "/management-documents",
        json={
            "kind": "security",
            "title": "安全保卫制度",
            "version": _version(file_id, TODAY - dt.timedelta(days=1)),
        },
        headers=county["principal"].headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["key"] == "version.effective_on"


async def test_the_same_system_is_registered_once(app_client, county):
    file_id = await upload(app_client, county["principal"])
    body = {
        "kind": "dormitory",
        "title": f"宿舍管理制度 {secrets.token_hex(2)}",
        "version": _version(file_id, TODAY),
    }

    first = await app_client.post("/management-documents", json=body, headers=county["principal"].headers)
    second = await app_client.post("/management-documents", json=body, headers=county["principal"].headers)

    assert (first.status_code, second.status_code) == (201, 409)


async def test_the_bureau_lists_every_schools_systems_and_a_school_only_its_own(app_client, county):
    file_id = await upload(app_client, county["day_principal"])
    await app_client.post(
        "/management-documents",
        json={
            "kind": "visitor_management",
            "title": f"外来人员管理制度 {secrets.token_hex(2)}",
            "version": _version(file_id, TODAY),
        },
        headers=county["day_principal"].headers,
    )

    bureau = await app_client.get(
        "/management-documents", params={"school_id": str(county.day)}, headers=county["bureau"].headers
    )
    other = await app_client.get("/management-documents", headers=county["principal"].headers)

    assert bureau.status_code == 200 and bureau.json()
    assert {d["school_id"] for d in bureau.json()} == {str(county.day)}
    assert str(county.day) not in {d["school_id"] for d in other.json()}


async def test_recorded_versions_cannot_be_changed_by_the_app(stack, county):
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role("schools"), "schools"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM schools.management_document_versions")
    finally:
        await conn.close()


async def _plan(app_client, user, kind: str = "fire") -> dict:
    response = await app_client.post(
        "/emergency-plans",
        json={
            "kind": kind,
            "title": f"应急预案 {secrets.token_hex(3)}",
            "responsible_name": "王校长",
            "approved_on": TODAY.isoformat(),
        },
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _drill(day: dt.date, **extra) -> dict:
    return {
        "held_on": day.isoformat(),
        "scenario": "教学楼二楼起火，全员疏散",
        "participants": 1200,
        "participant_groups": "全体师生",
        "evacuation_seconds": 185,
        "findings": "三楼东侧楼梯拥堵",
        **extra,
    }


async def test_a_plan_not_drilled_this_term_is_flagged_until_it_is(app_client, county):
    plan = await _plan(app_client, county["principal"])
    assert (plan["term"], plan["flag"], plan["drilled_this_term"]) == (
        "2026-spring",
        "not_drilled_this_term",
        False,
    )
    photo = await upload(app_client, county["teacher"], JPEG, "drill.jpg")

    last_term = await app_client.post(
        f"/emergency-plans/{plan['id']}/drills",
        json=_drill(dt.date(2025, 11, 20)),
        headers=county["teacher"].headers,
    )
    assert last_term.json()["flag"] == "not_drilled_this_term"
    this_term = await app_client.post(
        f"/emergency-plans/{plan['id']}/drills",
        json=_drill(TODAY - dt.timedelta(days=3), photo_ids=[photo]),
        headers=county["teacher"].headers,
    )

    assert this_term.status_code == 201, this_term.text
    detail = this_term.json()
    assert (detail["flag"], detail["drilled_this_term"], detail["drill_count"]) == (None, True, 2)
    newest = detail["drills"][0]
    assert (newest["evacuation_seconds"], newest["photos"][0]["filename"]) == (185, "drill.jpg")
    flagged = await app_client.get(
        "/emergency-plans", params={"undrilled": "true"}, headers=county["bureau"].headers
    )
    assert plan["id"] not in {p["id"] for p in flagged.json()}


async def test_a_drill_in_the_future_or_with_a_document_as_its_photo_is_refused(app_client, county):
    plan = await _plan(app_client, county["principal"], "earthquake")
    pdf = await upload(app_client, county["principal"], PDF)
    url = f"/emergency-plans/{plan['id']}/drills"

    future = await app_client.post(
        url, json=_drill(TODAY + dt.timedelta(days=1)), headers=county["principal"].headers
    )
    not_a_photo = await app_client.post(
        url, json=_drill(TODAY, photo_ids=[pdf]), headers=county["principal"].headers
    )
    nobody = await app_client.post(
        url, json=_drill(TODAY, participants=0), headers=county["principal"].headers
    )

    assert future.status_code == 422 and future.json()["errors"][0]["key"] == "held_on"
    assert not_a_photo.status_code == 422 and not_a_photo.json()["errors"][0]["key"] == "photo_ids[0]"
    assert nobody.status_code == 400
    detail = await app_client.get(f"/emergency-plans/{plan['id']}", headers=county["principal"].headers)
    assert detail.json()["drill_count"] == 0


async def test_a_plan_of_another_school_is_not_found(app_client, county):
    plan = await _plan(app_client, county["principal"], "intruder")

    read = await app_client.get(f"/emergency-plans/{plan['id']}", headers=county["day_principal"].headers)
    drill = await app_client.post(
        f"/emergency-plans/{plan['id']}/drills", json=_drill(TODAY), headers=county["day_principal"].headers
    )

    assert read.status_code == drill.status_code == 404


async def test_the_principal_updates_a_plan(app_client, county):
    plan = await _plan(app_client, county["principal"], "stampede")

    response = await app_client.patch(
        f"/emergency-plans/{plan['id']}",
        json={"responsible_name": "李副校长", "summary": "楼梯口分流"},
        headers=county["principal"].headers,
    )

    assert response.status_code == 200, response.text
    assert (response.json()["responsible_name"], response.json()["summary"]) == ("李副校长", "楼梯口分流")
