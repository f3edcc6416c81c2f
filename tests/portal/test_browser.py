"""The portal in Chromium (Playwright): what each role sees and does, in both languages, at phone and
desktop widths. Screenshots of every role's home page go to .data/screenshots/."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.portal.conftest import SCREENSHOTS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
CJK = re.compile(r"[\u4e00-\u9fff]")
TIMEOUT = 15_000


@pytest.fixture
async def new_page(browser, portal) -> AsyncIterator[Any]:
    """Fresh browser contexts (no cookies), closed after the test."""
    contexts = []

    async def make(viewport: dict[str, int] = DESKTOP) -> Any:
        context = await browser.new_context(viewport=viewport, base_url=portal.url)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


async def sign_in(page: Any, username: str, password: str = PASSWORD, path: str = "/") -> None:
    """Open ``path``, sign in on the identity server's form, land back on ``path``."""
    await page.goto(path)
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#kc-login")
    await page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+" + re.escape(path.split("?")[0])))


async def visible_labels(page: Any) -> list[str]:
    """The interface's own words: headings, menu, labels, legends, buttons, table headings."""
    texts = await page.locator(
        "h1, h2, nav.main-nav a, label, legend, button:not([name=locale]), th, .hint, .brand"
    ).all_inner_texts()
    return [text.strip() for text in texts if text.strip()]


async def test_bureau_onboards_a_school_it_becomes_provisioned_and_the_principal_signs_in(
    new_page, world, worker, stack
):
    page = await new_page()
    await sign_in(page, world["bureau_x"].username)
    await page.click("nav.main-nav >> text=学校")
    await page.click("text=录入学校 >> nth=0")
    await page.wait_for_url("**/schools/new")

    # bad input: a message beside each field, nothing written
    await page.click("button:has-text('录入学校')")
    assert await page.locator(".field-error").count() == 6
    assert await page.locator("#e-name").inner_text() == "此项为必填项。"
    code = f"pw{secrets.token_hex(3)}"
    await page.fill("#f-code", code)
    await page.fill("#f-name", f"浏览器测试学校 {code}")
    await page.select_option("#f-kind", "junior_secondary")
    await page.check("#f-boarding")
    await page.fill("#f-student_count", "640")
    await page.fill("#f-principal_name", "李校长")
    await page.fill("#f-principal_email", "not-an-email")
    await page.fill("#f-principal_username", f"{code}.principal")
    await page.click("button:has-text('录入学校')")
    assert await page.locator(".field-error").all_inner_texts() == ["请输入电子邮箱，例如 name@school.cn。"]
    assert await page.locator("#f-principal_email").get_attribute("aria-invalid") == "true"
    assert await page.input_value("#f-code") == code  # what was typed is kept
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "schools-new-with-an-error-1280.png"), full_page=True)

    await page.fill("#f-principal_email", f"{code}@test.example")
    await page.click("button:has-text('录入学校')")
    await page.wait_for_url(f"**/schools?onboarded={code}")
    await page.fill("#q", code)
    await page.click("form.search button")
    badge = page.locator(f"tr:has-text('{code}') .badge")
    await badge.and_(page.locator("[data-provisioning=done]")).wait_for(timeout=30_000)
    assert await badge.inner_text() == "已开通"
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(SCREENSHOTS / "schools-list-360.png"), full_page=True)

    mails = stack.mailbox.to(f"{code}@test.example")
    assert len(mails) == 1
    password = re.search(r"Initial password: (\S+)", mails[0].get_payload(decode=True).decode()).group(1)
    principal = await new_page(PHONE)
    await sign_in(principal, f"{code}.principal", password)
    assert await principal.locator("#my-school").inner_text() == f"浏览器测试学校 {code}"
    await principal.click("nav.main-nav >> text=学校信息")
    facts = await principal.locator("dl.facts").inner_text()
    assert code in facts
    assert "初级中学" in facts
    assert "640" in facts


