# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The evaluation pages in Chromium: the bureau forms a cross-school team and assigns it, the inspector
scores on a 360 px phone through a flaky connection without losing anything typed, the lead submits, the
bureau accepts, and the ranking (recomputed by the worker) shows the school. Screenshots at 360 and
1280 px of the score sheet and the ranking go to .data/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.portal.conftest import SCREENSHOTS
from tests.portal.evaluation_helpers import (  # noqa: F401  (fixtures)
    call,
    china_time,
    eval_db,
    eval_rubric,
    eval_world,
    inspector,
    open_campaign,
    wait_for_pushed_grants,
)
from tests.portal.test_browser import DESKTOP, PHONE, new_page, sign_in  # noqa: F401  (new_page: a fixture)

SAVED = "已保存"


async def item_form(page: Any, code: str) -> Any:
    return page.locator(f'article[data-code="{code}"] form.score-form')


async def score(page: Any, code: str, points: str) -> None:
    form = await item_form(page, code)
    await form.locator("input[name=points]").fill(points)
    await form.locator(".save-state[data-state=saved]").wait_for()


async def screenshots(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("360", PHONE), ("1280", DESKTOP)):
        await page.set_viewport_size(viewport)
        path = SCREENSHOTS / f"{name}-{width}.png"
        await page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


@pytest.mark.timeout(300)  # a whole inspection, with the worker recomputing the ranking
async def test_a_cross_school_inspection_from_assignment_to_the_ranking(
    new_page, stack, api_urls, eval_world, eval_rubric, worker
):
    world, api = eval_world, api_urls["evaluation"]
    bureau = world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    lead = await inspector(stack, world, "principal", "a")
    school_b = (await call(stack, bureau, "GET", f"{api_urls['schools']}/schools/{world.school_b}")).json()[
        "name"
    ]

    # The bureau forms a team with a principal of school A ...
    board = await new_page()
    await sign_in(board, bureau.username, path=f"/evaluation/campaigns/{campaign}/assignments")
    await board.fill("#t-name", "第一检查组")
    await board.fill("#t-members", lead.username)
    await board.click("button:has-text('组建检查组')")
    await board.wait_for_url("**/assignments?done=team")
    team = board.locator("section.team[data-team='第一检查组']")
    assert lead.username in await team.locator(".members").inner_text()

    # ... which may not inspect school A: the API's refusal is shown beside the school, nothing is written.
    now = dt.datetime.now(dt.UTC)
    await team.locator("select[name=school_id]").select_option(str(world.school_a))
    await team.locator("input[name=starts_at]").fill(china_time(now - dt.timedelta(minutes=5)))
    await team.locator("input[name=ends_at]").fill(china_time(now + dt.timedelta(hours=3)))
    await team.locator("button:has-text('指派检查组')").click()
    team = board.locator("section.team[data-team='第一检查组']")
    error = team.locator(".field-error")
    assert "本校" in await error.inner_text()
    assert lead.username in await error.inner_text()
    assert await board.locator("#assignment-board").count() == 0  # no assignment was made

    await team.locator("select[name=school_id]").select_option(str(world.school_b))
    await team.locator("button:has-text('指派检查组')").click()  # the window typed is kept
    await board.wait_for_url("**/assignments?done=assigned")
    row = board.locator("#assignment-board tbody tr")
    assert await row.count() == 1
    assert school_b in await row.inner_text()
    assert await row.locator("[data-status]").get_attribute("data-status") == "assigned"
    await wait_for_pushed_grants(stack, lead.username, 1)

    # The inspector, on a phone, finds the assignment and opens the sheet.
    phone = await new_page(PHONE)
    await sign_in(phone, lead.username, path="/inspections")
    await phone.click("#my-assignments a.button")
    await phone.wait_for_url(re.compile(r"/inspections/[0-9a-f-]{36}$"))
    assignment = phone.url.rsplit("/", 1)[1]
    assert await phone.locator("#sheet-school").inner_text() == school_b
    codes = await phone.locator("article.sheet-item:has(input[name=points])").evaluate_all(
        "items => items.map(i => i.dataset.code)"
    )
    indicators = [c for c in codes if not c.startswith("bonus")]
    first, second, rest = indicators[0], indicators[1], indicators[2:]

    # Offline: the score is kept on the phone and saved when the connection comes back.
    await phone.context.set_offline(True)
    form = await item_form(phone, first)
    await form.locator("input[name=points]").fill("4")
    await form.locator("textarea[name=comment]").fill("监控已联网，抽查正常")
    await form.locator(".save-state[data-state=offline]").wait_for()
    assert "尚未保存" in await form.locator(".save-state").inner_text()
    assert await phone.locator("#connection").is_visible()
    await phone.context.set_offline(False)
    await form.locator(".save-state[data-state=saved]").wait_for()
    assert await form.locator(".save-state").inner_text() == SAVED

    # A save that fails (the connection drops mid-request): a reload shows the draft, which is then saved.
    async def drop(route: Any) -> None:
        await route.abort("internetdisconnected")

    pattern = re.compile(rf"/inspections/{assignment}/scores/{re.escape(second)}$")
    await phone.route(pattern, drop)
    form = await item_form(phone, second)
    await form.locator("input[name=points]").fill("3")
    await form.locator(".save-state[data-state=unsaved]").wait_for()
    await phone.reload()
    form = await item_form(phone, second)
    assert await form.locator("input[name=points]").input_value() == "3"  # kept in the browser
    assert await form.locator(".save-state").get_attribute("data-state") in ("unsaved", "saving")
    await phone.unroute(pattern)
    await form.locator(".save-state[data-state=saved]").wait_for(timeout=20_000)

    # Bad input is refused beside the field, and nothing is written.
    form = await item_form(phone, rest[0])
    await form.locator("input[name=points]").fill("999")
    await form.locator(".save-state[data-state=invalid]").wait_for()
    assert await form.locator("input[name=points]").get_attribute("aria-invalid") == "true"
    for code in rest:
        await score(phone, code, "2")
    await phone.reload()
    assert (await (await item_form(phone, first)).locator("input[name=points]").input_value()) == "4"
    await screenshots(phone, "evaluation-score-sheet")

    sheet = (await call(stack, bureau, "GET", f"{api}/inspections/{assignment}")).json()
    points = {i["code"]: i["points"] for i in sheet["items"]}
    assert points[first] == 4 and points[second] == 3 and points[rest[0]] == 2
    assert next(i for i in sheet["items"] if i["code"] == first)["comment"] == "监控已联网，抽查正常"

    await phone.click("button:has-text('提交给教育局')")
    await phone.wait_for_url("**?done=submitted")
    assert await phone.locator("[data-status]").first.get_attribute("data-status") == "submitted"

    # The bureau accepts; the worker recomputes; the ranking shows the school with the accepted inspection.
    await board.goto(f"/inspections/{assignment}")
    await board.click("#accept-button")
    await board.wait_for_url("**?done=accept")
    assert await board.locator("[data-status]").first.get_attribute("data-status") == "accepted"

    row = board.locator(f"#ranking-table tr[data-school='{world.school_b}']")
    for _ in range(60):
        await board.goto(f"/evaluation/campaigns/{campaign}/ranking")
        if await row.count() and await row.locator("[data-status=accepted]").count():
            break
        await board.wait_for_timeout(1000)
    assert await row.locator("[data-status=accepted]").count() == 1
    assert school_b in await row.inner_text()
    assert (
        await board.locator(
            "svg.chart rect.bar-fail, svg.chart rect.bar-pass, svg.chart rect.bar-good, svg.chart rect.bar-excellent"
        ).count()
        >= 1
    )
    await screenshots(board, "evaluation-ranking")


