# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The evaluation pages over plain HTTP: who reaches which page, an inspector's score sheet only for the
assigned school and only inside the window (the 404 page otherwise), bad input answered with 422 beside
the fields and nothing written, the rubric editor, the self-assessment, the year-end sign-off and the
reports rendered by the worker and downloaded through the portal."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, User
from tests.evaluation.conftest import JPEG
from tests.portal.conftest import csrf_of, sign_in
from tests.portal.evaluation_helpers import (  # noqa: F401  (fixtures)
    assign_via_api,
    call,
    eval_db,
    eval_rubric,
    eval_world,
    inspector,
    open_campaign,
    wait_for_pushed_grants,
)

pytestmark = pytest.mark.usefixtures("portal")


@pytest.fixture
async def browse(portal: Any) -> AsyncIterator[Any]:
    """Signed-in HTTP clients, one per user (each with its own cookies), closed after the test."""
    clients: list[httpx.AsyncClient] = []

    async def open_as(user: User, path: str = "/") -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=portal.url, follow_redirects=False, timeout=30)
        clients.append(client)
        landed = await sign_in(client, portal.url, user.username, PASSWORD, path=path)
        assert landed.status_code in (200, 403, 404), landed.status_code
        return client

    yield open_as
    for client in clients:
        await client.aclose()


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str], **kw: Any
) -> httpx.Response:
    """Open ``page`` for its CSRF token, then post ``data`` to ``action`` as its form would."""
    token = csrf_of((await client.get(page)).text)
    return await client.post(action, data={"_csrf_token": token, **data}, **kw)


def error_beside(html: str, field_id: str) -> str:
    """The message shown beside the field with id ``field_id`` (empty when there is none)."""
    found = re.search(rf'<p class="field-error" id="e-{re.escape(field_id)}">([^<]*)</p>', html)
    return found.group(1) if found else ""


