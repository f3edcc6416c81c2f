"""Listing supervision (the county's list holds every listed hazard until it is closed) and referral of
hazards beyond the school's power to outside departments (the bureau sees every referral)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.hazards.conftest import hazard_in, ok, report, today

pytestmark = pytest.mark.usefixtures("hazards_world")


def _listing(days: int = 15) -> dict[str, str]:
    return {
        "official": "县教育局 王科长",
        "deadline": (today() + dt.timedelta(days=days)).isoformat(),
        "note": "挂牌督办",
    }


async def _supervision(client, user) -> dict:
    response = await client.get("/supervision", headers=user.headers)
    assert response.status_code == 200
    return response.json()


async def test_a_listed_hazard_stays_on_the_countys_list_until_it_is_closed(hazards_client, hazards_world):
    w = hazards_world
    a = await hazard_in(hazards_client, w, "rectifying", title="挂牌督办 A")
    b = await report(hazards_client, w["principal_b"], title="挂牌督办 B", severity="major")
    b = await ok(hazards_client, w["principal_b"], b, "confirm")
    for h in (a, b):
        response = await hazards_client.post(
            f"/hazards/{h['id']}/listing", json=_listing(), headers=w["bureau_x"].headers
        )
        assert response.status_code == 200, response.text
    county = await _supervision(hazards_client, w["bureau_x"])
    ids = {i["hazard_id"] for i in county["items"]}
    assert {a["id"], b["id"]} <= ids
    row = next(i for i in county["items"] if i["hazard_id"] == a["id"])
    assert (row["official"], row["school_name"], row["status"]) == (
        "县教育局 王科长",
        w.school_codes[w.school_a][1],
        "rectifying",
    )
    school_a = await _supervision(hazards_client, w["principal_a"])
    assert a["id"] in {i["hazard_id"] for i in school_a["items"]} and b["id"] not in {
        i["hazard_id"] for i in school_a["items"]
    }
    assert not {a["id"], b["id"]} & {
        i["hazard_id"] for i in (await _supervision(hazards_client, w["bureau_y"]))["items"]
    }

    a = await ok(hazards_client, w["teacher_a"], a, "rectify", {"note": "已整改"})
    a = await ok(hazards_client, w["teacher_a2"], a, "verify")
    assert a["id"] in {i["hazard_id"] for i in (await _supervision(hazards_client, w["bureau_x"]))["items"]}
    await ok(hazards_client, w["bureau_x"], a, "sign-off")
    assert a["id"] not in {
        i["hazard_id"] for i in (await _supervision(hazards_client, w["bureau_x"]))["items"]
    }


async def test_only_the_bureau_lists_and_a_reported_hazard_cannot_be_listed(hazards_client, hazards_world):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    assert (
        await hazards_client.post(
            f"/hazards/{h['id']}/listing", json=_listing(), headers=w["principal_a"].headers
        )
    ).status_code == 403
    assert (
        await hazards_client.post(
            f"/hazards/{h['id']}/listing", json=_listing(), headers=w["bureau_x"].headers
        )
    ).status_code == 409


async def test_a_hazard_is_referred_and_the_departments_answer_recorded(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(
        hazards_client,
        w,
        "confirmed",
        title="校门口占道经营",
        category="surroundings_vendors",
        area="surroundings",
    )
    response = await hazards_client.post(
        f"/hazards/{h['id']}/referrals",
        json={"department": "urban_management", "department_name": "长岭县城管局", "note": "请协助清理"},
        headers=w["principal_a"].headers,
    )
    assert response.status_code == 201, response.text
    referral = response.json()
    assert (referral["status"], referral["hazard_number"]) == ("sent", h["number"])
    updated = await hazards_client.patch(
        f"/referrals/{referral['id']}",
        json={"status": "resolved", "reply": "已取缔"},
        headers=w["bureau_x"].headers,
    )
    assert updated.status_code == 200 and updated.json()["reply"] == "已取缔"
    final = await hazards_client.patch(
        f"/referrals/{referral['id']}", json={"status": "in_progress"}, headers=w["principal_a"].headers
    )
    assert final.status_code == 409
    detail = (await hazards_client.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()
    assert [r["status"] for r in detail["referrals"]] == ["resolved"]
    assert [e["action"] for e in detail["history"]][-2:] == ["refer", "referral_update"]
    county = (await hazards_client.get("/referrals?limit=200", headers=w["bureau_x"].headers)).json()
    assert referral["id"] in {r["id"] for r in county["items"]}
    assert referral["id"] not in {
        r["id"]
        for r in (await hazards_client.get("/referrals?limit=200", headers=w["principal_b"].headers)).json()[
            "items"
        ]
    }
    assert referral["id"] not in {
        r["id"]
        for r in (await hazards_client.get("/referrals?limit=200", headers=w["bureau_y"].headers)).json()[
            "items"
        ]
    }


async def test_a_closed_hazard_is_not_referred(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "closed")
    response = await hazards_client.post(
        f"/hazards/{h['id']}/referrals", json={"department": "fire_service"}, headers=w["principal_a"].headers
    )
    assert response.status_code == 409
