# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The principal's staff pages in Chromium: inviting a teacher on a phone (bad input first), the staff list
at phone and desktop widths, and the personnel pages in English."""

from __future__ import annotations

import secrets

from tests.portal.conftest import SCREENSHOTS
from tests.portal.personnel_helpers import personnel_db, staffed  # noqa: F401 (fixtures)
from tests.portal.test_browser import CJK, DESKTOP, PHONE, new_page, sign_in, visible_labels  # noqa: F401


async def test_the_principal_invites_a_teacher_on_a_phone_and_sees_the_account_being_made(
    new_page, world, staffed, worker
):
    page = await new_page(PHONE)
    await sign_in(page, world["principal_a"].username, path="/staff")
    await page.click("text=邀请教师或保安")
    await page.wait_for_url("**/staff/invite")
    await page.click("button:has-text('发出邀请')")
    assert await page.locator("#e-name").inner_text() == "此项为必填项。"
    assert await page.locator("#e-email").is_visible()

    username = f"pw{secrets.token_hex(3)}"
    await page.fill("#f-name", "郑老师")
    await page.fill("#f-phone", "13700137000")
    await page.fill("#f-email", f"{username}@test.example")
    await page.fill("#f-username", username)
    await page.select_option("#f-role", "guard")
    await page.check("#f-positions-security_team_member")
    await page.click("button:has-text('发出邀请')")
    await page.wait_for_url(f"**/staff?invited={username}")
    row = page.locator(f"tr[data-username='{username}']")
    assert "保安" in await row.inner_text() and "护校队队员" in await row.inner_text()
    for _ in range(50):
        if await row.locator("[data-account=ready]").count():
            break
        await page.wait_for_timeout(200)
        await page.reload()
    assert await row.locator("[data-account=ready]").inner_text() == "账号已开通"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "personnel-staff-360.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(SCREENSHOTS / "personnel-staff-1280.png"), full_page=True)
    await page.goto("/staff/staffing")
    await page.screenshot(path=str(SCREENSHOTS / "personnel-staffing-1280.png"), full_page=True)
    await page.goto("/duty/roster")
    await page.screenshot(path=str(SCREENSHOTS / "personnel-roster-1280.png"), full_page=True)


async def test_the_gate_and_the_duty_page_speak_english_when_chosen(new_page, world, staffed):
    page = await new_page(PHONE)
    await sign_in(page, world["guard_a"].username, path="/gate")
    chinese = await visible_labels(page)
    assert all(CJK.search(text) for text in chinese), [t for t in chinese if not CJK.search(t)]
    await page.click("button[name=locale][value=en]")
    await page.locator("html[lang=en]").wait_for(state="attached")
    english = await visible_labels(page)
    assert "Register a visitor" in english
    assert not [text for text in english if CJK.search(text)]
    await page.goto("/duty")
    assert await page.locator("h1").inner_text() == "My gate duty"
    await page.goto("/")
    await page.locator("#register-visitor").wait_for()
    await page.locator("#duty-card-heading").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "personnel-guard-home-en-360.png"), full_page=True)
