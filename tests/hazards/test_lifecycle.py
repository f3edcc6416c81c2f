"""The hazard life cycle: reported → confirmed or rejected → rectifying → rectified → verified and closed by a
checker other than the rectifier, or reopened; major and listed hazards need the bureau's sign-off. Every
transition records who, when and why; every illegal one answers 409 with the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.hazards.conftest import (
    JPEG,
    PROBLEM,
    act,
    assignment,
    hazard_in,
    ok,
    report,
    today,
    upload,
    user_id,
)

pytestmark = pytest.mark.usefixtures("hazards_world")

#: Every action, with who takes it in the tests below and a valid body.
ACTIONS = {
    "confirm": ("principal_a", {}),
    "reject": ("principal_a", {"reason": "不是隐患"}),
    "assign": ("principal_a", None),  # body built per test (needs user ids)
    "reassign": ("principal_a", {"reason": "换人负责", "responsible_name": "王老师"}),
    "containment": ("principal_a", {"measures": "设置围挡和警示牌"}),
    "rectify": ("principal_a", {"note": "已整改"}),
    "verify": ("principal_a", {}),
    "reopen": ("bureau_x", {"reason": "整改不到位"}),
    "sign-off": ("bureau_x", {}),
    "listing": ("bureau_x", None),
}
#: The states each action is legal in.
LEGAL = {
    "confirm": {"reported"},
    "reject": {"reported"},
    "assign": {"confirmed"},
    "reassign": {"rectifying"},
    "containment": {"confirmed", "rectifying"},
    "rectify": {"rectifying"},
    "verify": {"rectified"},
    "reopen": {"rectified", "verified"},
    "sign-off": {"verified"},
    "listing": {"confirmed", "rectifying", "rectified", "verified"},
}
STATES = ["reported", "confirmed", "rejected", "rectifying", "rectified", "verified", "closed"]


def _body(w, action):
    user_key, body = ACTIONS[action]
    if action == "assign":
        body = assignment(w["teacher_a"])
    if action == "listing":
        body = {"official": "李科长", "deadline": (today() + dt.timedelta(days=20)).isoformat()}
    return w[user_key], body


async def test_a_hazard_goes_from_report_to_closure_and_the_history_tells_who_when_and_why(
    hazards_client, hazards_world
):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    assert h["status"] == "reported"
    assert h["number"].endswith(f"-{today().year}-{h['number'][-4:]}")
    assert h["reported_by"]["id"] == user_id(w["teacher_a"])
    assert (
        "confirm"
        in (await hazards_client.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()[
            "allowed_actions"
        ]
    )
    h = await ok(hazards_client, w["principal_a"], h, "confirm", {"note": "属实"})
    assert h["status"] == "confirmed"
    h = await ok(hazards_client, w["principal_a"], h, "assign", assignment(w["teacher_a"], w["teacher_a2"]))
    assert (h["status"], h["responsible"]["id"], h["checker"]["id"]) == (
        "rectifying",
        user_id(w["teacher_a"]),
        user_id(w["teacher_a2"]),
    )
    h = await ok(hazards_client, w["teacher_a"], h, "containment", {"measures": "拉警戒线"})
    assert h["containment"] == "拉警戒线" and h["status"] == "rectifying"
    assert (await upload(hazards_client, w["teacher_a"], h, stage="after")).status_code == 201
    h = await ok(hazards_client, w["teacher_a"], h, "rectify")
    assert h["status"] == "rectified" and h["rectified_by"]["id"] == user_id(w["teacher_a"])
    h = await ok(hazards_client, w["teacher_a2"], h, "verify", {"note": "验收合格"})
    assert h["status"] == "closed" and h["closed_at"] is not None
    assert h["verified_by"]["id"] == user_id(w["teacher_a2"])
    steps = [(e["action"], e["from_status"], e["to_status"], e["actor"]["id"]) for e in h["history"]]
    assert steps == [
        ("report", None, "reported", user_id(w["teacher_a"])),
        ("confirm", "reported", "confirmed", user_id(w["principal_a"])),
        ("assign", "confirmed", "rectifying", user_id(w["principal_a"])),
        ("contain", "rectifying", "rectifying", user_id(w["teacher_a"])),
        ("add_photo", "rectifying", "rectifying", user_id(w["teacher_a"])),
        ("rectify", "rectifying", "rectified", user_id(w["teacher_a"])),
        ("verify", "rectified", "closed", user_id(w["teacher_a2"])),
    ]
    assert h["history"][1]["reason"] == "属实" and h["history"][-1]["reason"] == "验收合格"
    times = [e["at"] for e in h["history"]]
    assert times == sorted(times)
    assert h["allowed_actions"] == []


async def test_a_rejected_report_records_the_reason_and_is_final(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rejected")
    assert h["status"] == "rejected" and h["status_reason"] == "不属于安全隐患"
    assert h["history"][-1]["reason"] == "不属于安全隐患"
    response = await act(hazards_client, w["principal_a"], h, "confirm")
    assert response.status_code == 409


async def test_rejecting_needs_a_reason(hazards_client, hazards_world):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    response = await act(hazards_client, w["principal_a"], h, "reject", {})
    assert response.status_code == 400
    assert (await hazards_client.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()[
        "status"
    ] == "reported"


@pytest.fixture(scope="module")
async def one_of_each(hazards_client, hazards_world):
    """A hazard of school A in every state (major, so that verification stops at ``verified``)."""
    return {
        state: await hazard_in(hazards_client, hazards_world, state, severity="major")
        for state in STATES
        if state != "closed"
    } | {"closed": await hazard_in(hazards_client, hazards_world, "closed")}


ILLEGAL = [(action, state) for action in ACTIONS for state in STATES if state not in LEGAL[action]]


@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=[f"{a}-when-{s}" for a, s in ILLEGAL])
async def test_an_illegal_transition_answers_409_with_the_reason_and_changes_nothing(
    hazards_client, hazards_world, one_of_each, action, state
):
    w = hazards_world
    h = one_of_each[state]
    user, body = _body(w, action)
    response = await act(hazards_client, user, h, action, body)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert f"is {state}" in problem["detail"], problem["detail"]
    assert problem["type"].endswith("illegal-transition")
    after = (await hazards_client.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()
    assert after["status"] == state
    assert len(after["history"]) == len(h["history"])


async def test_the_rectifier_cannot_verify_their_own_fix(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed")
    # the principal names themself responsible and the teacher as checker, then fixes it personally
    h = await ok(hazards_client, w["principal_a"], h, "assign", assignment(w["principal_a"], w["teacher_a2"]))
    h = await ok(hazards_client, w["principal_a"], h, "rectify", {"note": "校长亲自整改"})
    response = await act(hazards_client, w["principal_a"], h, "verify")
    assert response.status_code == 403
    assert "other than the person who rectified" in response.json()["detail"]
    response = await act(hazards_client, w["principal_a"], h, "reopen", {"reason": "自己否定自己"})
    assert response.status_code == 403
    h = await ok(hazards_client, w["teacher_a2"], h, "verify")
    assert h["status"] == "closed"
    assert h["verified_by"]["id"] != h["rectified_by"]["id"]


async def test_only_the_named_checker_or_the_principal_verifies(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed")
    h = await ok(
        hazards_client, w["principal_a"], h, "assign", assignment(w["teacher_a"])
    )  # no checker named
    h = await ok(hazards_client, w["teacher_a"], h, "rectify", {"note": "好了"})
    response = await act(hazards_client, w["teacher_a2"], h, "verify")
    assert response.status_code == 403
    assert "named checker" in response.json()["detail"]
    assert (await act(hazards_client, w["guard_a"], h, "verify")).status_code == 403  # role guard
    assert (await ok(hazards_client, w["principal_a"], h, "verify"))["status"] == "closed"


async def test_only_the_responsible_person_or_the_principal_marks_it_rectified(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed")
    h = await ok(hazards_client, w["principal_a"], h, "assign", assignment(w["teacher_a"]))
    response = await act(hazards_client, w["teacher_a2"], h, "rectify", {"note": "不是我负责的"})
    assert response.status_code == 403
    assert (await ok(hazards_client, w["teacher_a"], h, "rectify", {"note": "完成"}))["status"] == "rectified"


async def test_a_rectification_needs_an_after_photo_or_a_note(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying")
    response = await act(hazards_client, w["teacher_a"], h, "rectify", {"note": "  "})
    assert response.status_code == 422
    assert response.json()["errors"][0]["key"] == "note"
    assert (await upload(hazards_client, w["teacher_a"], h, JPEG, stage="after")).status_code == 201
    h = await ok(hazards_client, w["teacher_a"], h, "rectify")
    assert h["status"] == "rectified"
    assert [p["stage"] for p in h["photos"]] == ["after"]


async def test_a_failed_verification_reopens_it_with_a_new_deadline(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectified")
    new_deadline = (today() + dt.timedelta(days=3)).isoformat()
    h = await ok(
        hazards_client, w["teacher_a2"], h, "reopen", {"reason": "杂物未清理干净", "deadline": new_deadline}
    )
    assert (h["status"], h["reopen_count"], h["deadline"], h["rectified_by"]) == (
        "rectifying",
        1,
        new_deadline,
        None,
    )
    assert h["history"][-1]["details"]["rectification_note"] == "已清理完毕"
    h = await ok(hazards_client, w["teacher_a"], h, "rectify", {"note": "二次整改完成"})
    assert (await ok(hazards_client, w["teacher_a2"], h, "verify"))["status"] == "closed"


async def test_a_major_hazard_closes_only_with_the_bureaus_sign_off(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectified", severity="major")
    h = await ok(hazards_client, w["teacher_a2"], h, "verify")
    assert (h["status"], h["needs_bureau_sign_off"], h["closed_at"]) == ("verified", True, None)
    assert (await act(hazards_client, w["principal_a"], h, "sign-off")).status_code == 403
    h = await ok(hazards_client, w["bureau_x"], h, "sign-off", {"note": "同意销号"})
    assert h["status"] == "closed" and h["signed_off_by"]["name"] == w["bureau_x"].username


async def test_the_bureau_may_refuse_the_sign_off_and_only_the_bureau_reopens_a_verified_hazard(
    hazards_client, hazards_world
):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "verified", severity="major")
    response = await act(hazards_client, w["principal_a"], h, "reopen", {"reason": "学校自己撤回"})
    assert response.status_code == 403
    h = await ok(hazards_client, w["bureau_x"], h, "reopen", {"reason": "现场复查仍有隐患"})
    assert h["status"] == "rectifying" and h["verified_by"] is None


async def test_a_listed_hazard_needs_the_bureaus_sign_off_even_when_general(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying")
    listing = {
        "official": "教育局 张科长",
        "deadline": (today() + dt.timedelta(days=10)).isoformat(),
        "note": "挂牌督办",
    }
    response = await hazards_client.post(
        f"/hazards/{h['id']}/listing", json=listing, headers=w["bureau_x"].headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["listing"]["official"] == "教育局 张科长"
    again = await hazards_client.post(
        f"/hazards/{h['id']}/listing", json=listing, headers=w["bureau_x"].headers
    )
    assert again.status_code == 409
    h = await ok(hazards_client, w["teacher_a"], h, "rectify", {"note": "完成"})
    h = await ok(hazards_client, w["teacher_a2"], h, "verify")
    assert h["status"] == "verified"
    assert (await ok(hazards_client, w["bureau_x"], h, "sign-off"))["status"] == "closed"


async def test_the_bureau_cannot_act_as_the_schools_checker(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectified")
    response = await act(hazards_client, w["bureau_x"], h, "reopen", {"reason": "教育局直接否决"})
    assert response.status_code == 403
    assert "checker" in response.json()["detail"]


async def test_a_deadline_in_the_past_is_refused_and_nothing_changes(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed")
    body = assignment(w["teacher_a"], deadline=(today() - dt.timedelta(days=1)).isoformat())
    response = await act(hazards_client, w["principal_a"], h, "assign", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"key": "deadline", "message": "the deadline is in the past"}]
    after = (await hazards_client.get(f"/hazards/{h['id']}", headers=w["principal_a"].headers)).json()
    assert after["status"] == "confirmed" and after["responsible"] is None


async def test_reassignment_changes_the_deadline_and_records_the_old_one(hazards_client, hazards_world):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "rectifying")
    old = h["deadline"]
    new = (today() + dt.timedelta(days=30)).isoformat()
    h = await ok(hazards_client, w["principal_a"], h, "reassign", {"reason": "需采购材料", "deadline": new})
    assert h["deadline"] == new
    assert h["history"][-1]["details"]["changes"]["deadline"] == [old, new]


async def test_only_the_bureau_downgrades_a_major_hazard(hazards_client, hazards_world):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"], severity="major")
    response = await hazards_client.patch(
        f"/hazards/{h['id']}", json={"severity": "general"}, headers=w["principal_a"].headers
    )
    assert response.status_code == 403
    response = await hazards_client.patch(
        f"/hazards/{h['id']}",
        json={"severity": "general", "reason": "复核后降级"},
        headers=w["bureau_x"].headers,
    )
    assert response.status_code == 200
    assert response.json()["history"][-1]["details"]["changes"] == {"severity": ["major", "general"]}


async def test_every_transition_is_audited_in_the_schools_chain(hazards_client, hazards_world, hazards_db):
    from kit.audit import AuditLog
    from tenants import TenantContext

    w = hazards_world
    h = await hazard_in(hazards_client, w, "closed")
    async with hazards_db.transaction(TenantContext.for_county(w.county_x, roles=["bureau"])) as session:
        log = AuditLog(session, "hazards")
        entries, _ = await log.page(w.county_x, w.school_a, object_type="hazard", object_id=h["id"])
        verification = await log.verify(w.county_x, w.school_a)
    actions = [e.action for e in reversed(entries)]
    assert actions == ["hazard.report", "hazard.confirm", "hazard.assign", "hazard.rectify", "hazard.verify"]
    assert verification.ok
