# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The hazards pages over HTTP, signed in like a browser: what each role may open, bad input beside its
fields with nothing written, the API's refusals shown with their reason, another school's hazard answering
404, and the exports downloaded through the portal."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, user_token
from tests.hazards.conftest import assignment, hazard_in, ok, report
from tests.portal.conftest import csrf_of, sign_in
from tests.portal.hazards_helpers import hazards_db, hazards_world, photo, school_day  # noqa: F401

pytestmark = pytest.mark.usefixtures("hazards_world")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def hz_api(
    stack: Any, api_urls: dict[str, str], hazards_world: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The hazards API the portal talks to, with fresh tokens for the world's users (to set up data)."""
    for user in hazards_world.users.values():
        user.token = await user_token(stack.settings, user.username)
    async with httpx.AsyncClient(base_url=api_urls["hazards"], timeout=30) as client:
        yield client


async def total(api: httpx.AsyncClient, user: Any, **params: Any) -> int:
    response = await api.get("/hazards", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


async def state_of(api: httpx.AsyncClient, user: Any, hazard: dict[str, Any]) -> str:
    response = await api.get(f"/hazards/{hazard['id']}", headers=user.headers)
    return str(response.json()["status"])


def menu(page: str) -> set[str]:
    nav = page[page.index('class="main-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return set(re.findall(r'href="(/hazards[^"]*)"', nav))


# --- roles ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "wanted"),
    [
        ("teacher_a", {"/hazards/report", "/hazards", "/hazards/patrols", "/hazards/incidents"}),
        ("guard_a", {"/hazards/report", "/hazards", "/hazards/patrols", "/hazards/incidents"}),
        (
            "principal_a",
            {
                "/hazards/report",
                "/hazards",
                "/hazards/patrols",
                "/hazards/review",
                "/hazards/supervision",
                "/hazards/statistics",
                "/hazards/referrals",
                "/hazards/incidents",
            },
        ),
        (
            "bureau_x",
            {
                "/hazards",
                "/hazards/patrols",
                "/hazards/supervision",
                "/hazards/statistics",
                "/hazards/referrals",
                "/hazards/incidents",
            },
        ),
    ],
)
async def test_each_role_sees_its_hazards_menu_and_every_entry_opens(
    portal, http, hazards_world, who, wanted
):
    home = await sign_in(http, portal.url, hazards_world[who].username, PASSWORD)
    assert menu(home.text) == wanted
    for path in sorted(wanted):
        answer = await http.get(portal.url + path)
        assert answer.status_code == 200, (path, answer.text[:300])


@pytest.mark.parametrize(
    "path", ["/hazards/supervision", "/hazards/statistics", "/hazards/referrals", "/hazards/review"]
)
async def test_a_teacher_gets_no_access_to_the_managers_hazards_pages(portal, http, hazards_world, path):
    await sign_in(http, portal.url, hazards_world["teacher_a"].username, PASSWORD)
    answer = await http.get(portal.url + path)
    assert answer.status_code == 403
    assert "无权访问" in answer.text


async def test_the_bureau_cannot_file_a_phone_report(portal, http, hazards_world):
    await sign_in(http, portal.url, hazards_world["bureau_x"].username, PASSWORD)
    assert (await http.get(portal.url + "/hazards/report")).status_code == 403


async def test_the_home_cards_show_the_report_button_and_the_counts(portal, http, hazards_world, hz_api):
    w = hazards_world
    teacher = await sign_in(http, portal.url, w["teacher_a"].username, PASSWORD)
    assert 'id="report-hazard-button"' in teacher.text
    async with httpx.AsyncClient(timeout=30) as other:
        await sign_in(other, portal.url, w["principal_a"].username, PASSWORD)
        card = await other.get(portal.url + "/hazards/home-card", headers={"HX-Request": "true"})
    assert card.status_code == 200
    shown = dict(re.findall(r'data-count="(\w+)">(\d+)<', card.text))
    assert int(shown["open"]) == await total(hz_api, w["principal_a"], open="true")
    assert int(shown["reported"]) == await total(hz_api, w["principal_a"], status="reported")


# --- the phone report -----------------------------------------------------------------------------------
async def test_a_phone_report_with_nothing_chosen_names_each_missing_field_and_writes_nothing(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    before = await total(hz_api, w["principal_a"])
    form = await sign_in(http, portal.url, w["guard_a"].username, PASSWORD, path="/hazards/report")
    answer = await http.post(
        portal.url + "/hazards/report",
        data={"_csrf_token": csrf_of(form.text), "place": "北门岗亭", "title": "x"},
        files={"photo": ("empty.jpg", b"", "image/jpeg")},
    )
    assert answer.status_code == 422
    assert '<p class="field-error" id="e-r-category">此项为必填项。</p>' in answer.text
    assert '<p class="field-error" id="e-r-area">此项为必填项。</p>' in answer.text
    assert 'id="e-r-title"' in answer.text
    assert 'value="北门岗亭"' in answer.text  # what was typed is kept
    assert await total(hz_api, w["principal_a"]) == before


async def test_a_file_that_is_no_image_is_refused_beside_the_photo_and_nothing_is_written(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    before = await total(hz_api, w["principal_a"])
    form = await sign_in(http, portal.url, w["teacher_a"].username, PASSWORD, path="/hazards/report")
    answer = await http.post(
        portal.url + "/hazards/report",
        data={"_csrf_token": csrf_of(form.text), "category": "fire", "area": "canteen"},
        files={"photo": ("photo.jpg", b"MZ\x90\x00 an executable, not a photo" * 8, "image/jpeg")},
    )
    assert answer.status_code == 422
    assert 'id="e-r-photo"' in answer.text
    assert 'value="fire" checked' in answer.text
    assert await total(hz_api, w["principal_a"]) == before


async def test_a_phone_report_lands_in_the_register_with_its_photo(portal, http, hazards_world, hz_api):
    w = hazards_world
    form = await sign_in(http, portal.url, w["guard_a"].username, PASSWORD, path="/hazards/report")
    answer = await http.post(
        portal.url + "/hazards/report",
        data={"_csrf_token": csrf_of(form.text), "category": "traffic", "area": "gate", "place": "南门外",
              "title": "校门口违停车辆", "severity": "major"},
        files={"photo": ("IMG_1.jpg", photo(), "image/jpeg")},
    )  # fmt: skip
    assert answer.status_code == 303
    done = await http.get(portal.url + answer.headers["location"])
    number = re.search(r'id="hazard-number">([^<]+)<', done.text).group(1)  # type: ignore[union-attr]
    (hazard,) = (await hz_api.get("/hazards", params={"q": number}, headers=w["principal_a"].headers)).json()[
        "items"
    ]
    assert (hazard["title"], hazard["severity"], hazard["source"]) == (
        "校门口违停车辆",
        "major",
        "staff_report",
    )
    detail = await http.get(f"{portal.url}/hazards/{hazard['id']}")
    (src,) = re.findall(r'<img class="hazard-photo" src="(/hazards/photos/[^"]+)"', detail.text)
    image = await http.get(portal.url + src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"


# --- the life cycle -------------------------------------------------------------------------------------
async def test_the_assignment_with_no_plan_and_a_past_deadline_is_refused_beside_the_fields(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    h = await hazard_in(hz_api, w, "confirmed")
    page = await sign_in(http, portal.url, w["principal_a"].username, PASSWORD, path=f"/hazards/{h['id']}")
    assert 'id="action-assign" open' in page.text
    assert w["teacher_a2"].username in page.text  # the school's accounts to choose from
    answer = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/assign",
        data={"_csrf_token": csrf_of(page.text), "responsible_name": "王师傅", "deadline": school_day(-1)},
    )
    assert answer.status_code == 422
    assert 'id="e-assign-plan"' in answer.text
    assert '<p class="field-error" id="e-assign-deadline">期限不能早于今天。</p>' in answer.text
    assert 'value="王师傅"' in answer.text
    assert await state_of(hz_api, w["principal_a"], h) == "confirmed"


async def test_an_action_the_state_does_not_allow_shows_the_apis_reason(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "rectifying")
    page = await sign_in(http, portal.url, w["principal_a"].username, PASSWORD, path=f"/hazards/{h['id']}")
    assert 'id="action-confirm"' not in page.text  # the form is shown only when the action is allowed
    answer = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/confirm", data={"_csrf_token": csrf_of(page.text), "note": ""}
    )
    assert answer.status_code == 409
    assert (
        f"hazard {h['number']} is rectifying; only a hazard that is reported can be confirmed" in answer.text
    )
    assert "隐患未确认。" in answer.text
    assert await state_of(hz_api, w["principal_a"], h) == "rectifying"


async def test_the_rectifier_cannot_verify_their_own_fix_and_sees_why(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "rectifying")
    h = await ok(hz_api, w["principal_a"], h, "rectify", {"note": "校长亲自整改"})
    page = await sign_in(http, portal.url, w["principal_a"].username, PASSWORD, path=f"/hazards/{h['id']}")
    assert 'id="action-verify"' not in page.text
    answer = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/verify", data={"_csrf_token": csrf_of(page.text), "note": "好"}
    )
    assert answer.status_code == 403
    assert "the checker must be someone other than the person who rectified" in answer.text
    assert await state_of(hz_api, w["principal_a"], h) == "rectified"


async def test_marking_rectified_needs_an_after_photo_or_a_note(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "rectifying")
    page = await sign_in(http, portal.url, w["teacher_a"].username, PASSWORD, path=f"/hazards/{h['id']}")
    assert 'id="action-rectify" open' in page.text
    answer = await http.post(
        f"{portal.url}/hazards/{h['id']}/rectify",
        data={"_csrf_token": csrf_of(page.text), "note": ""},
        files={"photo": ("none.jpg", b"", "image/jpeg")},
    )
    assert answer.status_code == 422
    assert '<p class="field-error" id="e-rectify-photo">请添加整改后照片，或写明整改情况。</p>' in answer.text
    assert await state_of(hz_api, w["principal_a"], h) == "rectifying"


async def test_another_schools_hazard_answers_404_and_its_actions_write_nothing(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    h = await hazard_in(hz_api, w, "reported")
    page = await sign_in(http, portal.url, w["principal_b"].username, PASSWORD, path="/hazards")
    assert h["number"] not in page.text
    assert (await http.get(f"{portal.url}/hazards/{h['id']}")).status_code == 404
    answer = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/confirm", data={"_csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 404
    assert (await http.get(f"{portal.url}/hazards/{h['id']}/notice.pdf")).status_code == 404
    assert await state_of(hz_api, w["principal_a"], h) == "reported"


async def test_the_bureau_of_another_county_sees_nothing_of_the_register(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "confirmed")
    await sign_in(http, portal.url, w["bureau_y"].username, PASSWORD, path="/hazards")
    assert (await http.get(f"{portal.url}/hazards/{h['id']}")).status_code == 404
    supervision = await http.get(portal.url + "/hazards/supervision")
    assert h["number"] not in supervision.text


async def test_the_bureau_lists_a_hazard_and_the_school_refers_it(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "confirmed", category="surroundings_vendors", area="surroundings")
    page = await sign_in(http, portal.url, w["bureau_x"].username, PASSWORD, path=f"/hazards/{h['id']}")
    bad = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/list",
        data={"_csrf_token": csrf_of(page.text), "deadline": "soon"},
    )
    assert bad.status_code == 422
    assert 'id="e-list-official"' in bad.text and 'id="e-list-deadline"' in bad.text
    good = await http.post(
        f"{portal.url}/hazards/{h['id']}/act/list",
        data={"_csrf_token": csrf_of(page.text), "official": "李督办", "deadline": school_day(5)},
    )
    assert good.status_code == 303
    listed = await http.get(portal.url + "/hazards/supervision")
    assert h["number"] in listed.text and "李督办" in listed.text

    async with httpx.AsyncClient(timeout=30) as school:
        detail = await sign_in(
            school, portal.url, w["principal_a"].username, PASSWORD, path=f"/hazards/{h['id']}"
        )
        referred = await school.post(
            f"{portal.url}/hazards/{h['id']}/act/refer",
            data={"_csrf_token": csrf_of(detail.text), "department": "urban_management", "note": "占道经营"},
        )
        assert referred.status_code == 303
        referrals = await school.get(portal.url + "/hazards/referrals")
        referral_id = re.search(r'data-referral="([^"]+)"', referrals.text).group(1)  # type: ignore[union-attr]
        assert h["number"] in referrals.text
        updated = await school.post(
            f"{portal.url}/hazards/referrals/{referral_id}",
            data={"_csrf_token": csrf_of(referrals.text), "status": "in_progress", "reply": "已安排执法"},
        )
        assert updated.status_code == 303
    county = await http.get(portal.url + "/hazards/referrals")
    assert "已安排执法" in county.text


# --- incidents and patrols ------------------------------------------------------------------------------
async def test_an_incident_with_bad_input_is_refused_then_recorded_and_counted(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    page = await sign_in(http, portal.url, w["guard_a"].username, PASSWORD, path="/hazards/incidents/new")
    bad = await http.post(
        portal.url + "/hazards/incidents/new",
        data={
            "_csrf_token": csrf_of(page.text),
            "kind": "fire",
            "occurred_at": "yesterday",
            "people_affected": "-3",
        },
    )
    assert bad.status_code == 422
    for name in ("occurred_at", "place", "description", "people_affected"):
        assert f'id="e-inc-{name}"' in bad.text, name
    good = await http.post(
        portal.url + "/hazards/incidents/new",
        data={"_csrf_token": csrf_of(page.text), "kind": "fire", "occurred_at": "2026-11-20T08:15",
              "place": "食堂后厨", "description": "油锅起火，已扑灭", "people_affected": "0"},
    )  # fmt: skip
    assert good.status_code == 303
    async with httpx.AsyncClient(timeout=30) as bureau:
        await sign_in(bureau, portal.url, w["bureau_x"].username, PASSWORD)
        county = await bureau.get(portal.url + "/hazards/incidents")
    assert "食堂后厨" in county.text
    fires = int(re.search(r'data-kind="fire">(\d+)<', county.text).group(1))  # type: ignore[union-attr]
    assert fires >= 1


async def test_a_patrol_is_started_signed_off_area_by_area(portal, http, hazards_world):
    w = hazards_world
    page = await sign_in(http, portal.url, w["teacher_a"].username, PASSWORD, path="/hazards/patrols")
    none = await http.post(
        portal.url + "/hazards/patrols",
        data={"_csrf_token": csrf_of(page.text), "kind": "daily", "title": "午间巡查"},
    )
    assert none.status_code == 422 and 'id="e-p-areas"' in none.text
    started = await http.post(
        portal.url + "/hazards/patrols",
        data={
            "_csrf_token": csrf_of(page.text),
            "kind": "daily",
            "title": "午间巡查",
            "areas": ["gate", "canteen"],
        },
    )
    assert started.status_code == 303
    patrol_path = started.headers["location"]
    empty = await http.post(
        f"{portal.url}{patrol_path}/sign-off", data={"_csrf_token": csrf_of(page.text), "area": "gate"}
    )
    assert empty.status_code == 422 and 'id="e-so-gate-findings"' in empty.text
    signed = await http.post(
        f"{portal.url}{patrol_path}/sign-off",
        data={"_csrf_token": csrf_of(page.text), "area": "gate", "findings": "未发现问题"},
    )
    assert signed.status_code == 303
    again = await http.post(
        f"{portal.url}{patrol_path}/sign-off",
        data={"_csrf_token": csrf_of(page.text), "area": "gate", "findings": "再签一次"},
    )
    assert again.status_code == 409 and "already signed off" in again.text
    detail = await http.get(portal.url + patrol_path)
    assert 'data-area="gate" data-signed="yes"' in detail.text
    assert 'data-area="canteen" data-signed="no"' in detail.text

    # a hazard found in the canteen is reported from the patrol and counted in it
    patrol_id = patrol_path.rsplit("/", 1)[1]
    form = await http.get(f"{portal.url}/hazards/report?area=canteen&patrol_id={patrol_id}")
    assert 'value="canteen" checked' in form.text
    reported = await http.post(
        portal.url + "/hazards/report",
        data={"_csrf_token": csrf_of(form.text), "category": "food_hygiene", "area": "canteen",
              "patrol_id": patrol_id, "place": "后厨冷库"},
    )  # fmt: skip
    assert reported.status_code == 303
    done = await http.get(portal.url + reported.headers["location"])
    assert f'href="/hazards/patrols/{patrol_id}"' in done.text
    detail = await http.get(portal.url + patrol_path)
    assert "发现隐患 1 处" in detail.text


# --- exports --------------------------------------------------------------------------------------------
async def test_the_registers_and_the_notice_download_through_the_portal(portal, http, hazards_world, hz_api):
    from openpyxl import load_workbook

    w = hazards_world
    h = await hazard_in(hz_api, w, "rectifying")
    await sign_in(http, portal.url, w["principal_a"].username, PASSWORD, path="/hazards")
    school = await http.get(portal.url + "/hazards/register.xlsx")
    assert school.status_code == 200 and school.headers["content-type"].startswith(XLSX)
    assert "attachment" in school.headers["content-disposition"]
    cells = {
        c.value for ws in load_workbook(io.BytesIO(school.content)) for row in ws.iter_rows() for c in row
    }
    assert h["number"] in cells
    notice = await http.get(f"{portal.url}/hazards/{h['id']}/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")

    async with httpx.AsyncClient(timeout=60) as bureau:
        await sign_in(bureau, portal.url, w["bureau_x"].username, PASSWORD, path="/hazards")
        county = await bureau.get(portal.url + "/hazards/register.xlsx")
    assert county.status_code == 200
    book = load_workbook(io.BytesIO(county.content))
    assert len(book.sheetnames) >= 2  # the county's register has a summary per school
    assert h["number"] in {c.value for ws in book for row in ws.iter_rows() for c in row}


async def test_a_teacher_cannot_download_the_register(portal, http, hazards_world):
    await sign_in(http, portal.url, hazards_world["teacher_a"].username, PASSWORD, path="/hazards")
    assert (await http.get(portal.url + "/hazards/register.xlsx")).status_code == 403


async def test_a_reopen_without_a_reason_is_refused_and_the_hazard_stays_rectified(
    portal, http, hazards_world, hz_api
):
    w = hazards_world
    h2 = await report(hz_api, w["teacher_a"], title="复核测试隐患")
    h2 = await ok(hz_api, w["principal_a"], h2, "confirm")
    h2 = await ok(hz_api, w["principal_a"], h2, "assign", assignment(w["teacher_a"], w["teacher_a2"]))
    h2 = await ok(hz_api, w["teacher_a"], h2, "rectify", {"note": "已处理"})
    page = await sign_in(http, portal.url, w["teacher_a2"].username, PASSWORD, path=f"/hazards/{h2['id']}")
    assert 'id="action-verify" open' in page.text
    answer = await http.post(
        f"{portal.url}/hazards/{h2['id']}/act/reopen", data={"_csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 422 and 'id="e-reopen-reason"' in answer.text
    assert await state_of(hz_api, w["principal_a"], h2) == "rectified"


async def test_another_photo_is_added_and_a_missing_one_is_named(portal, http, hazards_world, hz_api):
    w = hazards_world
    h = await hazard_in(hz_api, w, "reported")
    page = await sign_in(http, portal.url, w["teacher_a"].username, PASSWORD, path=f"/hazards/{h['id']}")
    missing = await http.post(
        f"{portal.url}/hazards/{h['id']}/photo",
        data={"_csrf_token": csrf_of(page.text)},
        files={"photo": ("none.jpg", b"", "image/jpeg")},
    )
    assert missing.status_code == 422 and 'id="e-add-photo"' in missing.text
    added = await http.post(
        f"{portal.url}/hazards/{h['id']}/photo",
        data={"_csrf_token": csrf_of(page.text)},
        files={"photo": ("more.jpg", photo(), "image/jpeg")},
    )
    assert added.status_code == 303
    detail = (await hz_api.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()
    assert [p["stage"] for p in detail["photos"]] == ["before"]