async def test_switching_the_language_changes_every_visible_label(new_page, world):
    page = await new_page()
    await sign_in(page, world["bureau_x"].username, path="/schools/new")
    chinese = await visible_labels(page)
    assert len(chinese) > 15
    assert all(CJK.search(text) for text in chinese), [t for t in chinese if not CJK.search(t)]
    assert await page.get_attribute("html", "lang") == "zh-Hans"

    await page.click("button[name=locale][value=en]")
    await page.wait_for_url("**/schools/new")
    english = await visible_labels(page)
    assert len(english) == len(chinese)
    assert not [text for text in english if CJK.search(text)]
    assert await page.get_attribute("html", "lang") == "en"
    assert "Onboard a school" in english

    await page.goto("/")  # the choice is remembered on the next page
    assert await page.locator("h1").inner_text() == "County overview"
    await page.click("button[name=locale][value=zh_Hans]")
    assert await page.locator("h1").inner_text() == "全县概况"


async def test_a_teacher_cannot_reach_the_bureaus_pages_by_menu_or_by_url(new_page, world):
    page = await new_page(PHONE)
    await sign_in(page, world["teacher_a"].username)
    menu = await page.locator("nav.main-nav a").all_inner_texts()
    assert menu[0] == "首页" and menu[-1] == "通知"
    assert not {"学校", "审计核查", "学校信息"} & set(menu)

    for path in ("/schools", "/schools/new", "/schools/import", "/audit", "/school"):
        response = await page.goto(path)
        assert response.status == 403, path
        assert await page.locator("h1").inner_text() == "无权访问"


async def test_sign_out_ends_the_session(new_page, world):
    page = await new_page()
    await sign_in(page, world["guard_a"].username)
    await page.click("button:has-text('退出登录')")
    await page.wait_for_url(re.compile(r"/auth/logged-out\??$"))
    assert await page.locator("h1").inner_text() == "您已退出登录"

    await page.goto("/")
    assert await page.locator("#kc-form-login").is_visible()  # asked for credentials again


async def test_an_expired_session_goes_through_sign_in_and_back_to_the_same_page(new_page, world):
    page = await new_page()
    await sign_in(page, world["bureau_x"].username)
    await page.context.clear_cookies(name="safecampus_session")  # the portal session is gone

    await page.goto("/schools/import")

    # the identity provider still knows the user: straight back to the page, no form
    await page.wait_for_url("**/schools/import")
    assert await page.locator("h1").inner_text() == "上传学校名单"


async def test_bulk_upload_shows_progress_and_a_report_row_by_row(new_page, world):
    page = await new_page()
    await sign_in(page, world["bureau_x"].username, path="/schools/import")
    good, bad = f"bu{secrets.token_hex(3)}", f"bu{secrets.token_hex(3)}"
    csv = "\n".join(
        [
            "学校代码,学校名称,类型,寄宿,学生人数,地址,校长姓名,校长邮箱,校长用户名",
            f"{good},上传学校,小学,否,100,某镇,校长,{good}@test.example,{good}.p",
            f"{bad},上传学校二,小学,否,100,某镇,校长,not-an-email,{bad}.p",
        ]
    )
    await page.set_input_files(
        "#f-file", files=[{"name": "schools.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    await page.click("button:has-text('上传并导入')")

    summary = page.locator("#import-summary")
    await summary.wait_for()
    assert "已录入 1 所，1 行失败" in await summary.inner_text()
    rows = page.locator(".import-report tbody tr")
    assert await rows.count() == 2
    assert await rows.nth(0).locator(".badge").inner_text() == "已录入"
    assert await rows.nth(1).locator(".badge").inner_text() == "未导入"
    assert "principal_email" in await rows.nth(1).inner_text()


async def test_the_bureau_verifies_a_schools_audit_chain(new_page, world):
    page = await new_page()
    await sign_in(page, world["bureau_x"].username, path="/audit")
    cell = page.locator(f"#audit-{world.school_a}")
    await cell.locator("button").click()
    await cell.locator("[data-chain]").wait_for()
    assert await cell.locator("[data-chain]").get_attribute("data-chain") == "intact"


@pytest.mark.parametrize("user", ["bureau_x", "principal_a", "teacher_a", "guard_a"])
async def test_screenshots_of_each_roles_home_page(new_page, world, user):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await new_page(PHONE)
    await sign_in(page, world[user].username)
    role = world[user].role
    for name, viewport in (("360", PHONE), ("1280", DESKTOP)):
        await page.set_viewport_size(viewport)
        path = SCREENSHOTS / f"home-{role}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000
    # nothing overflows the phone's width
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
