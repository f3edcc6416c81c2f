# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The guard's gate screen in Chromium at 360 px: register, verify with the host, let in, see out; a
refused visitor and a refused vehicle are recorded and shown; ID numbers appear only masked."""

from __future__ import annotations

import secrets

from tests.portal.conftest import SCREENSHOTS
from tests.portal.personnel_helpers import (  # noqa: F401 (fixtures)
    personnel_db,
    resident_id,
    staffed,
    unmasked_id_numbers,
)
from tests.portal.test_browser import DESKTOP, PHONE, new_page, sign_in  # noqa: F401 (fixture)


async def _register(page, name: str, id_number: str, host: str, *, plate: str = "") -> None:
    await page.fill("#f-visitor_name", name)
    await page.fill("#f-id_number", id_number)
    await page.fill("#f-phone", "13800138000")
    # By the staff entry's id: another test module may have put the teacher on the list under another name.
    await page.select_option("#f-host_staff_id", value=host)
    await page.fill("#f-purpose", "送教材")
    if plate:
        await page.fill("#f-plate", plate)
    await page.click("button:has-text('登记访客')")
    await page.wait_for_url("**/gate?registered=*")


async def test_a_guard_registers_verifies_admits_and_sees_out_a_visitor_on_a_phone(new_page, world, staffed):
    page = await new_page(PHONE)
    await sign_in(page, world["guard_a"].username, path="/gate")
    assert await page.locator("h1").inner_text() == "门岗"

    # bad input: the errors beside the fields, nothing registered
    await page.click("button:has-text('登记访客')")
    assert await page.locator("#e-visitor_name").inner_text() == "此项为必填项。"
    assert await page.locator("#e-id_number").is_visible()
    assert await page.locator("#e-purpose").is_visible()

    name = f"访客{secrets.token_hex(2)}"
    number = resident_id()
    await _register(page, name, number, str(staffed["teacher_a"]))
    card = page.locator(f"#waiting li:has-text('{name}')")
    assert await card.locator(".id-masked").inner_text() == f"{number[:3]}{'*' * 11}{number[-4:]}"
    assert number not in await page.content()
    assert unmasked_id_numbers(await page.content()) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "personnel-gate-360.png"), full_page=True)

    await card.locator("button:has-text('已与被访人确认')").click()
    await page.wait_for_url("**/gate#visit-*")
    card = page.locator(f"#waiting li:has-text('{name}')")
    assert await card.get_attribute("data-status") == "verified"
    await card.locator("button:has-text('放行')").click()
    inside = page.locator(f"#inside li:has-text('{name}')")
    await inside.wait_for()
    await inside.locator("button:has-text('已离开')").click()
    left = page.locator(f"#left li:has-text('{name}')")
    await left.wait_for()
    assert await left.get_attribute("data-status") == "left"
    assert await page.locator(f"#inside li:has-text('{name}')").count() == 0


async def test_a_refused_visitor_and_a_refused_vehicle_are_recorded_and_shown(new_page, world, staffed):
    page = await new_page(PHONE)
    await sign_in(page, world["guard_a"].username, path="/gate")

    refused = f"拒绝{secrets.token_hex(2)}"
    await _register(page, refused, resident_id(), str(staffed["teacher_a"]))
    await page.locator(f"#waiting li:has-text('{refused}') >> text=拒绝进入").click()
    await page.wait_for_url("**/gate/visits/*")
    await page.click("button:has-text('拒绝进入')")  # no reason: the form comes back with the error
    assert await page.locator("#e-reason").is_visible()
    await page.fill("#f-reason", "无法与被访人取得联系")
    await page.click("button:has-text('拒绝进入')")
    await page.wait_for_url("**/gate#visit-*")
    card = page.locator(f"#refused li:has-text('{refused}')")
    assert "无法与被访人取得联系" in await card.inner_text()

    driver = f"司机{secrets.token_hex(2)}"
    plate = f"吉A{secrets.randbelow(90000) + 10000}"
    await _register(page, driver, resident_id(), str(staffed["teacher_a"]), plate=plate)
    card = page.locator(f"#waiting li:has-text('{driver}')")
    assert await card.locator(".vehicle-refused").inner_text() == f"车辆被拒 {plate.upper()}"
    await page.screenshot(path=str(SCREENSHOTS / "personnel-gate-refusals-360.png"), full_page=True)

    # the search finds the vehicle by its plate, within the school
    await page.fill("#q", plate)
    await page.click("form[role=search] button")
    assert await page.locator(f"li:has-text('{driver}') .vehicle-refused").count() == 1

    await page.set_viewport_size(DESKTOP)
    await page.goto("/gate")
    await page.screenshot(path=str(SCREENSHOTS / "personnel-gate-1280.png"), full_page=True)
