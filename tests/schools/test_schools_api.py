"""The schools API as each role sees it."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text

from kit.db import Database
from tenants import TenantContext
from tenants.roles import app_role

PROBLEM = "application/problem+json"


def new_school(**overrides):
    code = overrides.pop("code", f"n{secrets.token_hex(3)}")
    body = {
        "code": code,
        "name": "长岭县测试小学",
        "kind": "primary",
        "principal_name": "测试校长",
        "principal_email": f"{code}@test.example",
        "principal_username": f"{code}.principal",
        "boarding": False,
        "student_count": 300,
        "address": "长岭镇 1 号",
    }
    body.update(overrides)
    return body


async def _school_count(stack, county_id) -> int:
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(TenantContext.for_county(county_id)) as session:
            return int((await session.execute(text("select count(*) from schools.schools"))).scalar_one())
    finally:
        await database.dispose()


async def test_a_principal_reads_their_own_school(app_client, world):
    response = await app_client.get(f"/schools/{world.school_a}", headers=world["principal_a"].headers)
    assert response.status_code == 200
    assert response.json()["id"] == str(world.school_a)
    own = await app_client.get("/school", headers=world["principal_a"].headers)
    assert own.status_code == 200 and own.json()["id"] == str(world.school_a)


async def test_a_principal_of_school_a_gets_404_for_school_b(app_client, world):
    response = await app_client.get(f"/schools/{world.school_b}", headers=world["principal_a"].headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == 404


async def test_a_bureau_user_of_county_x_gets_404_for_county_y_schools(app_client, world):
    response = await app_client.get(f"/schools/{world.school_c}", headers=world["bureau_x"].headers)
    assert response.status_code == 404


async def test_the_bureau_list_holds_only_its_own_county(app_client, world):
    response = await app_client.get("/schools?limit=200", headers=world["bureau_x"].headers)
    assert response.status_code == 200
    page = response.json()
    ids = {item["id"] for item in page["items"]}
    assert {str(world.school_a), str(world.school_b)} <= ids
    assert str(world.school_c) not in ids
    assert {item["county_id"] for item in page["items"]} == {str(world.county_x)}
    assert page["total"] == len(page["items"])


async def test_school_staff_may_not_list_the_county(app_client, world):
    response = await app_client.get("/schools", headers=world["principal_a"].headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_the_county_is_readable_by_its_own_people_only(app_client, world):
    mine = await app_client.get("/county", headers=world["teacher_a"].headers)
    assert mine.status_code == 200 and mine.json()["id"] == str(world.county_x)
    other = await app_client.get("/county", headers=world["principal_c"].headers)
    assert other.json()["id"] == str(world.county_y)


async def test_the_bureau_onboards_a_school(app_client, world, stack):
    body = new_school()
    response = await app_client.post("/schools", json=body, headers=world["bureau_x"].headers)
    assert response.status_code == 201, response.text
    school = response.json()
    assert school["county_id"] == str(world.county_x)
    assert school["provisioning"]["status"] in ("pending", "done", "failed")
    assert response.headers["location"] == f"/schools/{school['id']}"
    again = await app_client.post("/schools", json=body, headers=world["bureau_x"].headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["key"] == "code"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"kind": "castle"}, "kind"),
        ({"principal_email": "not-an-email"}, "principal_email"),
        ({"student_count": -1}, "student_count"),
        ({"student_count": "many"}, "student_count"),
        ({"principal_username": "Has Spaces"}, "principal_username"),
        ({"name": ""}, "name"),
        ({"unexpected": 1}, None),
    ],
)
async def test_bad_input_gets_a_problem_and_writes_nothing(app_client, world, stack, change, key):
    before = await _school_count(stack, world.county_x)
    response = await app_client.post("/schools", json=new_school(**change), headers=world["bureau_x"].headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 400 and problem["title"]
    if key is not None:
        assert any(
            key in (e.get("key") or "") or key in (e.get("message") or "") for e in problem["errors"]
        ), problem
    assert await _school_count(stack, world.county_x) == before


async def test_malformed_json_and_wrong_media_type_get_a_problem(app_client, world):
    headers = {**world["bureau_x"].headers, "content-type": "application/json"}
    broken = await app_client.post("/schools", content=b"{not json", headers=headers)
    assert broken.status_code == 400 and broken.headers["content-type"].startswith(PROBLEM)
    array = await app_client.post("/schools", json=[1, 2], headers=world["bureau_x"].headers)
    assert array.status_code == 400


async def test_an_oversized_body_is_refused(app_client, world, stack):
    before = await _school_count(stack, world.county_x)
    huge = new_school(address="x" * 2_000_000)
    response = await app_client.post("/schools", json=huge, headers=world["bureau_x"].headers)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await _school_count(stack, world.county_x) == before


async def test_a_bad_path_id_is_a_404_not_a_500(app_client, world):
    response = await app_client.get("/schools/not-a-uuid", headers=world["bureau_x"].headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_the_bureau_updates_suspends_and_reactivates_a_school(app_client, world):
    headers = world["bureau_x"].headers
    created = (await app_client.post("/schools", json=new_school(), headers=headers)).json()
    url = f"/schools/{created['id']}"
    patched = await app_client.patch(url, json={"student_count": 420, "boarding": True}, headers=headers)
    assert patched.status_code == 200
    assert patched.json()["student_count"] == 420 and patched.json()["boarding"] is True
    assert (await app_client.patch(url, json={}, headers=headers)).status_code == 422
    assert (await app_client.patch(url, json={"principal_username": "x"}, headers=headers)).status_code == 400
    suspended = await app_client.post(f"{url}/suspend", json={"reason": "合并办学"}, headers=headers)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert (
        await app_client.post(f"{url}/suspend", json={"reason": "again"}, headers=headers)
    ).status_code == 409
    listed = await app_client.get("/schools?status=suspended&limit=200", headers=headers)
    assert created["id"] in {s["id"] for s in listed.json()["items"]}
    back = await app_client.post(f"{url}/reactivate", json={"reason": "恢复"}, headers=headers)
    assert back.json()["status"] == "active"


async def test_a_teacher_may_not_change_their_school(app_client, world):
    url = f"/schools/{world.school_a}"
    response = await app_client.patch(url, json={"name": "改名"}, headers=world["teacher_a"].headers)
    assert response.status_code == 403


async def test_search_escapes_wildcards(app_client, world):
    response = await app_client.get("/schools?q=%25", headers=world["bureau_x"].headers)
    assert response.status_code == 200
    assert response.json()["items"] == []
