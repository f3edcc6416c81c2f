"""The API bits the portal's pages need: the phone report takes a title in the reporter's words, and the
principal lists the school's accounts to name as responsible person and checker."""

from __future__ import annotations

import io

import pytest

from tests.hazards.conftest import JPEG, PROBLEM, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")


async def test_the_phone_report_keeps_the_title_the_reporter_typed(hazards_client, hazards_world):
    w = hazards_world
    response = await hazards_client.post(
        "/hazards/quick",
        data={"category": "traffic", "area": "gate", "title": "校门口斑马线褪色", "place": "南门"},
        files={"photo": ("a.jpg", io.BytesIO(JPEG), "image/jpeg")},
        headers=w["guard_a"].headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "校门口斑马线褪色"


async def test_a_one_letter_title_is_refused_and_nothing_is_written(hazards_client, hazards_world):
    w = hazards_world
    before = (await hazards_client.get("/hazards", headers=w["principal_a"].headers)).json()["total"]
    response = await hazards_client.post(
        "/hazards/quick",
        data={"category": "traffic", "area": "gate", "title": "x"},
        headers=w["guard_a"].headers,
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith(PROBLEM)
    after = (await hazards_client.get("/hazards", headers=w["principal_a"].headers)).json()["total"]
    assert after == before


async def test_the_principal_lists_the_accounts_of_the_school_only(hazards_client, hazards_world):
    w = hazards_world
    response = await hazards_client.get("/assignees", headers=w["principal_a"].headers)
    assert response.status_code == 200, response.text
    people = {p["id"]: p for p in response.json()}
    for key, role in (
        ("principal_a", "principal"),
        ("teacher_a", "teacher"),
        ("teacher_a2", "teacher"),
        ("guard_a", "guard"),
    ):
        person = people[user_id(w[key])]
        assert person["name"] == w[key].username and person["roles"] == [role]
    others = {user_id(w[key]) for key in ("principal_b", "principal_c", "bureau_x")}
    assert not others & set(people)


@pytest.mark.parametrize("who", ["teacher_a", "guard_a", "bureau_x"])
async def test_only_the_principal_lists_the_assignees(hazards_client, hazards_world, who):
    response = await hazards_client.get("/assignees", headers=hazards_world[who].headers)
    assert response.status_code == 403


async def test_a_phone_report_from_a_patrol_is_that_patrols_finding(hazards_client, hazards_world):
    w = hazards_world
    started = await hazards_client.post(
        "/patrols", json={"kind": "investigation", "title": "期中集中排查"}, headers=w["teacher_a"].headers
    )
    assert started.status_code == 201, started.text
    patrol = started.json()
    response = await hazards_client.post(
        "/hazards/quick",
        data={"category": "lab_chemicals", "area": "labs", "patrol_id": patrol["id"]},
        headers=w["teacher_a"].headers,
    )
    assert response.status_code == 201, response.text
    assert (response.json()["source"], response.json()["patrol_id"]) == ("investigation", patrol["id"])
    detail = (await hazards_client.get(f"/patrols/{patrol['id']}", headers=w["teacher_a"].headers)).json()
    assert {a["area"]: a["hazards_found"] for a in detail["areas"]}["labs"] == 1

    other_school = await hazards_client.post(
        "/hazards/quick",
        data={"category": "lab_chemicals", "area": "labs", "patrol_id": patrol["id"]},
        headers=w["principal_b"].headers,
    )
    assert other_school.status_code == 422
    assert other_school.headers["content-type"].startswith(PROBLEM)
