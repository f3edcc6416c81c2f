"""The hazard register: numbers, the phone report, photos (checked by content, served only to their tenant),
what each role sees, and bad input that never writes anything."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import text

from tenants import TenantContext
from tests.hazards.conftest import JPEG, PNG, PROBLEM, hazard_in, report, today, upload, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")


async def _count(db, county_id, school_id) -> int:
    async with db.transaction(TenantContext.for_school(county_id, school_id)) as session:
        return int((await session.execute(text("select count(*) from hazards.hazards"))).scalar_one())


async def test_numbers_are_per_school_and_year_and_gap_free(hazards_client, hazards_world):
    w = hazards_world
    first = await report(hazards_client, w["teacher_a"])
    second = await report(hazards_client, w["guard_a"])
    other_school = await report(hazards_client, w["principal_b"])
    code_a = w.school_codes[w.school_a][0].upper()
    pattern = re.compile(rf"^{code_a}-{today().year}-(\d{{4}})$")
    assert pattern.match(first["number"]) and pattern.match(second["number"])
    assert int(second["number"][-4:]) == int(first["number"][-4:]) + 1
    assert other_school["number"].startswith(w.school_codes[w.school_b][0].upper() + "-")


async def test_a_teacher_reports_from_a_phone_with_a_photo_in_one_request(
    hazards_client, hazards_world, file_store
):
    w = hazards_world
    response = await hazards_client.post(
        "/hazards/quick",
        data={"category": "electrical", "area": "dormitories", "place": "3号宿舍楼二层", "note": "插座烧焦"},
        files={"photo": ("IMG_0001.jpg", io.BytesIO(JPEG), "image/jpeg")},
        headers=w["teacher_a"].headers,
    )
    assert response.status_code == 201, response.text
    h = response.json()
    assert (h["status"], h["source"], h["category"], h["area"]) == (
        "reported",
        "staff_report",
        "electrical",
        "dormitories",
    )
    assert h["title"] == "用电：3号宿舍楼二层"
    assert [p["stage"] for p in h["photos"]] == ["before"]
    photo = await hazards_client.get(h["photos"][0]["url"], headers=w["principal_a"].headers)
    assert photo.status_code == 200
    assert photo.content == JPEG and photo.headers["content-type"] == "image/jpeg"


async def test_a_photo_is_checked_by_its_content_not_its_name(hazards_client, hazards_world):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    fake = await upload(hazards_client, w["teacher_a"], h, b"MZ\x90\x00 this is an executable" * 10)
    assert fake.status_code == 415
    assert fake.headers["content-type"].startswith(PROBLEM)
    empty = await hazards_client.post(
        f"/hazards/{h['id']}/photos", data={"stage": "before"}, files={"file": ("a.jpg", io.BytesIO(b""), "image/jpeg")},
        headers=w["teacher_a"].headers,
    )  # fmt: skip
    assert empty.status_code == 422
    png = await upload(hazards_client, w["teacher_a"], h, PNG)
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"
    after = await upload(hazards_client, w["teacher_a"], h, JPEG, stage="after")
    assert after.status_code == 409  # after-photos belong to a rectification
    detail = (await hazards_client.get(f"/hazards/{h['id']}", headers=w["teacher_a"].headers)).json()
    assert len(detail["photos"]) == 1


async def test_a_photo_larger_than_the_limit_is_refused(hazards_client, hazards_world):
    from hazards.web import MAX_PHOTO_BYTES

    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    response = await upload(hazards_client, w["teacher_a"], h, JPEG + b"\x00" * MAX_PHOTO_BYTES)
    assert response.status_code == 413


async def test_a_photo_of_school_a_answers_404_to_school_b_and_to_another_county(
    hazards_client, hazards_world
):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    photo = (await upload(hazards_client, w["teacher_a"], h)).json()
    for user in ("principal_b", "principal_c", "bureau_y"):
        response = await hazards_client.get(photo["url"], headers=w[user].headers)
        assert response.status_code == 404, user
    missing = await hazards_client.get(f"/photos/{uuid.uuid4()}", headers=w["principal_b"].headers)
    assert missing.json()["detail"] == response.json()["detail"]
    assert (await hazards_client.get(photo["url"], headers=w["bureau_x"].headers)).status_code == 200


async def test_a_teacher_of_school_a_gets_404_for_a_hazard_of_school_b(hazards_client, hazards_world):
    w = hazards_world
    h = await report(hazards_client, w["principal_b"])
    assert (
        await hazards_client.get(f"/hazards/{h['id']}", headers=w["teacher_a"].headers)
    ).status_code == 404
    response = await hazards_client.post(
        f"/hazards/{h['id']}/confirm", json={}, headers=w["principal_a"].headers
    )
    assert response.status_code == 404
    assert (await hazards_client.get(f"/hazards/{h['id']}", headers=w["bureau_y"].headers)).status_code == 404
    assert (await hazards_client.get(f"/hazards/{h['id']}", headers=w["bureau_x"].headers)).status_code == 200


async def test_the_register_lists_the_schools_hazards_and_the_bureau_sees_its_county(
    hazards_client, hazards_world
):
    w = hazards_world
    mine = await report(hazards_client, w["teacher_a"], title="独有的隐患标题 A1")
    theirs = await report(hazards_client, w["principal_b"], title="独有的隐患标题 B1")
    listed = (
        await hazards_client.get("/hazards?q=独有的隐患标题&limit=200", headers=w["teacher_a"].headers)
    ).json()
    assert {i["id"] for i in listed["items"]} == {mine["id"]}
    county = (
        await hazards_client.get("/hazards?q=独有的隐患标题&limit=200", headers=w["bureau_x"].headers)
    ).json()
    assert {i["id"] for i in county["items"]} >= {mine["id"], theirs["id"]}
    one = await hazards_client.get(
        f"/hazards?school_id={w.school_b}&q=独有的隐患标题", headers=w["bureau_x"].headers
    )
    assert {i["school_id"] for i in one.json()["items"]} == {str(w.school_b)}
    other_county = (
        await hazards_client.get("/hazards?q=独有的隐患标题", headers=w["bureau_y"].headers)
    ).json()
    assert other_county["items"] == []


async def test_filters_by_status_and_overdue(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying", title="筛选测试")
    rectifying = (
        await hazards_client.get("/hazards?status=rectifying&limit=200", headers=w["principal_a"].headers)
    ).json()
    assert h["id"] in {i["id"] for i in rectifying["items"]}
    overdue = (
        await hazards_client.get("/hazards?overdue=true&limit=200", headers=w["principal_a"].headers)
    ).json()
    assert h["id"] not in {i["id"] for i in overdue["items"]}
    bad = await hazards_client.get("/hazards?status=burning", headers=w["principal_a"].headers)
    assert bad.status_code == 400


async def test_the_bureau_reports_a_finding_of_its_inspection_for_a_named_school(
    hazards_client, hazards_world
):
    w = hazards_world
    h = await report(hazards_client, w["bureau_x"], school_id=str(w.school_b), source="bureau_inspection")
    assert (h["school_id"], h["source"]) == (str(w.school_b), "bureau_inspection")
    response = await hazards_client.post(
        "/hazards",
        json={"title": "无学校", "category": "fire", "area": "gate"},
        headers=w["bureau_x"].headers,
    )
    assert response.status_code == 422
    foreign = await hazards_client.post(
        "/hazards",
        json={"title": "别县学校", "category": "fire", "area": "gate", "school_id": str(w.school_c)},
        headers=w["bureau_x"].headers,
    )
    assert foreign.status_code == 404  # Postgres refuses a row of another county


async def test_school_staff_report_only_for_their_own_school_and_nothing_is_written(
    hazards_client, hazards_world, hazards_db
):
    w = hazards_world
    before = await _count(hazards_db, w.county_x, w.school_b)
    response = await hazards_client.post(
        "/hazards",
        json={"title": "替别校上报", "category": "fire", "area": "gate", "school_id": str(w.school_b)},
        headers=w["teacher_a"].headers,
    )
    assert response.status_code == 422
    bad_source = await hazards_client.post(
        "/hazards",
        json={"title": "冒充教育局", "category": "fire", "area": "gate", "source": "bureau_inspection"},
        headers=w["teacher_a"].headers,
    )
    assert bad_source.status_code == 422
    half_point = await hazards_client.post(
        "/hazards", json={"title": "半个坐标", "category": "fire", "area": "gate", "latitude": 44.2},
        headers=w["teacher_a"].headers,
    )  # fmt: skip
    assert half_point.status_code == 422
    assert await _count(hazards_db, w.county_x, w.school_b) == before


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x", "category": "fire", "area": "gate"},
        {"title": "未知类别", "category": "earthquake", "area": "gate"},
        {"title": "纬度越界", "category": "fire", "area": "gate", "latitude": 91, "longitude": 120},
        {"title": "多余字段", "category": "fire", "area": "gate", "status": "closed"},
        {"category": "fire", "area": "gate"},
    ],
)
async def test_bad_input_gets_a_problem_response_not_a_500(hazards_client, hazards_world, body):
    response = await hazards_client.post("/hazards", json=body, headers=hazards_world["teacher_a"].headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_a_map_point_is_kept(hazards_client, hazards_world):
    h = await report(hazards_client, hazards_world["teacher_a"], latitude=44.2761, longitude=123.9712)
    assert (h["latitude"], h["longitude"]) == (44.2761, 123.9712)


async def test_the_reporter_is_the_verified_caller(hazards_client, hazards_world):
    h = await report(hazards_client, hazards_world["guard_a"])
    assert h["reported_by"] == {
        "id": user_id(hazards_world["guard_a"]),
        "name": hazards_world["guard_a"].username,
    }
