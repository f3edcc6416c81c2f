# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""A hazard's whole life in Chromium at phone width (360 px): a teacher reports it with a photo, the principal
assigns it, the bureau lists it for supervision, the rectifier marks it fixed with an after-photo, another
checker verifies it, the bureau signs it off; the supervision list and the school's statistics follow.
Screenshots of the main hazards pages at 360 and 1280 px go to .data/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.portal.conftest import SCREENSHOTS
from tests.portal.hazards_helpers import hazards_db, hazards_world, photo, school_day  # noqa: F401
from tests.portal.test_browser import DESKTOP, PHONE, new_page, sign_in  # noqa: F401


async def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def open_action(page, name: str) -> None:
    """Unfold an action's form (the page shows only the most likely one unfolded)."""
    await page.locator(f"#action-{name}").evaluate("details => { details.open = true; }")


async def figure(page, name: str) -> int:
    return int(await page.locator(f"#total-figures [data-figure={name}]").inner_text())


@pytest.mark.timeout(360)  # seven sign-ins and a dozen page loads on a shared machine
async def test_a_hazard_goes_from_a_phone_report_to_closed_and_the_bureau_sees_it(
    new_page, hazards_world, worker
):
    w = hazards_world
    bureau = await new_page(PHONE)
    await sign_in(bureau, w["bureau_x"].username, path=f"/hazards/statistics?school_id={w.school_a}")
    closed_before = await figure(bureau, "closed")
    open_before = await figure(bureau, "open")

    # a teacher reports it from a phone: photo, category, place — and gets the number
    teacher = await new_page(PHONE)
    await sign_in(teacher, w["teacher_a"].username, path="/hazards/report")
    assert await teacher.locator("#r-photo").get_attribute("capture") == "environment"
    await teacher.set_input_files(
        "#r-photo", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await teacher.locator("#r-preview").wait_for()  # the chosen photo is shown before it is sent
    await teacher.check("input[name=category][value=electrical]")
    await teacher.check("input[name=area][value=dormitories]")
    await teacher.fill("#r-place", "3号宿舍楼二层东侧")
    await teacher.fill("#r-note", "插座烧焦，有焦味")
    await shot(teacher, "hazards-report-360")
    await teacher.click("button:has-text('提交报告')")
    await teacher.wait_for_url(re.compile(r"/hazards/[0-9a-f-]{36}/reported$"))
    number = (await teacher.locator("#hazard-number").inner_text()).strip()
    assert re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{4}", number)
    await shot(teacher, "hazards-reported-360")
    hazard_url = teacher.url.removesuffix("/reported")
    hazard_path = hazard_url[hazard_url.index("/hazards/") :]

    # the principal confirms it and assigns it: the teacher fixes it, a second teacher checks the fix
    principal = await new_page(PHONE)
    await sign_in(principal, w["principal_a"].username, path=hazard_path)
    assert await principal.locator("img.hazard-photo").count() == 1
    assert await principal.locator("#action-confirm").get_attribute("open") is not None
    await principal.click("#action-confirm button[type=submit]")
    await principal.wait_for_url(re.compile(r"\?done=confirm$"))
    form = principal.locator("#action-assign")
    await open_action(principal, "assign")
    await principal.select_option("#assign-responsible", label=w["teacher_a"].username)
    await principal.fill("#assign-plan", "更换烧焦插座，排查整层线路")
    await principal.fill("#assign-deadline", school_day(7))
    await principal.select_option("#assign-checker", label=w["teacher_a2"].username)
    await principal.fill("#assign-containment", "断开该回路电源，设置警示牌")
    await shot(principal, "hazards-assign-360")
    await form.locator("button[type=submit]").click()
    await principal.wait_for_url(re.compile(r"\?done=assign$"))
    assert await principal.locator("#hazard-responsible").inner_text() == w["teacher_a"].username

    # the bureau lists it for supervision; it appears on the county's supervision list
    await bureau.goto(hazard_path)
    await open_action(bureau, "list")
    await bureau.fill("#list-official", "王科长")
    await bureau.fill("#list-deadline", school_day(10))
    await bureau.click("#action-list button[type=submit]")
    await bureau.wait_for_url(re.compile(r"\?done=list$"))
    await bureau.goto("/hazards/supervision")
    row = bureau.locator(f"#supervision-list tr[data-hazard='{number}']")
    assert "王科长" in await row.inner_text()
    await shot(bureau, "hazards-supervision-360")

    # the responsible teacher marks it fixed with an after-photo
    await teacher.goto(hazard_path)
    await teacher.set_input_files(
        "#rectify-photo",
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": photo((40, 160, 60))}],
    )
    await teacher.fill("#rectify-note", "已更换插座并检测线路")
    await teacher.click("#action-rectify button[type=submit]")
    await teacher.wait_for_url(re.compile(r"\?done=rectify$"))
    assert await teacher.locator("img[data-stage=after]").count() == 1
    assert await teacher.locator("#action-verify").count() == 0  # the rectifier never checks their own fix

    # another checker verifies it; being listed, it waits for the bureau's sign-off
    checker = await new_page(PHONE)
    await sign_in(checker, w["teacher_a2"].username, path=hazard_path)
    await checker.click("#action-verify button[type=submit]")
    await checker.wait_for_url(re.compile(r"\?done=verify$"))
    assert "待教育局销号" in await checker.locator("#hazard-state").inner_text()

    await bureau.goto(hazard_path)
    await bureau.click("#action-sign_off button[type=submit]")
    await bureau.wait_for_url(re.compile(r"\?done=sign_off$"))
    assert "已销号" in await bureau.locator("#hazard-state").inner_text()
    history = await bureau.locator("#hazard-history li").count()
    assert history >= 7  # reported, confirmed, assigned, listed, photo, rectified, verified, signed off
    await shot(bureau, "hazards-detail-closed-360")

    # it has left the supervision list, and the school's statistics count it as closed
    await bureau.goto("/hazards/supervision")
    assert await bureau.locator(f"tr[data-hazard='{number}']").count() == 0
    await bureau.goto(f"/hazards/statistics?school_id={w.school_a}")
    assert await figure(bureau, "closed") == closed_before + 1
    assert await figure(bureau, "open") == open_before
    await shot(bureau, "hazards-statistics-360")

    await bureau.set_viewport_size(DESKTOP)
    await bureau.goto("/hazards/statistics")
    await shot(bureau, "hazards-statistics-1280")
    await bureau.goto(hazard_path)
    await shot(bureau, "hazards-detail-closed-1280")
    await bureau.goto(f"/hazards?school_id={w.school_a}")
    assert number in await bureau.locator("table.hazard-list").inner_text()
    await shot(bureau, "hazards-register-1280")
    await teacher.set_viewport_size(DESKTOP)
    await teacher.goto("/hazards/report")
    await shot(teacher, "hazards-report-1280")
