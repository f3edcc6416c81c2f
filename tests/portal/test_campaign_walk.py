"""The campaign in Chromium: a principal walks the school from deployment to the end of the investigation —
every deployment deliverable through its form, the phase closed, the campus areas signed off on the hazards
service's patrol (their sign-offs reach the campaign as events), the investigation closed — while the
bureau's board, in a second browser, follows the school from phase to phase. Screenshots of the board, the
campaign page and a form at 360 px and 1280 px go to .data/screenshots/."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest

from tests.portal.campaign_helpers import JPEG, PDF, SchoolsApi, new_campaign_county, school_today
from tests.portal.conftest import SCREENSHOTS, fresh_headers
from tests.portal.test_browser import DESKTOP, PHONE, new_page, sign_in  # noqa: F401  (new_page: a fixture)

AREAS = [
    "gate", "teaching_buildings", "labs", "dormitories", "canteen", "playground_sports", "electrical_rooms",
    "surroundings",
]  # fmt: skip
#: The school's areas on its checklist (a day school has no dormitories to sign off for the campaign).
DAY_SCHOOL_AREAS = [area for area in AREAS if area != "dormitories"]
EVENTS_TIMEOUT = 45


async def _in_hazards_directory(stack: Any, county: Any) -> None:
    """The county's schools in the hazards service's directory, as its onboarding consumer puts them."""
    from kit.db import Database
    from tenants.roles import app_role
    from tests.hazards.conftest import _remember, _school_facts

    database = Database(stack.settings.sqlalchemy_url(app_role("hazards"), "hazards"), pool_size=1)
    try:
        for school in (county.school_a, county.school_b):
            code, name = await _school_facts(stack, county.id, school)
            await _remember(database, county.id, school, code, name)
    finally:
        await database.dispose()


async def _shoot(page: Any, name: str) -> None:
    """A full-page screenshot at desktop and phone width (the page is left at desktop width)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


async def _current_phase_on_board(board: Any, code: str) -> str:
    await board.reload()
    return str(await board.locator(f"tr[data-school='{code}']").get_attribute("data-current-phase"))


async def _hazards_call(stack: Any, url: str, user: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url + path, json=body, headers=await fresh_headers(stack, user))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


