# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""Duty and dormitories on a phone in Chromium: a guard checks in and out of today's gate duty from the
home page's card and the duty page; a female dormitory is inspected first."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

import httpx

from tests.personnel.conftest import new_campus, new_staff_user
from tests.portal.conftest import SCREENSHOTS, fresh_headers
from tests.portal.personnel_helpers import personnel_db, staffed  # noqa: F401 (fixtures)
from tests.portal.test_browser import PHONE, new_page, sign_in  # noqa: F401 (fixture)

LOCAL = ZoneInfo("Asia/Shanghai")


async def _as(stack, user, api_urls, method: str, path: str, **kwargs):
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.request(
            method, api_urls["personnel"] + path, headers=await fresh_headers(stack, user), **kwargs
        )
    assert answer.status_code < 300, answer.text
    return answer.json()


async def test_a_guard_checks_in_and_out_of_todays_duty_on_a_phone(
    new_page, world, stack, api_urls, personnel_db
):
    campus = await new_campus(stack, personnel_db, world.county_x, students=600, boarding=True)
    guard, guard_staff = await new_staff_user(
        stack, personnel_db, "guard", campus.county_id, campus.school_id, "冯保安"
    )
    gate = await _as(
        stack, campus.principal, api_urls, "POST", "/gates", json={"name": "北门", "kind": "main"}
    )
    now = dt.datetime.now(LOCAL)
    start = (now - dt.timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    end = (
        min(now + dt.timedelta(hours=1), now.replace(hour=23, minute=59))
        .time()
        .replace(second=0, microsecond=0)
    )
    shift = {
        "date": now.date().isoformat(),
        "peak": "arrival",
        "gate_id": gate["id"],
        "staff_id": str(guard_staff),
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
    }
    await _as(stack, campus.principal, api_urls, "POST", "/duty/shifts", json={"shifts": [shift]})
    dormitory = await _as(
        stack,
        campus.principal,
        api_urls,
        "POST",
        "/dormitories",
        json={"name": f"女生{secrets.token_hex(2)}楼", "occupants": "female", "roster_count": 30},
    )
    await _as(
        stack,
        campus.principal,
        api_urls,
        "POST",
        "/dormitories",
        json={"name": "男生楼", "occupants": "male", "roster_count": 30},
    )

    page = await new_page(PHONE)
    await sign_in(page, guard.username)
    card = page.locator("#duty-card-heading + ul .when")
    await card.wait_for()
    assert "北门" in await page.locator("#duty-card-heading ~ ul").inner_text()
    await page.click("button.check-in")
    await page.wait_for_url("**/duty#shift-*")
    assert await page.locator("#today-shifts li").get_attribute("data-status") == "checked_in"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "personnel-duty-360.png"), full_page=True)
    await page.click("button.check-out")
    await page.locator("#today-shifts li[data-status=completed]").wait_for()

    await page.click("nav.main-nav >> text=宿舍")
    first = page.locator("#tonight li").first
    assert await first.get_attribute("data-dormitory") == dormitory["id"]  # female first, flagged
    assert "priority" in (await first.get_attribute("class") or "")
    await first.locator("text=记录查寝").click()
    await page.fill("#f-present_count", "29")
    await page.fill("#f-absent_with_leave", "1")
    await page.click("button:has-text('保存查寝记录')")
    await page.wait_for_url("**/dormitories?recorded=*")
    assert "实到 29 人，请假 1 人，在册 30 人" in await page.locator("#recent").inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "personnel-dormitories-360.png"), full_page=True)