async def test_each_role_reaches_only_its_evaluation_pages(browse, stack, api_urls, eval_world, eval_rubric):
    world = eval_world
    campaign = await open_campaign(stack, api_urls, world["bureau_x"], eval_rubric)
    bureau = await browse(world["bureau_x"])
    for path in (
        "/evaluation",
        "/inspections",
        "/evaluation/rubrics",
        f"/evaluation/campaigns/{campaign}/ranking",
        f"/evaluation/campaigns/{campaign}/assignments",
        f"/evaluation/campaigns/{campaign}/year-end",
        f"/evaluation/campaigns/{campaign}/reports",
    ):
        assert (await bureau.get(path)).status_code == 200, path
    attach = await post_form(bureau, "/evaluation", "/evaluation/campaigns", {"title": "", "year": "明年"})
    assert attach.status_code == 422
    assert error_beside(attach.text, "f-title") == "此项为必填项。"
    listed = await call(stack, world["bureau_x"], "GET", f"{api_urls['evaluation']}/campaigns")
    assert all(c["title"] for c in listed.json())  # nothing half written
    home = (await bureau.get("/")).text
    menu = re.findall(r'<li><a href="([^"]+)"', home)
    assert {"/evaluation", "/evaluation/rubrics", "/inspections"} <= set(menu), menu

    teacher = await browse(world["teacher_a"])
    assert (await teacher.get("/evaluation")).status_code == 200
    assert (await teacher.get(f"/evaluation/campaigns/{campaign}/self-assessment")).status_code == 200
    for path in (
        "/evaluation/rubrics",
        f"/evaluation/campaigns/{campaign}/ranking",
        f"/evaluation/campaigns/{campaign}/assignments",
        f"/evaluation/campaigns/{campaign}/reports",
    ):
        denied = await teacher.get(path)
        assert denied.status_code == 403, path
        assert "无权访问" in denied.text
    guard = await browse(world["guard_a"])
    assert (await guard.get("/evaluation")).status_code == 403
    assert (await guard.get("/inspections")).status_code == 403
    guard_menu = re.findall(r'<li><a href="([^"]+)"', (await guard.get("/")).text)
    assert guard_menu and not [path for path in guard_menu if "evaluation" in path or "inspections" in path]

    # Each role's home page card loads from the area's route.
    card = await bureau.get("/evaluation/home-card", headers={"HX-Request": "true"})
    assert card.status_code == 200 and 'id="evaluation-card"' in card.text
    principal = await browse(world["principal_a"])
    card = await principal.get("/evaluation/home-card", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "您的检查任务" in card.text


@pytest.mark.timeout(240)  # the worker pushes grants and renders reports on a shared machine
async def test_an_inspector_sees_the_assigned_sheet_only_inside_the_window(
    browse, stack, api_urls, eval_world, eval_rubric, worker
):
    world, bureau = eval_world, eval_world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    now_inspector = await inspector(stack, world, "teacher", "a")
    later_inspector = await inspector(stack, world, "principal", "a")
    open_now = await assign_via_api(stack, api_urls, bureau, campaign, [now_inspector], world.school_b)
    other_campaign = await open_campaign(
        stack, api_urls, bureau, eval_rubric
    )  # one inspection per school each
    tomorrow = await assign_via_api(
        stack,
        api_urls,
        bureau,
        other_campaign,
        [later_inspector],
        world.school_b,
        starts=dt.timedelta(days=1),
    )
    await wait_for_pushed_grants(stack, now_inspector.username, 1)
    await wait_for_pushed_grants(stack, later_inspector.username, 1)

    inside = await browse(now_inspector, "/inspections")
    listed = await inside.get("/inspections")
    assert f'href="/inspections/{open_now}"' in listed.text
    sheet = await inside.get(f"/inspections/{open_now}")
    assert sheet.status_code == 200
    assert 'class="score-form"' in sheet.text and f'data-draft="eval:{open_now}:' in sheet.text
    # ... and nothing else: another team's sheet, the ranking, the board.
    assert (await inside.get(f"/inspections/{tomorrow}")).status_code == 404
    assert (await inside.get(f"/evaluation/campaigns/{campaign}/ranking")).status_code == 403
    result = await inside.get(f"/evaluation/campaigns/{campaign}/results/{world.school_b}")
    assert "尚无结果" in result.text and "乙校" not in result.text

    before = await browse(later_inspector, "/inspections")
    page = await before.get("/inspections")
    assert "不在检查时段内的检查" in page.text and f"/inspections/{tomorrow}" not in page.text
    early = await before.get(f"/inspections/{tomorrow}")
    assert early.status_code == 404
    assert "未找到" in early.text

    colleague = await browse(world["principal_a"])  # school A's principal, in no team
    assert (await colleague.get(f"/inspections/{open_now}")).status_code == 404


@pytest.mark.timeout(240)  # the worker pushes grants and renders reports on a shared machine
async def test_bad_scores_come_back_beside_the_field_and_nothing_is_written(
    browse, stack, api_urls, eval_world, eval_rubric, worker
):
    world, bureau = eval_world, eval_world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    lead = await inspector(stack, world, "teacher", "b")
    assignment = await assign_via_api(stack, api_urls, bureau, campaign, [lead], world.school_a)
    await wait_for_pushed_grants(stack, lead.username, 1)
    client = await browse(lead, f"/inspections/{assignment}")
    page = f"/inspections/{assignment}"
    action = f"{page}/scores/sec.video"

    not_a_number = await post_form(
        client, page, action, {"kind": "indicator", "points": "很多", "comment": "看过了"}
    )
    assert not_a_number.status_code == 422
    assert error_beside(not_a_number.text, "i-sec-video-points") == "请输入数字，例如 4 或 4.5。"
    assert "看过了" in not_a_number.text  # what was typed is kept
    too_many = await post_form(client, page, action, {"kind": "indicator", "points": "999"})
    assert too_many.status_code == 422
    assert "999" in error_beside(too_many.text, "i-sec-video-points") or error_beside(
        too_many.text, "i-sec-video-points"
    )
    as_json = await post_form(
        client, page, action, {"kind": "indicator", "points": "999"}, headers={"Accept": "application/json"}
    )
    assert (
        as_json.status_code == 422
        and as_json.json()["saved"] is False
        and "points" in as_json.json()["errors"]
    )

    sheet = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/inspections/{assignment}")).json()
    video = next(i for i in sheet["items"] if i["code"] == "sec.video")
    assert video["points"] is None and video["comment"] == ""  # nothing was written

    saved = await post_form(
        client,
        page,
        action,
        {"kind": "indicator", "points": "4,5", "comment": "已联网"},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json() == {"saved": True, "message": "已保存"}
    short_finding = await post_form(
        client,
        page,
        action,
        {"kind": "indicator", "points": "4", "finding_title": "灭", "finding_category": "fire"},
    )
    assert short_finding.status_code == 422
    assert (
        error_beside(short_finding.text, "i-sec-video-finding_title")
        == "请用 2 至 200 个字符描述发现的问题。"
    )
    finding = {"kind": "indicator", "points": "4", "finding_title": "灭火器过期", "finding_severity": "major"}
    assert (await post_form(client, page, action, {**finding, "finding_category": "fire"})).status_code == 303
    photo = await post_form(
        client, page, f"{action}/photos", {}, files={"photo": ("p.jpg", JPEG, "image/jpeg")}
    )
    assert photo.status_code == 303
    not_a_photo = await post_form(
        client, page, f"{action}/photos", {}, files={"photo": ("p.txt", b"hello", "text/plain")}
    )
    assert not_a_photo.status_code == 422
    assert error_beside(not_a_photo.text, "i-sec-video-photo").startswith("照片未被接受")
    shown = await client.get(page)
    photo_url = re.search(r'<img src="(/inspection-photos/[0-9a-f-]{36})"', shown.text).group(1)
    image = await client.get(photo_url)
    assert image.status_code == 200 and image.content == JPEG
    sheet = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/inspections/{assignment}")).json()
    video = next(i for i in sheet["items"] if i["code"] == "sec.video")
    assert video["finding"]["title"] == "灭火器过期" and video["finding"]["category"] == "fire"
    assert len(video["photos"]) == 1

    incomplete = await post_form(client, page, f"{page}/submit", {})
    assert incomplete.status_code == 422
    assert "须先为每一项评分" in incomplete.text

    # The bureau's decisions: a return needs rectification requests (a sheet that is not submitted: 409).
    board = await browse(bureau, page)
    returned = await post_form(board, page, f"{page}/return", {"requests": "", "note": ""})
    assert returned.status_code == 422
    sheet = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/inspections/{assignment}")).json()
    assert sheet["assignment"]["status"] == "assigned"
    cancelled = await post_form(board, page, f"{page}/cancel", {})
    assert cancelled.status_code == 303


async def test_the_assignment_board_refuses_bad_teams_and_windows_beside_the_fields(
    browse, stack, api_urls, eval_world, eval_rubric
):
    world, bureau = eval_world, eval_world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    board_url = f"/evaluation/campaigns/{campaign}/assignments"
    client = await browse(bureau, board_url)
    member = await inspector(stack, world, "teacher", "a")

    empty = await post_form(
        client, board_url, f"/evaluation/campaigns/{campaign}/teams", {"name": "", "members": ""}
    )
    assert empty.status_code == 422
    assert error_beside(empty.text, "t-name") == "此项为必填项。"
    assert error_beside(empty.text, "t-members") == "此项为必填项。"
    unknown = await post_form(
        client,
        board_url,
        f"/evaluation/campaigns/{campaign}/teams",
        {"name": "第二组", "members": "nobody-here"},
    )
    assert unknown.status_code == 422 and 'value="第二组"' in unknown.text
    teams = await call(stack, bureau, "GET", f"{api_urls['evaluation']}/campaigns/{campaign}/teams")
    assert teams.json() == []  # nothing was written

    made = await post_form(
        client,
        board_url,
        f"/evaluation/campaigns/{campaign}/teams",
        {"name": "第二组", "members": member.username},
    )
    assert made.status_code == 303
    team = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/campaigns/{campaign}/teams")).json()[
        0
    ]
    backwards = await post_form(
        client,
        board_url,
        f"/evaluation/teams/{team['id']}/assignments",
        {"school_id": str(world.school_b), "starts_at": "2026-12-02T09:00", "ends_at": "2026-12-01T09:00"},
    )
    assert backwards.status_code == 422
    assert error_beside(backwards.text, f"a-{team['id']}-ends_at") == "结束时间必须晚于开始时间。"
    own_school = await post_form(
        client,
        board_url,
        f"/evaluation/teams/{team['id']}/assignments",
        {"school_id": str(world.school_a), "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-02T09:00"},
    )
    assert own_school.status_code == 422
    assert "任何人都不得检查本校" in error_beside(own_school.text, f"a-{team['id']}-school_id")
    joining = await post_form(client, board_url, f"/evaluation/teams/{team['id']}/members", {"username": "x"})
    assert joining.status_code == 422 and error_beside(joining.text, f"m-{team['id']}-username")
    board = await call(stack, bureau, "GET", f"{api_urls['evaluation']}/campaigns/{campaign}/assignments")
    assert board.json() == []


async def test_the_rubric_editor_saves_a_draft_refuses_bad_weights_and_publishes(
    browse, stack, api_urls, eval_world
):
    bureau = eval_world["bureau_x"]
    client = await browse(bureau, "/evaluation/rubrics")
    created = await post_form(client, "/evaluation/rubrics", "/evaluation/rubrics/default", {})
    assert created.status_code == 303
    editor_url = created.headers["location"]
    editor = await client.get(editor_url)
    assert editor.status_code == 200
    fields = dict(re.findall(r'name="([^"]+)" type="text" value="([^"]*)"', editor.text))
    fields.update(
        {
            m[0]: m[1]
            for m in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', editor.text)
        }
    )
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', editor.text, re.S):
        fields[name] = re.search(r'<option value="([^"]*)" selected>', options).group(1)
    assert fields["categories[0].weight"] and fields["categories[0].indicators[0].max_points"]

    bad = await post_form(client, editor_url, editor_url, {**fields, "categories[0].weight": "十五"})
    assert bad.status_code == 422
    assert error_beside(bad.text, "r-categories-0-weight") == "请输入数字，例如 5 或 2.5。"
    off = await post_form(client, editor_url, editor_url, {**fields, "categories[0].weight": "16"})
    assert off.status_code == 422 and "100" in off.text
    rubric_id = editor_url.rsplit("/", 1)[1]
    stored = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/rubrics/{rubric_id}")).json()
    assert stored["definition"]["categories"][0]["weight"] == float(fields["categories[0].weight"])

    renamed = {
        **fields,
        "title": "修订后的细则",
        "categories[0].indicators[0].max_points": "6",
        "categories[1].weight": str(float(fields["categories[1].weight"]) - 1),
        "categories[0].weight": str(float(fields["categories[0].weight"]) + 1),
    }
    saved = await post_form(client, editor_url, editor_url, renamed)
    assert saved.status_code == 303, re.findall(r'class="(?:field-error|detail)"[^>]*>([^<]*)<', saved.text)
    stored = (await call(stack, bureau, "GET", f"{api_urls['evaluation']}/rubrics/{rubric_id}")).json()
    assert stored["title"] == "修订后的细则"
    assert stored["definition"]["categories"][0]["indicators"][0]["max_points"] == 6

    published = await post_form(client, editor_url, f"{editor_url}/publish", {})
    assert published.status_code == 303
    again = await client.get(editor_url)
    assert "<fieldset disabled>" in again.text and 'id="save-rubric"' not in again.text
    version = await post_form(client, editor_url, f"{editor_url}/versions", {})
    assert version.status_code == 303 and version.headers["location"] != editor_url


async def test_the_principal_assesses_the_school_and_a_teacher_reads_it(
    browse, stack, api_urls, eval_world, eval_rubric
):
    world = eval_world
    campaign = await open_campaign(stack, api_urls, world["bureau_x"], eval_rubric)
    page = f"/evaluation/campaigns/{campaign}/self-assessment"
    principal = await browse(world["principal_a"], page)
    bad = await post_form(
        principal,
        page,
        f"{page}/items/sec.video",
        {"kind": "indicator", "points": "", "evidence_note": "联网记录"},
    )
    assert bad.status_code == 422
    assert error_beside(bad.text, "s-sec-video-points") == "请输入分值。"
    assert "联网记录" in bad.text
    good = await post_form(
        principal,
        page,
        f"{page}/items/sec.video",
        {"kind": "indicator", "points": "4", "evidence_note": "联网记录"},
    )
    assert good.status_code == 303
    early = await post_form(principal, page, f"{page}/submit", {})
    assert early.status_code == 422

    teacher = await browse(world["teacher_a"], page)
    seen = await teacher.get(page)
    assert "联网记录" in seen.text and 'name="points"' not in seen.text
    assert (await post_form(teacher, page, f"{page}/items/sec.video", {"points": "1"})).status_code == 403


@pytest.mark.timeout(240)  # the worker pushes grants and renders reports on a shared machine
async def test_the_bureau_signs_off_and_downloads_the_reports_the_worker_renders(
    browse, stack, api_urls, eval_world, eval_rubric, worker
):
    world, bureau = eval_world, eval_world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    year_end = f"/evaluation/campaigns/{campaign}/year-end"
    client = await browse(bureau, year_end)
    unconfirmed = await post_form(client, year_end, year_end, {"note": "年终"})
    assert unconfirmed.status_code == 422 and error_beside(unconfirmed.text, "confirm")
    campaign_now = await call(stack, bureau, "GET", f"{api_urls['evaluation']}/campaigns/{campaign}")
    assert campaign_now.json()["status"] == "open"
    signed = await post_form(client, year_end, year_end, {"note": "年终考评结果", "confirm": "on"})
    assert signed.status_code == 303
    assert 'id="signed-off"' in (await client.get(year_end)).text

    principal = await browse(world["principal_a"])
    frozen = await principal.get(f"/evaluation/campaigns/{campaign}/results/{world.school_a}")
    assert frozen.status_code == 200 and "此结果不再变化" in frozen.text
    client.cookies.set("safecampus_lang", "en")  # the language chosen with the switch
    english = await client.get(f"/evaluation/campaigns/{campaign}/ranking")
    client.cookies.delete("safecampus_lang")
    assert "Inspector calibration" in english.text and "检查组评分校准" not in english.text

    reports = f"/evaluation/campaigns/{campaign}/reports"
    asked = await post_form(client, reports, reports, {"kind": "county_pdf"})
    assert asked.status_code == 303
    listing = (await client.get(reports)).text
    report_id = re.search(r'id="report-([0-9a-f-]{36})"', listing).group(1)

    async def finished() -> str:
        for _ in range(120):
            row = await client.get(f"/evaluation/reports/{report_id}", headers={"HX-Request": "true"})
            if 'data-status="done"' in row.text:
                assert "hx-trigger" not in row.text  # polling stops
                return row.text
            assert 'data-status="failed"' not in row.text, row.text
            assert 'hx-trigger="every 2s"' in row.text
            await asyncio.sleep(0.5)
        raise AssertionError("the report was not rendered")

    await finished()
    pdf = await client.get(f"/evaluation/reports/{report_id}/file")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]

    bad = await post_form(client, reports, reports, {"kind": "nonsense"})
    assert bad.status_code == 422 and 'id="form-message"' in bad.text

    own = await post_form(principal, reports, reports, {"kind": "report_card_pdf"})
    assert own.status_code == 303
    assert (await principal.get(f"/evaluation/reports/{report_id}/file")).status_code == 404  # the county's


