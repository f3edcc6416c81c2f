# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The personnel pages over HTTP, signed in like a browser: who may open which page, isolation between
schools, bad input answered beside the fields with nothing written, ID numbers never shown unmasked, the
404 page for a student of concern that is not the teacher's, and an invitation that ends in a sign-in."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.personnel.conftest import new_campus, new_staff_user
from tests.portal.conftest import csrf_of, fresh_headers, sign_in
from tests.portal.personnel_helpers import (  # noqa: F401 (fixtures)
    NAMES,
    personnel_db,
    resident_id,
    staffed,
    unmasked_id_numbers,
)

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def signed_in(portal) -> AsyncIterator[Any]:
    """``await signed_in(user, path)``: a client of its own signed in as ``user``, and the page at ``path``."""
    clients: list[httpx.AsyncClient] = []

    async def open_as(
        user: Any, path: str = "/", password: str = PASSWORD
    ) -> tuple[httpx.AsyncClient, httpx.Response]:
        client = httpx.AsyncClient(follow_redirects=False, timeout=30)
        clients.append(client)
        return client, await sign_in(client, portal.url, user.username, password, path=path)

    yield open_as
    for client in clients:
        await client.aclose()


async def _api(stack, api_urls, user, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(
            method, api_urls["personnel"] + path, headers=await fresh_headers(stack, user), **kwargs
        )


async def _visits(stack, api_urls, user, q: str) -> int:
    answer = await _api(stack, api_urls, user, "GET", "/visits", params={"q": q})
    return int(answer.json()["total"])


# --- roles -------------------------------------------------------------------------------------------------
PAGES = {
    "/gate": {"guard", "principal"},
    "/duty": {"principal", "teacher", "guard"},
    "/duty/roster": {"principal"},
    "/staff": {"principal"},
    "/staff/invite": {"principal"},
    "/staff/team": {"principal"},
    "/staff/staffing": {"principal"},
    "/dormitories": {"principal", "teacher", "guard"},
    "/concerns": {"principal", "teacher"},
    "/concerns/new": {"principal"},
    "/training": {"principal", "teacher", "guard"},
    "/training/new": {"principal", "teacher"},
    "/county-staffing": {"bureau"},
    "/bureau-users": {"bureau"},
    "/bureau-users/invite": {"bureau"},
}


@pytest.mark.parametrize("key", ["guard_a", "teacher_a", "principal_a", "bureau_x"])
async def test_each_role_opens_its_personnel_pages_and_is_refused_the_others(
    portal, world, staffed, signed_in, key
):
    client, home = await signed_in(world[key])
    assert home.status_code == 200
    role = world[key].role
    for path, roles in PAGES.items():
        answer = await client.get(portal.url + path)
        expected = 200 if role in roles else 403
        assert answer.status_code == expected, (path, role, answer.status_code, answer.text[:300])
        if expected == 200:
            assert "<h1>" in answer.text
            menu = re.search(r'<nav aria-label="[^"]*" class="main-nav">(.*?)</nav>', home.text, re.S).group(
                1
            )
            top = "/" + path.strip("/").split("/")[0]
            if top in (
                "/gate",
                "/duty",
                "/staff",
                "/dormitories",
                "/concerns",
                "/training",
                "/county-staffing",
            ):
                assert f'href="{top}"' in menu, (path, role)


async def test_the_home_cards_load_their_parts(portal, world, staffed, signed_in):
    guard, home = await signed_in(world["guard_a"])
    assert 'id="register-visitor"' in home.text and 'href="/gate"' in home.text
    card = await guard.get(portal.url + "/duty/card", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "<html" not in card.text
    teacher, home = await signed_in(world["teacher_a"])
    assert 'hx-get="/concerns/card"' in home.text
    card = await teacher.get(portal.url + "/concerns/card", headers={"HX-Request": "true"})
    assert card.status_code == 200
    principal, home = await signed_in(world["principal_a"])
    card = await principal.get(portal.url + "/staff/staffing/card", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "staffing-card-heading" in card.text


# --- the gate ----------------------------------------------------------------------------------------------
async def test_a_visitor_form_with_missing_fields_comes_back_beside_them_and_registers_nothing(
    portal, world, staffed, signed_in, stack, api_urls
):
    guard, page = await signed_in(world["guard_a"], "/gate")
    name = f"访客{secrets.token_hex(3)}"
    number = resident_id()
    answer = await guard.post(
        portal.url + "/gate/visits",
        data={
            "_csrf_token": csrf_of(page.text),
            "visitor_name": name,
            "id_type": "resident_id",
            "id_number": number,
            "purpose": "",
            "host_name": "",
        },
    )
    assert answer.status_code == 422
    assert 'id="e-purpose"' in answer.text and 'id="e-host_name"' in answer.text
    assert f'value="{name}"' in answer.text  # what was typed is kept …
    assert number not in answer.text  # … except the ID number, which is never sent back
    assert await _visits(stack, api_urls, world["guard_a"], name) == 0


async def test_a_wrong_resident_id_is_refused_beside_the_field_and_nothing_is_written(
    portal, world, staffed, signed_in, stack, api_urls
):
    guard, page = await signed_in(world["guard_a"], "/gate")
    name = f"访客{secrets.token_hex(3)}"
    good = resident_id()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    answer = await guard.post(
        portal.url + "/gate/visits",
        data={
            "_csrf_token": csrf_of(page.text),
            "visitor_name": name,
            "id_type": "resident_id",
            "id_number": wrong,
            "purpose": "送教材",
            "host_name": "教务处",
        },
    )
    assert answer.status_code == 422
    assert re.search(r'id="e-id_number">[^<]*校验码', answer.text)
    assert wrong not in answer.text
    assert await _visits(stack, api_urls, world["guard_a"], name) == 0


async def test_no_page_shows_an_id_number_unmasked(portal, world, staffed, signed_in, stack, api_urls):
    number = resident_id()
    name = f"访客{secrets.token_hex(3)}"
    created = await _api(
        stack,
        api_urls,
        world["guard_a"],
        "POST",
        "/visits",
        json={
            "visitor_name": name,
            "id_type": "resident_id",
            "id_number": number,
            "purpose": "送教材",
            "host_name": "教务处",
            "phone": "13800138000",
        },
    )
    assert created.status_code == 201, created.text
    visit_id = created.json()["id"]
    for key in ("guard_a", "principal_a"):
        client, _ = await signed_in(world[key])
        for path in ("/gate", f"/gate?q={name}", f"/gate/visits/{visit_id}"):
            page = await client.get(portal.url + path)
            assert page.status_code == 200, path
            assert number[:3] + "*" * 11 + number[-4:] in page.text, path
            assert number not in page.text and unmasked_id_numbers(page.text) == [], path
        # the exact search by ID number finds the visit and shows the number masked only
        found = await client.post(
            portal.url + "/gate/search-id", data={"_csrf_token": csrf_of(page.text), "id_number": number}
        )
        assert found.status_code == 200 and name in found.text.split('id="results-heading"')[1]
        assert number not in found.text and unmasked_id_numbers(found.text) == []
        short = await client.post(
            portal.url + "/gate/search-id", data={"_csrf_token": csrf_of(page.text), "id_number": "12"}
        )
        assert short.status_code == 422 and 'id="e-search_id_number"' in short.text


async def test_another_schools_visit_is_the_404_page_and_its_search_finds_nothing(
    portal, world, staffed, signed_in, stack, api_urls
):
    name = f"访客{secrets.token_hex(3)}"
    created = await _api(
        stack,
        api_urls,
        world["guard_a"],
        "POST",
        "/visits",
        json={
            "visitor_name": name,
            "id_type": "passport",
            "id_number": "E12345678",
            "purpose": "参观",
            "host_name": "校办",
        },
    )
    visit_id = created.json()["id"]
    other, _ = await signed_in(world["principal_b"])
    page = await other.get(portal.url + f"/gate/visits/{visit_id}")
    assert page.status_code == 404
    assert "不存在" in page.text and name not in page.text
    found = await other.get(portal.url + f"/gate?q={name}")
    assert found.status_code == 200 and "没有符合条件的来访记录。" in found.text
    # and nobody of school B can let them out
    token = csrf_of(found.text)
    refused = await other.post(portal.url + f"/gate/visits/{visit_id}/exit", data={"_csrf_token": token})
    assert refused.status_code == 404


async def test_refusing_without_a_reason_comes_back_and_changes_nothing(
    portal, world, staffed, signed_in, stack, api_urls
):
    created = await _api(
        stack,
        api_urls,
        world["guard_a"],
        "POST",
        "/visits",
        json={
            "visitor_name": f"访客{secrets.token_hex(3)}",
            "id_type": "passport",
            "id_number": "E7654321",
            "purpose": "参观",
            "host_name": "校办",
        },
    )
    visit_id = created.json()["id"]
    guard, page = await signed_in(world["guard_a"], f"/gate/visits/{visit_id}")
    answer = await guard.post(
        portal.url + f"/gate/visits/{visit_id}/refuse",
        data={"_csrf_token": csrf_of(page.text), "reason": " "},
    )
    assert answer.status_code == 422 and 'id="e-reason"' in answer.text
    visit = await _api(stack, api_urls, world["guard_a"], "GET", f"/visits/{visit_id}")
    assert visit.json()["status"] == "registered"


# --- students of concern -----------------------------------------------------------------------------------
async def test_a_student_of_concern_is_seen_by_the_principal_and_the_assigned_teacher_only(
    portal, world, staffed, signed_in, stack, api_urls, personnel_db
):
    student = f"学生{secrets.token_hex(3)}"
    principal, page = await signed_in(world["principal_a"], "/concerns/new")
    token = csrf_of(page.text)
    bad = await principal.post(
        portal.url + "/concerns/new",
        data={
            "_csrf_token": token,
            "student_name": student,
            "category": "",
            "responsible_staff_id": "",
            "review_interval_days": "0",
        },
    )
    assert bad.status_code == 422
    for name in ("category", "responsible_staff_id", "review_interval_days"):
        assert f'id="e-{name}"' in bad.text, name
    listed = await _api(stack, api_urls, world["principal_a"], "GET", "/students-of-concern")
    assert student not in listed.text

    created = await principal.post(
        portal.url + "/concerns/new",
        data={
            "_csrf_token": token,
            "student_name": student,
            "class_name": "七(2)班",
            "category": "inferiority",
            "responsible_staff_id": str(staffed["teacher_a"]),
            "care_plan": "每周谈心一次",
            "review_interval_days": "14",
        },
    )
    assert created.status_code == 303
    path = created.headers["location"]
    assert student in (await principal.get(portal.url + path)).text

    teacher, _ = await signed_in(world["teacher_a"])
    mine = await teacher.get(portal.url + path)
    assert mine.status_code == 200 and "每周谈心一次" in mine.text
    assert student in (await teacher.get(portal.url + "/concerns")).text

    other_teacher, _ = await new_staff_user(
        stack, personnel_db, "teacher", world.county_x, world.school_a, "孙老师"
    )
    outsider, _ = await signed_in(other_teacher)
    hidden = await outsider.get(portal.url + path)
    assert hidden.status_code == 404 and student not in hidden.text
    assert student not in (await outsider.get(portal.url + "/concerns")).text

    bureau, _ = await signed_in(world["bureau_x"])
    overview = await bureau.get(portal.url + "/county-staffing")
    assert overview.status_code == 200
    assert student not in overview.text and "自卑" in overview.text
    assert (await bureau.get(portal.url + path)).status_code == 403


async def test_the_responsible_teacher_records_a_review_and_an_empty_one_is_refused(
    portal, world, staffed, signed_in, stack, api_urls
):
    created = await _api(
        stack,
        api_urls,
        world["principal_a"],
        "POST",
        "/students-of-concern",
        json={
            "student_name": f"学生{secrets.token_hex(3)}",
            "category": "restlessness",
            "responsible_staff_id": str(staffed["teacher_a"]),
        },
    )
    concern_id = created.json()["id"]
    teacher, page = await signed_in(world["teacher_a"], f"/concerns/{concern_id}")
    token = csrf_of(page.text)
    empty = await teacher.post(
        portal.url + f"/concerns/{concern_id}/reviews", data={"_csrf_token": token, "notes": ""}
    )
    assert empty.status_code == 422 and 'id="e-notes"' in empty.text
    done = await teacher.post(
        portal.url + f"/concerns/{concern_id}/reviews",
        data={"_csrf_token": token, "notes": "情绪稳定，继续观察"},
    )
    assert done.status_code == 303
    assert "情绪稳定，继续观察" in (await teacher.get(portal.url + f"/concerns/{concern_id}")).text


# --- staff, invitation, account ----------------------------------------------------------------------------
async def test_an_invited_teacher_gets_an_account_and_signs_in_to_the_portal_until_deactivated(
    portal, world, staffed, signed_in, stack, worker
):
    username = f"t{secrets.token_hex(4)}"
    email = f"{username}@test.example"
    principal, page = await signed_in(world["principal_a"], "/staff/invite")
    token = csrf_of(page.text)
    bad = await principal.post(
        portal.url + "/staff/invite",
        data={
            "_csrf_token": token,
            "name": "",
            "email": "not-an-e-mail",
            "username": username,
            "role": "teacher",
        },
    )
    assert bad.status_code == 422 and 'id="e-name"' in bad.text
    # the API's verdict on a field is shown beside that field, in the user's words
    bad = await principal.post(
        portal.url + "/staff/invite",
        data={
            "_csrf_token": token,
            "name": "周老师",
            "email": "not-an-e-mail",
            "username": username,
            "role": "teacher",
        },
    )
    assert bad.status_code == 422
    assert re.search(r'id="e-email">请输入电子邮箱', bad.text) and 'id="e-name"' not in bad.text
    assert 'value="周老师"' in bad.text
    staff = await principal.get(portal.url + "/staff")
    assert username not in staff.text

    sent = await principal.post(
        portal.url + "/staff/invite",
        data={
            "_csrf_token": token,
            "name": "周老师",
            "email": email,
            "username": username,
            "role": "teacher",
            "phone": "13900139000",
            "positions": ["class_leader", "dormitory_supervisor"],
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/staff?invited={username}"
    for _ in range(150):
        staff = await principal.get(portal.url + "/staff")
        row = re.search(rf'<tr id="staff-([^"]+)" data-username="{username}">(.*?)</tr>', staff.text, re.S)
        if row and 'data-account="ready"' in row.group(2):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the account was not created")
    assert "班主任" in row.group(2) and "宿管员" in row.group(2)

    mails = stack.mailbox.to(email)
    password = re.search(r"Initial password: (\S+)", mails[0].get_payload(decode=True).decode()).group(1)
    invited = type(world["teacher_a"])(username, "teacher", world.county_x, world.school_a)
    _, home = await signed_in(invited, "/duty", password=password)
    assert home.status_code == 200 and "我的护校值守" in home.text

    staff_id = row.group(1)
    member = await principal.get(portal.url + f"/staff/{staff_id}")
    no_reason = await principal.post(
        portal.url + f"/staff/{staff_id}/deactivate", data={"_csrf_token": csrf_of(member.text), "reason": ""}
    )
    assert no_reason.status_code == 422 and 'id="e-reason"' in no_reason.text
    off = await principal.post(
        portal.url + f"/staff/{staff_id}/deactivate",
        data={"_csrf_token": csrf_of(member.text), "reason": "调离本校"},
    )
    assert off.status_code == 303
    for _ in range(150):
        member = await principal.get(portal.url + f"/staff/{staff_id}")
        if 'id="account-status">账号已停用' in member.text:
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the account was not disabled")
    again = httpx.AsyncClient(follow_redirects=False, timeout=30)
    try:
        refused = await sign_in(again, portal.url, username, password)
        assert (
            "kc-form-login" in refused.text or refused.status_code != 200 or "/duty" not in str(refused.url)
        )
    finally:
        await again.aclose()


# --- duty ---------------------------------------------------------------------------------------------------
async def test_the_principal_rosters_a_teacher_who_checks_in_and_out_on_the_duty_page(
    portal, world, staffed, signed_in, stack, personnel_db
):
    campus = await new_campus(stack, personnel_db, world.county_x, students=900, boarding=False)
    teacher, teacher_staff = await new_staff_user(
        stack, personnel_db, "teacher", campus.county_id, campus.school_id, "吴老师"
    )
    principal, page = await signed_in(campus.principal, "/duty/roster")
    token = csrf_of(page.text)
    gate = await principal.post(
        portal.url + "/duty/gates", data={"_csrf_token": token, "name": "", "kind": "main"}
    )
    assert gate.status_code == 422 and 'id="e-name"' in gate.text
    gate = await principal.post(
        portal.url + "/duty/gates", data={"_csrf_token": token, "name": "南门", "kind": "main"}
    )
    assert gate.status_code == 303
    page = await principal.get(portal.url + "/duty/roster")
    gate_id = re.search(r'<option value="([^"]+)">南门</option>', page.text).group(1)

    now = dt.datetime.now(LOCAL)
    start = (now - dt.timedelta(minutes=10)).time().replace(second=0, microsecond=0)
    end = min(
        (now + dt.timedelta(minutes=60)).replace(tzinfo=None), now.replace(hour=23, minute=59, tzinfo=None)
    ).time()
    nobody = await principal.post(
        portal.url + "/duty/roster",
        data={"_csrf_token": token, "date": now.date().isoformat(), "peak": "noon", "gate_id": gate_id},
    )
    assert nobody.status_code == 422 and 'id="e-staff_id"' in nobody.text
    planned = await principal.post(
        portal.url + "/duty/roster",
        data={
            "_csrf_token": token,
            "date": now.date().isoformat(),
            "peak": "noon",
            "gate_id": gate_id,
            "staff_id": str(teacher_staff),
            "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
        },
    )
    assert planned.status_code == 303, planned.text[:500]
    roster = await principal.get(portal.url + planned.headers["location"])
    assert "吴老师" in roster.text

    duty, page = await signed_in(teacher, "/duty")
    shift_id = re.search(r'<li id="shift-([^"]+)" class="scheduled"', page.text).group(1)
    checked = await duty.post(
        portal.url + f"/duty/shifts/{shift_id}/check-in", data={"_csrf_token": csrf_of(page.text)}
    )
    assert checked.status_code == 303
    page = await duty.get(portal.url + "/duty")
    assert f'<li id="shift-{shift_id}" class="checked_in"' in page.text
    twice = await duty.post(
        portal.url + f"/duty/shifts/{shift_id}/check-in", data={"_csrf_token": csrf_of(page.text)}
    )
    assert twice.status_code == 409 and 'id="form-message"' in twice.text
    out = await duty.post(
        portal.url + f"/duty/shifts/{shift_id}/check-out", data={"_csrf_token": csrf_of(page.text)}
    )
    assert out.status_code == 303
    assert 'class="completed"' in (await duty.get(portal.url + "/duty")).text


# --- dormitories and training -------------------------------------------------------------------------------
async def test_a_female_dormitory_is_flagged_first_and_a_guard_records_its_night_inspection(
    portal, world, staffed, signed_in
):
    principal, page = await signed_in(world["principal_a"], "/dormitories")
    token = csrf_of(page.text)
    name = f"女生{secrets.token_hex(2)}号楼"
    bad = await principal.post(
        portal.url + "/dormitories",
        data={"_csrf_token": token, "name": name, "occupants": "female", "roster_count": "many"},
    )
    assert bad.status_code == 422 and 'id="e-roster_count"' in bad.text
    assert name not in (await principal.get(portal.url + "/dormitories")).text.split('id="recent-heading"')[0]
    added = await principal.post(
        portal.url + "/dormitories",
        data={"_csrf_token": token, "name": name, "occupants": "female", "roster_count": "40"},
    )
    assert added.status_code == 303
    page = await principal.get(portal.url + "/dormitories")
    item = re.search(
        rf'<li class="priority[^"]*" data-dormitory="([^"]+)">\s*<strong>{name}</strong>', page.text
    )
    assert item, "a female dormitory is flagged as a priority"
    dormitory_id = item.group(1)

    guard, form = await signed_in(world["guard_a"], f"/dormitories/{dormitory_id}/inspect")
    token = csrf_of(form.text)
    bad = await guard.post(
        portal.url + f"/dormitories/{dormitory_id}/inspect", data={"_csrf_token": token, "present_count": ""}
    )
    assert bad.status_code == 422 and 'id="e-present_count"' in bad.text
    done = await guard.post(
        portal.url + f"/dormitories/{dormitory_id}/inspect",
        data={
            "_csrf_token": token,
            "present_count": "37",
            "absent_with_leave": "1",
            "findings": ["door_unlocked"],
        },
    )
    assert done.status_code == 303
    page = await guard.get(portal.url + "/dormitories")
    recent = page.text.split('id="recent-heading"')[1]
    assert name in recent and "实到 37 人，请假 1 人，在册 40 人" in recent and "无故缺寝 2 人" in recent
    assert "门未上锁" in recent


async def test_a_teacher_records_a_training_session_and_bad_input_writes_nothing(
    portal, world, staffed, signed_in
):
    teacher, page = await signed_in(world["teacher_a"], "/training/new")
    token = csrf_of(page.text)
    title = f"防溺水专题 {secrets.token_hex(2)}"
    form = {
        "_csrf_token": token,
        "topic": "drowning",
        "title": title,
        "held_on": dt.date.today().isoformat(),
        "duration_minutes": "2",
        "participant_count": "120",
        "audience": ["students"],
        "material_title_0": "课件",
        "material_url_0": "ftp://example",
    }
    bad = await teacher.post(portal.url + "/training/new", data=form)
    assert bad.status_code == 422 and 'id="e-duration_minutes"' in bad.text
    assert title not in (await teacher.get(portal.url + "/training")).text
    bad = await teacher.post(portal.url + "/training/new", data={**form, "duration_minutes": "45"})
    assert bad.status_code == 422 and 'id="e-materials"' in bad.text
    good = await teacher.post(
        portal.url + "/training/new",
        data={**form, "duration_minutes": "45", "material_url_0": "https://example.cn/k"},
    )
    assert good.status_code == 303
    listed = await teacher.get(portal.url + "/training")
    assert title in listed.text and "防溺水" in listed.text and 'href="https://example.cn/k"' in listed.text


async def test_the_host_teacher_confirms_a_visitor_from_the_home_page_and_the_gate_sees_it(
    portal, world, staffed, signed_in
):
    name = f"家长{secrets.token_hex(3)}"
    guard, page = await signed_in(world["guard_a"], "/gate")
    registered = await guard.post(
        portal.url + "/gate/visits",
        data={
            "_csrf_token": csrf_of(page.text),
            "visitor_name": name,
            "id_type": "resident_id",
            "id_number": resident_id(),
            "host_staff_id": str(staffed["teacher_a"]),
            "purpose": "家长会",
        },
    )
    assert registered.status_code == 303
    visit_id = registered.headers["location"].split("registered=")[1].split("#")[0]

    teacher, home = await signed_in(world["teacher_a"])
    assert 'hx-get="/visitors-for-me"' in home.text
    card = await teacher.get(portal.url + "/visitors-for-me", headers={"HX-Request": "true"})
    assert name in card.text
    confirmed = await teacher.post(
        portal.url + f"/visitors-for-me/{visit_id}/confirm", data={"_csrf_token": csrf_of(home.text)}
    )
    assert confirmed.status_code == 303
    assert name not in (await teacher.get(portal.url + "/visitors-for-me")).text

    gate = await guard.get(portal.url + "/gate")
    card = re.search(rf'<li class="visit-card visit-verified" id="visit-{visit_id}"', gate.text)
    assert card, "the guard sees the visit verified by its host"
    # a teacher who is not the host cannot confirm it
    assert (await teacher.get(portal.url + "/gate")).status_code == 403


async def test_the_bureau_invites_a_bureau_user_and_a_deactivation_needs_a_reason(
    portal, world, staffed, signed_in
):
    bureau, page = await signed_in(world["bureau_x"], "/bureau-users/invite")
    token = csrf_of(page.text)
    username = f"b{secrets.token_hex(4)}"
    bad = await bureau.post(
        portal.url + "/bureau-users/invite",
        data={"_csrf_token": token, "name": "陈科长", "email": f"{username}@test.example", "username": "X"},
    )
    assert bad.status_code == 422 and 'id="e-username"' in bad.text
    assert username not in (await bureau.get(portal.url + "/bureau-users")).text
    sent = await bureau.post(
        portal.url + "/bureau-users/invite",
        data={
            "_csrf_token": token,
            "name": "陈科长",
            "email": f"{username}@test.example",
            "username": username,
        },
    )
    assert sent.status_code == 303
    listed = await bureau.get(portal.url + "/bureau-users")
    user_id = re.search(rf'<li id="user-([^"]+)">\s*<strong>陈科长</strong> · {username}', listed.text).group(
        1
    )
    no_reason = await bureau.post(
        portal.url + f"/bureau-users/{user_id}/deactivate", data={"_csrf_token": token, "reason": ""}
    )
    assert no_reason.status_code == 422 and f'id="e-reason-{user_id}"' in no_reason.text
    done = await bureau.post(
        portal.url + f"/bureau-users/{user_id}/deactivate", data={"_csrf_token": token, "reason": "岗位调整"}
    )
    assert done.status_code == 303
    listed = await bureau.get(portal.url + "/bureau-users")
    assert re.search(rf'id="user-{user_id}">.*?已停用', listed.text, re.S)


async def test_a_vehicle_the_principal_authorised_drives_in_and_another_is_refused(
    portal, world, staffed, signed_in
):
    principal, page = await signed_in(world["principal_a"], "/gate/vehicles")
    token = csrf_of(page.text)
    plate = f"吉B{secrets.randbelow(90000) + 10000}"
    today = dt.datetime.now(LOCAL).date().isoformat()
    form = {
        "_csrf_token": token,
        "plate": plate,
        "holder": "食堂配送",
        "reason": "",
        "valid_from": today,
        "valid_until": today,
    }
    bad = await principal.post(portal.url + "/gate/vehicles", data=form)
    assert bad.status_code == 422 and 'id="e-reason"' in bad.text
    assert plate not in (await principal.get(portal.url + "/gate/vehicles")).text
    done = await principal.post(portal.url + "/gate/vehicles", data={**form, "reason": "每日送菜"})
    assert done.status_code == 303
    guard, page = await signed_in(world["guard_a"], "/gate/vehicles")
    assert f'data-plate="{plate}"' in page.text and "撤销" not in page.text
    assert (await guard.post(portal.url + "/gate/vehicles", data=form)).status_code == 403

    gate = await guard.get(portal.url + "/gate")
    for car, badge in ((plate, "车辆已授权"), (f"吉C{secrets.randbelow(90000) + 10000}", "车辆被拒")):
        name = f"司机{secrets.token_hex(3)}"
        registered = await guard.post(
            portal.url + "/gate/visits",
            data={
                "_csrf_token": csrf_of(gate.text),
                "visitor_name": name,
                "id_type": "resident_id",
                "id_number": resident_id(),
                "host_name": "食堂",
                "purpose": "送菜",
                "plate": car,
            },
        )
        assert registered.status_code == 303
        gate = await guard.get(portal.url + "/gate")
        cards = [c for c in re.findall(r"<li class=\"visit-card.*?</li>", gate.text, re.S) if name in c]
        assert len(cards) == 1 and f"{badge} {car}" in cards[0], (car, badge)


async def test_a_new_principal_puts_themselves_on_the_staff_list(portal, world, staffed, signed_in, stack):
    from tests.conftest import make_user

    principal = await make_user(stack.settings, "principal", world.county_x, world.school_b)
    client, page = await signed_in(principal, "/staff")
    assert 'id="self-heading"' in page.text
    token = csrf_of(page.text)
    bad = await client.post(
        portal.url + "/staff/self", data={"_csrf_token": token, "name": "孔校长", "email": "x"}
    )
    assert bad.status_code == 422 and 'id="e-email"' in bad.text
    done = await client.post(
        portal.url + "/staff/self",
        data={"_csrf_token": token, "name": "孔校长", "email": "kong@test.example"},
    )
    assert done.status_code == 303
    page = await client.get(portal.url + "/staff")
    assert 'id="self-heading"' not in page.text and "孔校长" in page.text


async def test_the_bureau_sets_the_county_standard_and_bad_figures_change_nothing(
    portal, world, staffed, signed_in
):
    bureau, page = await signed_in(world["bureau_x"], "/county-staffing")
    token = csrf_of(page.text)
    figures = {
        name: re.search(rf'id="f-{name}" name="{name}" type="text" value="(\d+)"', page.text).group(1)
        for name in (
            "students_per_guard",
            "min_guards_per_school",
            "min_guards_per_gate",
            "night_guards_boarding",
            "visitor_id_retention_days",
        )
    }
    bad = await bureau.post(
        portal.url + "/county-staffing/standard",
        data={"_csrf_token": token, **figures, "students_per_guard": "10", "visitor_id_retention_days": "x"},
    )
    assert bad.status_code == 422
    assert 'id="e-students_per_guard"' in bad.text and 'id="e-visitor_id_retention_days"' in bad.text
    assert (
        f'value="{figures["students_per_guard"]}"' in (await bureau.get(portal.url + "/county-staffing")).text
    )
    saved = await bureau.post(
        portal.url + "/county-staffing/standard", data={"_csrf_token": token, **figures}
    )
    assert saved.status_code == 303
    principal, _ = await signed_in(world["principal_a"])
    assert (await principal.get(portal.url + "/county-staffing")).status_code == 403


async def test_the_principal_changes_a_guards_positions_and_an_empty_name_changes_nothing(
    portal, world, staffed, signed_in
):
    path = f"/staff/{staffed['guard_a']}"
    principal, page = await signed_in(world["principal_a"], path)
    token = csrf_of(page.text)
    bad = await principal.post(
        portal.url + path + "/details",
        data={"_csrf_token": token, "name": "", "positions": ["security_team_member"]},
    )
    assert bad.status_code == 422 and 'id="e-name"' in bad.text
    assert (
        'id="f-positions-security_team_member" name="positions" type="checkbox" value="security_team_member" checked'
        in bad.text
    )
    assert "护校队队员" not in (await principal.get(portal.url + path)).text.split('id="details-heading"')[0]
    done = await principal.post(
        portal.url + path + "/details",
        data={
            "_csrf_token": token,
            "name": NAMES["guard_a"],
            "phone": "13600136000",
            "positions": ["security_team_member"],
        },
    )
    assert done.status_code == 303
    page = await principal.get(portal.url + path)
    facts = page.text.split('id="details-heading"')[0]
    assert "护校队队员" in facts and "13600136000" in facts
