"""The campaign pages over plain HTTP: who may open them, the forms (errors beside the fields, what was typed
kept, nothing written), closing a phase and why it cannot close, the bureau's board and its actions."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.portal.campaign_helpers import (
    JPEG,
    PDF,
    PHASES,
    SchoolsApi,
    field_errors,
    new_campaign_county,
    school_today,
)
from tests.portal.conftest import csrf_of, sign_in

pytestmark = pytest.mark.usefixtures("portal")


@pytest.fixture(scope="module")
async def county(stack):
    return await new_campaign_county(stack, "cph")


@pytest.fixture(scope="module")
def schools(stack, schools_api) -> SchoolsApi:
    return SchoolsApi(stack, schools_api)


@pytest.fixture(scope="module")
async def launched(county, schools) -> dict[str, Any]:
    """One launched campaign the read-only tests share."""
    return await schools.launch(county["bureau"])


async def _signed_in(portal: Any, username: str, path: str = "/") -> tuple[httpx.AsyncClient, httpx.Response]:
    client = httpx.AsyncClient(follow_redirects=False, timeout=30)
    page = await sign_in(client, portal.url, username, PASSWORD, path=path)
    return client, page


@pytest.fixture
async def as_user(portal):
    """Sign a user in (a client of their own each); the clients are closed after the test."""
    clients: list[httpx.AsyncClient] = []

    async def sign(user: Any, path: str = "/") -> tuple[httpx.AsyncClient, httpx.Response]:
        client, page = await _signed_in(portal, user.username, path)
        clients.append(client)
        return client, page

    yield sign
    for client in clients:
        await client.aclose()


async def test_the_bureau_sees_the_board_with_every_school_and_the_counts_per_phase(
    portal, as_user, county, launched
):
    _client, page = await as_user(county["bureau"], f"/campaign?campaign_id={launched['id']}")
    assert page.status_code == 200, page.text[:2000]
    assert launched["title"] in page.text
    for code in county.codes.values():
        assert f'data-school="{code}"' in page.text
    assert 'data-current-phase="deployment"' in page.text
    assert 'href="/campaign"' in page.text  # the menu entry


async def test_the_principal_sees_the_timeline_and_what_the_open_phase_lacks(
    portal, as_user, county, launched
):
    instance = launched["instances"][county.school_a]
    _client, page = await as_user(county["principal_a"], f"/campaign/schools/{instance}")
    assert page.status_code == 200, page.text[:2000]
    assert "组织部署" in page.text and "摸底排查" in page.text
    assert "尚未成立领导小组" in page.text  # what the open phase still lacks
    assert f'href="/campaign/schools/{instance}/leading-group"' in page.text


@pytest.mark.parametrize("role", ["teacher_a", "guard_a"])
async def test_teachers_and_guards_get_403_on_the_campaign_pages(portal, as_user, county, launched, role):
    instance = launched["instances"][county.school_a]
    client, home = await as_user(county[role])
    assert 'href="/campaign"' not in home.text
    for path in (
        "/campaign",
        f"/campaign/schools/{instance}",
        f"/campaign/schools/{instance}/leading-group",
        "/campaign/county/new",
    ):
        answer = await client.get(portal.url + path)
        assert answer.status_code == 403, path
    token = csrf_of(home.text)
    closing = await client.post(
        portal.url + f"/campaign/schools/{instance}/close-phase",
        data={"_csrf_token": token, "phase": "deployment"},
    )
    assert closing.status_code == 403


async def test_a_principal_of_another_school_gets_404_for_school_as_campaign(
    portal, as_user, county, launched
):
    instance = launched["instances"][county.school_a]
    client, _ = await as_user(county["principal_b"])
    assert (await client.get(portal.url + f"/campaign/schools/{instance}")).status_code == 404
    assert (await client.get(portal.url + f"/campaign/schools/{instance}/leading-group")).status_code == 404


async def test_the_leading_group_form_saves_the_group_and_the_deliverable_is_complete(
    portal, as_user, county, schools
):
    campaign = await schools.launch(county["bureau"])
    instance = campaign["instances"][county.school_a]
    client, form = await as_user(county["principal_a"], f"/campaign/schools/{instance}/leading-group")
    data = {
        "_csrf_token": csrf_of(form.text),
        "leader_duties": "全面负责",
        "established_on": school_today().isoformat(),
        "members-0-name": "王副校长",
        "members-0-role": "deputy_leader",
        "members-0-position": "副校长",
        "members-0-duties": "日常组织",
        "members-1-name": "",
        "members-1-role": "member",
        "members-1-position": "",
        "members-1-duties": "",
    }
    answer = await client.post(portal.url + f"/campaign/schools/{instance}/leading-group", data=data)
    assert answer.status_code == 303, (field_errors(answer.text), answer.text[-3000:])
    contents = await schools.ok(county["principal_a"], "GET", f"/school-campaigns/{instance}/deliverables")
    group = contents["leading_group"]
    assert group["leader_duties"] == "全面负责"
    assert [(m["name"], m["role"], m["duties"]) for m in group["members"]] == [
        ("王副校长", "deputy_leader", "日常组织")
    ]


async def _post(
    client: httpx.AsyncClient, portal: Any, path: str, page: str, data: dict[str, Any], **kw: Any
):
    return await client.post(portal.url + path, data={"_csrf_token": csrf_of(page), **data}, **kw)


async def test_closing_a_phase_too_early_says_what_is_missing_and_changes_nothing(
    portal, as_user, county, schools
):
    campaign = await schools.launch(county["bureau"])
    instance = campaign["instances"][county.school_a]
    client, page = await as_user(county["principal_a"], f"/campaign/schools/{instance}")

    answer = await _post(
        client, portal, f"/campaign/schools/{instance}/close-phase", page.text, {"phase": "deployment"}
    )

    assert answer.status_code == 409
    refusal = re.search(
        r'<div class="notice notice-error" role="alert" id="close-error">(.*?)</div>', answer.text, re.S
    )
    assert refusal is not None
    assert "本阶段还不能关闭" in refusal.group(1)
    for label in ("领导小组", "部署会议", "实施方案", "安全责任分工"):
        assert label in refusal.group(1)
    view = await schools.ok(county["principal_a"], "GET", f"/school-campaigns/{instance}")
    assert view["current_phase"] == "deployment" and view["history"][-1]["action"] == "open"


async def test_a_bad_leading_group_comes_back_with_the_errors_beside_the_fields_and_nothing_is_saved(
    portal, as_user, county, launched, schools
):
    instance = launched["instances"][county.school_b]
    client, form = await as_user(county["principal_b"], f"/campaign/schools/{instance}/leading-group")
    tomorrow = (school_today() + dt.timedelta(days=1)).isoformat()

    answer = await _post(
        client,
        portal,
        f"/campaign/schools/{instance}/leading-group",
        form.text,
        {
            "leader_duties": "",
            "established_on": tomorrow,
            "members-0-name": "赵老师",
            "members-0-role": "member",
            "members-0-duties": "",
            "members-1-name": "",
            "members-1-role": "member",
        },
    )

    assert answer.status_code == 422
    assert field_errors(answer.text) == {
        "leader_duties": "此项为必填项。",
        "established_on": "该日期晚于今天。",
        "members-0-duties": "此项为必填项。",
    }
    assert 'value="赵老师"' in answer.text  # what was typed is kept
    assert 'aria-invalid="true"' in answer.text
    contents = await schools.ok(county["principal_b"], "GET", f"/school-campaigns/{instance}/deliverables")
    assert contents["leading_group"] is None


async def test_a_meeting_with_a_file_of_a_forbidden_type_is_refused_beside_the_attachment(
    portal, as_user, county, launched, schools
):
    instance = launched["instances"][county.school_b]
    client, form = await as_user(county["principal_b"], f"/campaign/schools/{instance}/meetings")
    fields = {
        "title": "部署会议",
        "held_on": school_today().isoformat(),
        "attendees": "王校长，李老师",
        "minutes": "部署工作。",
        "_csrf_token": csrf_of(form.text),
    }

    answer = await client.post(
        portal.url + f"/campaign/schools/{instance}/meetings",
        data=fields,
        files={"attachment": ("run.sh", b"#!/bin/sh\nrm -rf /\n", "application/pdf")},
    )

    assert answer.status_code == 422
    assert field_errors(answer.text) == {
        "attachment": "只能上传照片（JPEG、PNG、WebP、HEIC）、PDF 和办公文档。"
    }
    assert 'value="部署会议"' in answer.text
    contents = await schools.ok(county["principal_b"], "GET", f"/school-campaigns/{instance}/deliverables")
    assert contents["meetings"] == []

    saved = await client.post(
        portal.url + f"/campaign/schools/{instance}/meetings",
        data=fields,
        files={"attachment": ("纪要.pdf", PDF, "application/pdf")},
    )
    assert saved.status_code == 303
    contents = await schools.ok(county["principal_b"], "GET", f"/school-campaigns/{instance}/deliverables")
    [meeting] = contents["meetings"]
    assert meeting["attendees"] == ["王校长", "李老师"]
    assert meeting["attachment"]["filename"] == "纪要.pdf"


async def test_evidence_files_come_back_through_the_portal_only_to_their_school(
    portal, as_user, county, schools
):
    file_id = await schools.upload(county["principal_a"], name="方案.pdf")
    own, _ = await as_user(county["principal_a"])
    answer = await own.get(portal.url + f"/campaign/files/{file_id}")
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"

    other, _ = await as_user(county["principal_b"])
    assert (await other.get(portal.url + f"/campaign/files/{file_id}")).status_code == 404


async def test_the_bureau_extends_a_deadline_with_a_reason_and_a_bad_request_is_refused_beside_the_fields(
    portal, as_user, county, schools
):
    campaign = await schools.launch(county["bureau"])
    instance = campaign["instances"][county.school_a]
    client, page = await as_user(county["bureau"], f"/campaign/schools/{instance}")
    assert "延长截止日期" in page.text
    path = f"/campaign/schools/{instance}/extend-deadline"

    empty = await _post(
        client, portal, path, page.text, {"phase": "deployment", "deadline": "", "reason": ""}
    )
    assert empty.status_code == 422
    assert field_errors(empty.text) == {"deadline": "此项为必填项。", "reason": "此项为必填项。"}
    too_early = await _post(
        client,
        portal,
        path,
        page.text,
        {"phase": "deployment", "deadline": school_today().isoformat(), "reason": "雨季停课"},
    )
    assert too_early.status_code == 422
    assert field_errors(too_early.text) == {"deadline": "请选择晚于现行截止日期的日期。"}
    assert "雨季停课" in too_early.text
    view = await schools.ok(county["bureau"], "GET", f"/school-campaigns/{instance}")
    assert view["phases"][0]["extended_until"] is None

    later = (school_today() + dt.timedelta(days=40)).isoformat()
    done = await _post(
        client, portal, path, page.text, {"phase": "deployment", "deadline": later, "reason": "雨季停课"}
    )
    assert done.status_code == 303
    shown = await client.get(portal.url + done.headers["location"])
    assert "截止日期已延长" in shown.text
    assert "雨季停课" in shown.text
    view = await schools.ok(county["bureau"], "GET", f"/school-campaigns/{instance}")
    assert view["phases"][0]["extended_until"] == later


async def test_the_bureau_reopens_a_closed_phase_with_a_reason(portal, as_user, county, schools):
    campaign = await schools.launch(county["bureau"], start=school_today() - dt.timedelta(days=3))
    instance = campaign["instances"][county.school_a]
    await _complete_deployment(schools, county["principal_a"], instance)
    await schools.ok(
        county["principal_a"],
        "POST",
        f"/school-campaigns/{instance}/close-phase",
        json={"phase": "deployment"},
    )
    client, page = await as_user(county["bureau"], f"/campaign/schools/{instance}")
    path = f"/campaign/schools/{instance}/reopen-phase"

    refused = await _post(client, portal, path, page.text, {"phase": "deployment", "reason": "x"})
    assert refused.status_code == 422
    assert field_errors(refused.text) == {"reason": "请填写 2 至 500 个字符的理由。"}
    done = await _post(client, portal, path, page.text, {"phase": "deployment", "reason": "会议纪要不完整"})
    assert done.status_code == 303
    view = await schools.ok(county["principal_a"], "GET", f"/school-campaigns/{instance}")
    assert view["current_phase"] == "deployment"
    assert view["history"][-1]["reason"] == "会议纪要不完整"


async def _complete_deployment(schools: SchoolsApi, principal: Any, instance: str) -> None:
    """Every deployment deliverable, recorded through the API."""
    today = school_today().isoformat()
    base = f"/school-campaigns/{instance}"
    await schools.ok(
        principal,
        "PUT",
        base + "/leading-group",
        json={
            "leader_duties": "全面负责",
            "established_on": today,
            "members": [{"name": "甲", "role": "member", "duties": "乙"}],
        },
    )
    await schools.ok(
        principal,
        "POST",
        base + "/meetings",
        json={"held_on": today, "title": "部署会", "attendees": ["甲"], "minutes": "部署"},
    )
    file_id = await schools.upload(principal)
    await schools.ok(
        principal,
        "PUT",
        base + "/implementation-plan",
        json={"title": "实施方案", "file_id": file_id, "adopted_on": today},
    )
    await schools.ok(
        principal,
        "PUT",
        base + "/responsibilities",
        json={"assignments": [{"duty": "校门", "responsible_name": "甲"}]},
    )


async def test_the_bureau_drafts_a_campaign_in_the_editor_launches_it_and_sees_the_board(
    portal, as_user, county, schools
):
    client, page = await as_user(county["bureau"], "/campaign/county/new")
    start = school_today()
    title = f"秋季专项治理 {secrets.token_hex(2)}"
    fields: dict[str, Any] = {"title": "", "description": "全县开展", "start_date": "someday"}
    for i, phase in enumerate(PHASES):
        fields[f"deadline-{phase}"] = (start + dt.timedelta(days=10 * (i + 1))).isoformat()
        fields[f"required-{phase}"] = []
    fields["required-deployment"] = ["leading_group", "deployment_meeting"]
    before = len(await schools.ok(county["bureau"], "GET", "/campaigns"))

    bad = await _post(client, portal, "/campaign/county/new", page.text, fields)
    assert bad.status_code == 422
    assert field_errors(bad.text) == {
        "title": "此项为必填项。",
        "start_date": "请输入日期，例如 2026-04-13。",
    }
    out_of_order = await _post(
        client,
        portal,
        "/campaign/county/new",
        page.text,
        {
            **fields,
            "title": title,
            "start_date": start.isoformat(),
            "deadline-remediation": start.isoformat(),
        },
    )
    assert out_of_order.status_code == 422
    assert list(field_errors(out_of_order.text)) == ["deadline-remediation"]
    assert len(await schools.ok(county["bureau"], "GET", "/campaigns")) == before

    saved = await _post(
        client,
        portal,
        "/campaign/county/new",
        page.text,
        {**fields, "title": title, "start_date": start.isoformat()},
    )
    assert saved.status_code == 303
    draft = next(c for c in await schools.ok(county["bureau"], "GET", "/campaigns") if c["title"] == title)
    assert draft["status"] == "draft"
    assert draft["phases"][0]["required"] == ["leading_group", "deployment_meeting"]
    assert draft["phases"][1]["required"] == []

    board_page = await client.get(portal.url + saved.headers["location"])
    launched = await _post(client, portal, f"/campaign/county/{draft['id']}/launch", board_page.text, {})
    assert launched.status_code == 303
    board = await client.get(portal.url + launched.headers["location"])
    assert "专项治理已启动" in board.text
    for code in county.codes.values():
        assert f'data-school="{code}"' in board.text

    edit = await client.get(portal.url + f"/campaign/county/{draft['id']}/edit")
    later = (start + dt.timedelta(days=60)).isoformat()
    changed = await _post(
        client,
        portal,
        f"/campaign/county/{draft['id']}/edit",
        edit.text,
        {**fields, "title": title, "deadline-consolidation": later},
    )
    assert changed.status_code == 303
    campaign = await schools.ok(county["bureau"], "GET", f"/campaigns/{draft['id']}")
    assert campaign["phases"][4]["deadline"] == later
    assert campaign["phases"][0]["required"] == ["leading_group", "deployment_meeting"]

    ended = await _post(client, portal, f"/campaign/county/{draft['id']}/close", edit.text, {})
    assert ended.status_code == 303
    assert (await schools.ok(county["bureau"], "GET", f"/campaigns/{draft['id']}"))["status"] == "closed"


async def test_the_principal_registers_a_management_system_and_adds_a_version(
    portal, as_user, county, schools
):
    client, page = await as_user(county["principal_a"], "/documents")
    today = school_today().isoformat()
    bad = await client.post(
        portal.url + "/documents",
        data={
            "_csrf_token": csrf_of(page.text),
            "kind": "security",
            "title": "",
            "effective_on": today,
            "approved_by": "",
            "approved_on": today,
        },
    )
    assert bad.status_code == 422
    assert field_errors(bad.text) == {
        "title": "此项为必填项。",
        "approved_by": "此项为必填项。",
        "file": "请上传审批通过的文件。",
    }
    assert await schools.ok(county["principal_a"], "GET", "/management-documents") == []

    data = {
        "_csrf_token": csrf_of(page.text),
        "kind": "security",
        "title": "学校安全保卫制度",
        "effective_on": today,
        "approved_by": "校务会",
        "approved_on": today,
    }
    saved = await client.post(
        portal.url + "/documents", data=data, files={"file": ("制度.pdf", PDF, "application/pdf")}
    )
    assert saved.status_code == 303
    detail = await client.get(portal.url + saved.headers["location"])
    assert "学校安全保卫制度" in detail.text and "现行第 1 版" in detail.text
    again = await client.post(
        portal.url + saved.headers["location"].split("?")[0],
        data={**data, "change_note": "增加夜间巡逻"},
        files={"file": ("制度v2.pdf", PDF, "application/pdf")},
    )
    assert again.status_code == 303
    [document] = await schools.ok(county["principal_a"], "GET", "/management-documents")
    assert document["latest_version"] == 2 and document["in_force"]["approved_by"] == "校务会"
    listing = await client.get(portal.url + "/documents")
    assert "安全保卫管理" in listing.text and "第 2 版" in listing.text


async def test_a_plan_not_drilled_this_term_is_flagged_until_a_drill_is_recorded(
    portal, as_user, county, schools
):
    client, page = await as_user(county["principal_b"], "/drills")
    created = await client.post(
        portal.url + "/drills",
        data={
            "_csrf_token": csrf_of(page.text),
            "kind": "fire",
            "title": "消防疏散预案",
            "responsible_name": "王校长",
        },
    )
    assert created.status_code == 303
    plan_page = await client.get(portal.url + created.headers["location"])
    assert "本学期未演练" in plan_page.text
    path = created.headers["location"].split("?")[0]

    bad = await client.post(
        portal.url + path,
        data={
            "_csrf_token": csrf_of(plan_page.text),
            "held_on": school_today().isoformat(),
            "scenario": "",
            "participants": "many",
        },
    )
    assert bad.status_code == 422
    assert field_errors(bad.text) == {"scenario": "此项为必填项。", "participants": "请输入整数。"}
    recorded = await client.post(
        portal.url + path,
        data={
            "_csrf_token": csrf_of(plan_page.text),
            "held_on": school_today().isoformat(),
            "scenario": "二楼化学实验室起火",
            "participants": "640",
            "evacuation_seconds": "185",
            "findings": "东侧楼梯拥挤",
        },
        files={"photos": ("现场.jpg", JPEG, "image/jpeg")},
    )
    assert recorded.status_code == 303
    [plan] = await schools.ok(county["principal_b"], "GET", "/emergency-plans")
    assert plan["flag"] is None and plan["drill_count"] == 1
    listing = await client.get(portal.url + "/drills")
    assert "已演练" in listing.text and "本学期未演练" not in listing.text


async def test_the_home_cards_show_the_campaign(portal, as_user, county, launched):
    bureau, home = await as_user(county["bureau"])
    assert 'hx-get="/campaign/home-card"' in home.text
    card = await bureau.get(portal.url + "/campaign/home-card", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "组织部署" in card.text
    principal, _ = await as_user(county["principal_a"])
    card = await principal.get(portal.url + "/campaign/home-card", headers={"HX-Request": "true"})
    assert "当前阶段" in card.text


async def test_the_campaign_page_speaks_english_when_asked(portal, as_user, county, launched):
    instance = launched["instances"][county.school_a]
    client, page = await as_user(county["principal_a"], f"/campaign/schools/{instance}")
    await client.post(
        portal.url + "/language", data={"_csrf_token": csrf_of(page.text), "locale": "en", "next": "/"}
    )
    english = await client.get(portal.url + f"/campaign/schools/{instance}")
    assert "Open phase: Organisational deployment" in english.text
    assert "Leading group" in english.text and "组织部署" not in english.text


async def test_an_overdue_phase_is_marked_on_the_board_by_class_and_by_words(
    portal, as_user, county, schools
):
    start = school_today() - dt.timedelta(days=40)
    campaign = await schools.launch(county["bureau"], start=start, step=7)
    client, page = await as_user(county["bureau"], f"/campaign?campaign_id={campaign['id']}")
    code = county.codes[county.school_a]
    row = re.search(rf'<tr class="([^"]*)" data-school="{code}".*?</tr>', page.text, re.S)
    assert row is not None and "overdue" in row.group(1).split()
    cell = re.search(
        r'<td class="cell cell-open overdue" data-phase="deployment"[^>]*>(.*?)</td>', row.group(0), re.S
    )
    assert cell is not None
    assert "逾期" in cell.group(1)  # not colour alone: the word is there
    instance = campaign["instances"][county.school_a]
    school_page = await client.get(portal.url + f"/campaign/schools/{instance}")
    assert 'class="phase phase-open overdue"' in school_page.text


@pytest.mark.parametrize("role", ["teacher_a", "guard_a", "bureau"])
async def test_the_school_records_pages_are_the_principals(portal, as_user, county, role):
    client, _ = await as_user(county[role])
    for path in ("/documents", "/drills"):
        assert (await client.get(portal.url + path)).status_code == 403, path


async def test_remediation_evidence_and_the_consolidation_can_be_prepared_through_their_forms(
    portal, as_user, county, schools
):
    campaign = await schools.launch(county["bureau"])
    instance = campaign["instances"][county.school_a]
    base = f"/campaign/schools/{instance}"
    client, form = await as_user(county["principal_a"], f"{base}/evidence?measure=gate_duty")
    assert '<option value="gate_duty" selected>' in form.text
    assert 'value="dormitory_night_inspections"' not in form.text  # a day school has no dormitories

    record = await _post(
        client,
        portal,
        f"{base}/evidence",
        form.text,
        {"measure": "gate_duty", "kind": "record", "record_service": ""},
    )
    assert record.status_code == 422
    assert field_errors(record.text) == {
        "record_service": "此项为必填项。",
        "record_type": "此项为必填项。",
        "record_id": "此项为必填项。",
    }
    no_file = await _post(
        client, portal, f"{base}/evidence", form.text, {"measure": "gate_duty", "kind": "photo"}
    )
    assert field_errors(no_file.text) == {"file": "请选择要上传的文件。"}
    not_a_photo = await client.post(
        portal.url + f"{base}/evidence",
        data={"_csrf_token": csrf_of(form.text), "measure": "gate_duty", "kind": "photo"},
        files={"file": ("roster.pdf", PDF, "application/pdf")},
    )
    assert not_a_photo.status_code == 422
    assert list(field_errors(not_a_photo.text)) == ["file"]
    contents = await schools.ok(county["principal_a"], "GET", f"/school-campaigns/{instance}/deliverables")
    assert all(not m["evidence"] for m in contents["measures"])

    photo = await client.post(
        portal.url + f"{base}/evidence",
        data={"_csrf_token": csrf_of(form.text), "measure": "gate_duty", "kind": "photo", "note": "早上值守"},
        files={"file": ("值守.jpg", JPEG, "image/jpeg")},
    )
    assert photo.status_code == 303
    summary = await _post(client, portal, f"{base}/summary-report", form.text, {"summary": "专项治理总结"})
    assert summary.status_code == 303
    nothing = await _post(client, portal, f"{base}/mechanisms", form.text, {})
    assert field_errors(nothing.text) == {"mechanism-leadership": "请至少填写一项机制。"}
    mechanisms = await _post(
        client,
        portal,
        f"{base}/mechanisms",
        form.text,
        {"mechanism-leadership": "校长负总责", "mechanism-working": "每周例会"},
    )
    assert mechanisms.status_code == 303

    contents = await schools.ok(county["principal_a"], "GET", f"/school-campaigns/{instance}/deliverables")
    gate = next(m for m in contents["measures"] if m["measure"] == "gate_duty")
    assert [(e["kind"], e["file"]["filename"], e["note"]) for e in gate["evidence"]] == [
        ("photo", "值守.jpg", "早上值守")
    ]
    assert contents["summary_report"]["summary"] == "专项治理总结"
    assert {m["mechanism"] for m in contents["mechanisms"]} == {"leadership", "working"}
    page = await client.get(portal.url + base)
    assert "值守.jpg" in page.text and "校长负总责" in page.text
