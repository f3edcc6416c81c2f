# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The hazards pages in Chromium: every label in both languages, a patrol signed off on a phone, the public QR
page as an anonymous visitor sees it; screenshots at 360 and 1280 px go to .data/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.portal.conftest import SCREENSHOTS
from tests.portal.hazards_helpers import hazards_db, hazards_world, photo  # noqa: F401
from tests.portal.test_browser import CJK, DESKTOP, PHONE, new_page, sign_in, visible_labels  # noqa: F401


async def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_the_phone_report_reads_in_chinese_and_in_english(new_page, hazards_world):
    page = await new_page(PHONE)
    await sign_in(page, hazards_world["guard_a"].username, path="/hazards/report")
    chinese = await visible_labels(page)
    assert len(chinese) > 25
    assert all(CJK.search(text) for text in chinese), [t for t in chinese if not CJK.search(t)]
    async with page.expect_navigation():
        await page.click("button[name=locale][value=en]")
    assert page.url.endswith("/hazards/report")
    english = await visible_labels(page)
    assert len(english) == len(chinese)
    assert not [text for text in english if CJK.search(text)]
    assert "Send the report" in english
    await shot(page, "hazards-report-en-360")


@pytest.mark.timeout(300)
async def test_a_patrol_on_a_phone_and_the_public_page_as_a_visitor_sees_it(new_page, hazards_world):
    w = hazards_world
    teacher = await new_page(PHONE)
    await sign_in(teacher, w["teacher_a"].username, path="/hazards/patrols")
    await teacher.locator("#start-patrol summary").click()
    await teacher.select_option("#p-kind", "daily")
    await teacher.fill("#p-title", "放学时段校门巡查")
    await teacher.check("input[name=areas][value=gate]")
    await teacher.check("input[name=areas][value=surroundings]")
    await teacher.click("#start-patrol button[type=submit]")
    await teacher.wait_for_url(re.compile(r"/hazards/patrols/[0-9a-f-]{36}$"))
    gate = teacher.locator("li[data-area=gate]")
    await gate.locator("summary").click()
    await gate.locator("textarea").fill("门卫在岗，道闸正常，未发现问题")
    await gate.locator("button[type=submit]").click()
    await teacher.wait_for_url(re.compile(r"\?done=sign-off$"))
    assert await teacher.locator("li[data-area=gate][data-signed=yes]").count() == 1
    assert await teacher.locator("li[data-area=surroundings][data-signed=no]").count() == 1
    await shot(teacher, "hazards-patrol-360")

    principal = await new_page(DESKTOP)
    await sign_in(principal, w["principal_a"].username, path="/hazards/review")
    link = await principal.locator("#report-link a").get_attribute("href")
    assert link and "/report/" in link

    visitor = await new_page(PHONE)
    await visitor.goto(link)
    assert await visitor.locator("nav.main-nav").count() == 0
    body = await visitor.locator("main").inner_text()
    assert w.school_codes[w.school_a][1] not in body
    await visitor.check("input[name=category][value=surroundings_business]")
    await visitor.fill("#pub-description", "学校对面网吧接纳未成年学生")
    await visitor.set_input_files(
        "#pub-photo", files=[{"name": "cafe.jpg", "mimeType": "image/jpeg", "buffer": photo((30, 30, 90))}]
    )
    await shot(visitor, "hazards-public-report-360")
    await visitor.click("form.quick-report button[type=submit]")
    reference = (await visitor.locator("#public-reference").inner_text()).strip()
    assert reference
    await shot(visitor, "hazards-public-thanks-360")

    await principal.reload()
    report = principal.locator(f"section[data-report='{reference}']")
    assert "网吧" in await report.inner_text()
    await shot(principal, "hazards-review-1280")
    await principal.set_viewport_size(PHONE)
    await principal.goto("/hazards?status=open")
    await shot(principal, "hazards-register-360")
    await principal.goto("/")
    await principal.locator("#hazard-counts").wait_for()
    await shot(principal, "hazards-home-principal-360")

    bureau = await new_page(DESKTOP)
    await sign_in(bureau, w["bureau_x"].username, path="/hazards/incidents")
    await shot(bureau, "hazards-incidents-1280")
    await bureau.goto("/hazards/supervision")
    await shot(bureau, "hazards-supervision-1280")
    await bureau.goto("/")
    await bureau.locator("#hazard-counts").wait_for()
    await shot(bureau, "hazards-home-bureau-1280")
