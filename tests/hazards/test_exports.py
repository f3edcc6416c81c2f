"""Exports: the register as XLSX (a school's, the county's with a summary per school) that opens in openpyxl
with the right rows; a one-page PDF rectification notice per hazard."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib

import pytest
from openpyxl import load_workbook

from tests.hazards.conftest import FreshSchool, fresh_school, ok, today, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
async def school_e(stack, hazards_world, hazards_db) -> FreshSchool:
    return await fresh_school(stack, hazards_world.county_x, hazards_db)


@pytest.fixture(scope="module")
async def three_hazards(hazards_client, school_e):
    e = school_e

    async def new(title, **extra):
        body = {"title": title, "category": "fire", "area": "canteen", "location_text": "后厨"} | extra
        response = await hazards_client.post("/hazards", json=body, headers=e.teacher.headers)
        assert response.status_code == 201
        return response.json()

    first = await new("灭火器压力不足")
    second = await new("电线私拉乱接", category="electrical", area="dormitories", severity="major")
    third = await new("楼梯扶手松动", category="buildings_facilities", area="teaching_buildings")
    second = await ok(hazards_client, e.principal, second, "confirm")
    second = await ok(hazards_client, e.principal, second, "assign", {
        "responsible_id": user_id(e.teacher), "responsible_name": "赵老师", "plan": "拆除私拉电线，更换插座",
        "deadline": (today() + dt.timedelta(days=5)).isoformat(), "containment": "断电",
    })  # fmt: skip
    return [first, second, third]


def _pages(pdf: bytes) -> int:
    """How many page objects a PDF holds, looking into its compressed object streams too."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-z])", chunk)) for chunk in chunks)


def _sheet(content: bytes, name: str):
    return load_workbook(io.BytesIO(content), read_only=True)[name]


async def test_the_school_register_opens_in_openpyxl_with_one_row_per_hazard(
    hazards_client, school_e, three_hazards
):
    response = await hazards_client.get("/exports/register.xlsx", headers=school_e.principal.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(XLSX)
    assert re.search(
        rf'filename="hazard-register-{school_e.code}-.*\.xlsx"', response.headers["content-disposition"]
    )
    rows = list(_sheet(response.content, "隐患台账").iter_rows(values_only=True))
    assert rows[0][:9] == ("隐患编号", "学校", "隐患名称", "类别", "区域", "具体位置", "等级", "来源", "状态")
    body = {row[0]: row for row in rows[1:]}
    assert set(body) == {h["number"] for h in three_hazards}
    second = body[three_hazards[1]["number"]]
    named = dict(zip(rows[0], second, strict=True))
    assert (named["学校"], named["隐患名称"], named["类别"], named["区域"], named["等级"], named["状态"]) == (
        school_e.name, "电线私拉乱接", "用电", "宿舍", "重大隐患", "整改中",
    )  # fmt: skip
    assert (named["整改责任人"], named["临时管控措施"], named["是否逾期"]) == ("赵老师", "断电", "否")
    assert named["整改期限"].date() == dt.date.fromisoformat(three_hazards[1]["deadline"])
    assert isinstance(named["上报时间"], dt.datetime)


async def test_the_county_register_holds_every_school_of_the_county_and_a_summary(
    hazards_client, hazards_world, school_e, three_hazards
):
    w = hazards_world
    response = await hazards_client.get("/exports/register.xlsx?lang=en", headers=w["bureau_x"].headers)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Register", "Summary"]
    rows = list(workbook["Register"].iter_rows(values_only=True))
    assert rows[0][0] == "Number" and rows[0][1] == "School"
    numbers = {r[0] for r in rows[1:]}
    assert {h["number"] for h in three_hazards} <= numbers
    schools = {r[1] for r in rows[1:]}
    assert school_e.name in schools and w.school_codes[w.school_c][1] not in schools
    summary = {r[0]: r for r in list(workbook["Summary"].iter_rows(values_only=True))[1:]}
    assert summary[school_e.name][1:3] == (3, 3)  # reported this year, open

    other = await hazards_client.get("/exports/register.xlsx", headers=w["bureau_y"].headers)
    other_numbers = {r[0] for r in list(_sheet(other.content, "隐患台账").iter_rows(values_only=True))[1:]}
    assert not other_numbers & numbers


async def test_the_register_is_for_the_principal_and_the_bureau(hazards_client, hazards_world):
    assert (
        await hazards_client.get("/exports/register.xlsx", headers=hazards_world["teacher_a"].headers)
    ).status_code == 403


async def test_a_rectification_notice_is_a_one_page_pdf(
    hazards_client, hazards_world, school_e, three_hazards
):
    hazard = three_hazards[1]
    response = await hazards_client.get(
        f"/hazards/{hazard['id']}/notice.pdf", headers=school_e.principal.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hazard["number"] in response.headers["content-disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert _pages(pdf) == 1
    english = await hazards_client.get(
        f"/hazards/{hazard['id']}/notice.pdf?lang=en", headers=hazards_world["bureau_x"].headers
    )
    assert english.status_code == 200 and english.content.startswith(b"%PDF-")
    assert (
        await hazards_client.get(
            f"/hazards/{hazard['id']}/notice.pdf", headers=hazards_world["principal_b"].headers
        )
    ).status_code == 404


async def test_a_notice_with_very_long_texts_still_fits_one_page(hazards_client, school_e):
    long = "消防通道被杂物长期占用，" * 300
    response = await hazards_client.post(
        "/hazards",
        json={"title": "长文本" * 30, "category": "fire", "area": "canteen", "description": long[:4000]},
        headers=school_e.teacher.headers,
    )
    hazard = response.json()
    notice = await hazards_client.get(
        f"/hazards/{hazard['id']}/notice.pdf", headers=school_e.principal.headers
    )
    assert notice.status_code == 200
    assert _pages(notice.content) == 1