@pytest.mark.timeout(240)
async def test_the_principal_assesses_the_school_and_downloads_the_report_card_on_a_phone(
    new_page, stack, api_urls, eval_world, eval_rubric, worker
):
    world, api = eval_world, api_urls["evaluation"]
    bureau, principal = world["bureau_x"], world["principal_a"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    recompute = await call(stack, bureau, "POST", f"{api}/campaigns/{campaign}/ranking/recompute")
    assert recompute.status_code == 202

    phone = await new_page(PHONE)
    await sign_in(phone, principal.username, path=f"/evaluation/campaigns/{campaign}/self-assessment")
    item = phone.locator("article[data-code='sec.video']")
    await item.locator("input[name=points]").fill("4")
    await item.locator("textarea[name=evidence_note]").fill("监控联网测试记录")
    await item.locator("button:has-text('保存')").click()
    await phone.wait_for_url("**done=saved*")
    assert await phone.locator("article[data-code='sec.video'] input[name=points]").input_value() == "4"
    await screenshots(phone, "evaluation-self-assessment")

    await phone.goto(f"/evaluation/campaigns/{campaign}/reports")
    assert await phone.locator("input[name=kind]").count() == 1  # a principal asks for the report card only
    await phone.click("button:has-text('生成报告')")
    row = phone.locator("#reports li").first
    await row.locator("a.button:has-text('下载')").wait_for(timeout=60_000)  # htmx polled the progress
    assert await row.get_attribute("data-status") == "done"
    async with phone.expect_download() as waiting:
        await row.locator("a.button").click()
    download = await waiting.value
    assert (await download.path()).read_bytes().startswith(b"%PDF")
    await screenshots(phone, "evaluation-reports")


async def test_screenshots_of_the_bureaus_board_rubric_and_year_end(
    new_page, stack, api_urls, eval_world, eval_rubric
):
    world = eval_world
    bureau = world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    page = await new_page()
    await sign_in(page, bureau.username, path=f"/evaluation/campaigns/{campaign}/assignments")
    await screenshots(page, "evaluation-assignment-board")
    await page.goto(f"/evaluation/rubrics/{eval_rubric}")
    assert await page.locator("#save-rubric").count() == 0  # a published version is read only
    await screenshots(page, "evaluation-rubric")
    await page.goto(f"/evaluation/campaigns/{campaign}/year-end")
    await screenshots(page, "evaluation-year-end")
    await page.goto("/")
    await page.locator("#evaluation-card").wait_for()  # the home page card loads with htmx
    await screenshots(page, "evaluation-home-bureau")