@pytest.mark.timeout(420)  # two sign-ins, a dozen forms and pages, events through the worker
async def test_a_principal_walks_from_deployment_to_the_end_of_investigation_and_the_board_follows(
    new_page,  # noqa: F811
    stack,
    api_urls,
    worker,
):
    county = await new_campaign_county(stack, "cpw")
    await _in_hazards_directory(stack, county)
    schools = SchoolsApi(stack, api_urls["schools"])
    campaign = await schools.launch(county["bureau"])
    instance = campaign["instances"][county.school_a]
    code = county.codes[county.school_a]
    today = school_today().isoformat()

    # the bureau's board, in its own browser: every school in deployment
    board = await new_page()
    await sign_in(board, county["bureau"].username, path=f"/campaign?campaign_id={campaign['id']}")
    assert await _current_phase_on_board(board, code) == "deployment"
    assert await board.locator("tr[data-school] >> nth=0").is_visible()

    # the principal opens the campaign from the menu
    page = await new_page()
    await sign_in(page, county["principal_a"].username)
    await page.click("nav.main-nav a[href='/campaign']")
    assert await page.locator("nav.main-nav a[href='/campaign']").inner_text() == "专项治理"
    await page.wait_for_url("**/campaign")
    assert await page.locator("#open-phase-title").inner_text() == "当前阶段：组织部署"
    await _shoot(page, "campaign-school-deployment")

    # closing too early: the page says what is missing, nothing changes
    await page.click("#close-phase")
    error = page.locator("#close-error")
    await error.wait_for()
    missing = await error.inner_text()
    for label in ("领导小组", "部署会议", "实施方案", "安全责任分工"):
        assert label in missing
    assert await page.locator("#open-phase-title").inner_text() == "当前阶段：组织部署"

    # the leading group: an empty form names the fields, then it is filled in
    await page.click("#leading_group >> text=填写")
    await page.wait_for_url(f"**/campaign/schools/{instance}/leading-group")
    await page.click("button:has-text('保存领导小组')")
    assert await page.locator("#e-leader_duties").inner_text() == "此项为必填项。"
    assert await page.locator("#e-members-0-name").is_visible()
    await _shoot(page, "campaign-form-leading-group-errors")
    await page.fill("#f-leader_duties", "全面负责学校安全专项治理工作")
    await page.fill("#f-established_on", today)
    await page.fill("#f-members-0-name", "王副校长")
    await page.select_option("#f-members-0-role", "deputy_leader")
    await page.fill("#f-members-0-position", "副校长")
    await page.fill("#f-members-0-duties", "负责排查整治的日常组织")
    await page.fill("#f-members-1-name", "李老师")
    await page.fill("#f-members-1-duties", "负责校门值守安排")
    await page.click("button:has-text('保存领导小组')")
    await page.wait_for_url(re.compile(r"saved=leading_group"))
    assert "已完成" in await page.locator("#leading_group .badge").inner_text()

    # the deployment meeting, with its minutes as an attachment
    await page.click("#deployment_meeting >> text=填写")
    await page.fill("#f-title", "校园安全专项治理部署会")
    await page.fill("#f-held_on", today)
    await page.fill("#f-attendees", "王校长\n王副校长\n李老师")
    await page.fill("#f-minutes", "传达县教育局通知，部署五个阶段的工作。")
    await page.set_input_files(
        "#f-attachment", files=[{"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("button:has-text('保存会议')")
    await page.wait_for_url(re.compile(r"saved=deployment_meeting"))

    # the implementation plan (a document) and the responsibility assignments
    await page.click("#implementation_plan >> text=填写")
    await page.fill("#f-title", "学校安全专项治理实施方案")
    await page.fill("#f-adopted_on", today)
    await page.set_input_files(
        "#f-file", files=[{"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("button:has-text('保存方案')")
    await page.wait_for_url(re.compile(r"saved=implementation_plan"))
    await page.click("#responsibility_assignments >> text=填写")
    await page.fill("#f-assignments-0-duty", "校门安全")
    await page.fill("#f-assignments-0-responsible_name", "李老师")
    await page.fill("#f-assignments-1-duty", "食堂卫生")
    await page.fill("#f-assignments-1-responsible_name", "赵老师")
    await page.click("button:has-text('保存分工')")
    await page.wait_for_url(re.compile(r"saved=responsibility_assignments"))

    # the plan's document comes back through the portal
    link = page.locator("#recorded-deployment a[href^='/campaign/files/'] >> text=实施方案.pdf")
    download = await page.request.get(await link.get_attribute("href"))
    assert download.status == 200 and await download.body() == PDF

    # deployment closes; the investigation waits for the hazards service's sign-offs
    await page.click("#close-phase")
    await page.wait_for_url(re.compile(r"saved=closed"))
    assert await page.locator("#open-phase-title").inner_text() == "当前阶段：摸底排查"
    checklist = page.locator("#recorded-investigation .checklist .area")
    assert await checklist.count() == len(DAY_SCHOOL_AREAS)
    assert await page.locator("#recorded-investigation .area.waiting").count() == len(DAY_SCHOOL_AREAS)
    assert "等待" in await page.locator("#area_checklist .badge").inner_text()
    assert await _current_phase_on_board(board, code) == "investigation"

    # the campus areas are signed off on the hazards service's investigation patrol
    hazards = api_urls["hazards"]
    patrol = await _hazards_call(
        stack,
        hazards,
        county["teacher_a"],
        "/patrols",
        {"kind": "investigation", "title": "集中排查", "campaign_id": instance},
    )
    for area in AREAS:
        await _hazards_call(
            stack,
            hazards,
            county["teacher_a"],
            f"/patrols/{patrol['id']}/sign-offs",
            {"area": area, "findings": "未发现问题"},
        )
    await _hazards_call(
        stack, hazards, county["principal_a"], f"/patrols/{patrol['id']}/submit", {"summary": "排查完毕"}
    )

    # the principal's page shows them once the events have arrived
    deadline = time.monotonic() + EVENTS_TIMEOUT
    while True:
        await page.reload()
        signed = await page.locator("#recorded-investigation .area.signed").count()
        reported = await page.locator("#investigation_report.state-complete").count()
        if (signed, reported) == (len(DAY_SCHOOL_AREAS), 1):
            break
        assert time.monotonic() < deadline, f"{signed} areas signed off, report {reported}"
        await asyncio.sleep(1)
    assert "已完成" in await page.locator("#area_checklist .badge").inner_text()
    await page.click("#close-phase")
    await page.wait_for_url(re.compile(r"saved=closed"))
    assert await page.locator("#open-phase-title").inner_text() == "当前阶段：集中整治"
    await _shoot(page, "campaign-school-remediation")

    # the board has followed the school; the other school is still in deployment
    assert await _current_phase_on_board(board, code) == "remediation"
    assert await _current_phase_on_board(board, county.codes[county.school_b]) == "deployment"
    row = board.locator(f"tr[data-school='{code}']")
    assert await row.locator("td[data-phase=deployment].cell-closed").count() == 1
    assert await row.locator("td[data-phase=investigation].cell-closed").count() == 1
    await _shoot(board, "campaign-county-board")
    await board.click(f"tr[data-school='{code}'] th a")
    await board.wait_for_url(f"**/campaign/schools/{instance}")
    history = await board.locator("table.history").inner_text()
    assert history.count("关闭") >= 2


@pytest.mark.timeout(300)
async def test_a_principal_keeps_the_management_systems_and_drills_on_a_phone(
    new_page,  # noqa: F811
    stack,
):
    county = await new_campaign_county(stack, "cpd")
    today = school_today().isoformat()
    page = await new_page(PHONE)
    await sign_in(page, county["principal_a"].username, path="/documents")
    await page.select_option("#f-kind", "visitor_management")
    await page.fill("#f-title", "外来人员登记管理制度")
    await page.fill("#f-effective_on", today)
    await page.fill("#f-approved_by", "校务委员会")
    await page.fill("#f-approved_on", today)
    await page.set_input_files(
        "#f-file", files=[{"name": "制度.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("button:has-text('登记')")
    await page.wait_for_url(re.compile(r"/documents/[0-9a-f-]+\?saved=1"))
    assert "现行第 1 版" in await page.locator("main").inner_text()
    await page.click("text=返回管理制度")
    assert "外来人员管理" in await page.locator("table.documents").inner_text()
    await _shoot(page, "campaign-documents")

    await page.goto("/drills")
    await page.select_option("#f-kind", "earthquake")
    await page.fill("#f-title", "地震应急疏散预案")
    await page.fill("#f-responsible_name", "王校长")
    await page.click("button:has-text('保存预案')")
    await page.wait_for_url(re.compile(r"saved=plan"))
    assert await page.locator(".notice-warning .overdue-marker").inner_text() == "⚠ 本学期未演练"
    await page.fill("#f-held_on", today)
    await page.fill("#f-scenario", "课间突发地震，全校疏散到操场")
    await page.fill("#f-participants", "512")
    await page.fill("#f-evacuation_seconds", "240")
    await page.set_input_files(
        "#f-photos", files=[{"name": "疏散.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    await page.click("button:has-text('保存演练记录')")
    await page.wait_for_url(re.compile(r"saved=drill"))
    assert await page.locator(".notice-warning").count() == 0
    assert await page.locator("article.drill .photos img").get_attribute("alt") == "疏散.jpg"
    await _shoot(page, "campaign-drill")