@pytest.mark.timeout(240)  # the worker pushes grants on a shared machine
async def test_a_grant_given_after_sign_in_reaches_the_inspector_on_the_inspections_page(
    browse, stack, api_urls, eval_world, eval_rubric, worker
):
    world, bureau = eval_world, eval_world["bureau_x"]
    campaign = await open_campaign(stack, api_urls, bureau, eval_rubric)
    member = await inspector(stack, world, "teacher", "b")
    created = await call(
        stack,
        bureau,
        "POST",
        f"{api_urls['evaluation']}/campaigns/{campaign}/teams",
        json={"name": "晚到的检查组", "members": [{"username": member.username, "lead": True}]},
    )
    assert created.status_code == 201
    client = await browse(member, "/inspections")  # signed in before any assignment: no grant in the token
    assert "您目前没有检查任务" in (await client.get("/inspections?renewed=1")).text

    window = {
        "school_id": str(world.school_a),
        "starts_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "ends_at": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat(),
    }
    assigned = await call(
        stack,
        bureau,
        "POST",
        f"{api_urls['evaluation']}/teams/{created.json()['id']}/assignments",
        json=window,
    )
    assert assigned.status_code == 201
    await wait_for_pushed_grants(stack, member.username, 1)

    visit = await client.get("/inspections")
    assert visit.status_code == 303 and visit.headers["location"] == "/inspections?renewed=1"
    page = await client.get(visit.headers["location"])
    assert f'href="/inspections/{assigned.json()["id"]}"' in page.text
    assert (await client.get(f"/inspections/{assigned.json()['id']}")).status_code == 200
