"""Cross-school inspection: the assignment grants an inspector the inspected school's score sheet and
evidence — through Keycloak, the token and row-level security — only during the window, never their own
school, nothing else of that school, and every access leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from evaluation.domain.indicators import consumers
from kit.events import HAZARD_STATISTICS_UPDATED
from kit.identity import admin_client, find_account, set_account_attribute
from tenants import TenantContext
from tenants.context import InspectionGrant
from tests.conftest import make_user, user_token
from tests.evaluation.conftest import JPEG, bearer, claims, deliver, eventually, open_campaign, rows, unique
from tests.evaluation.test_indicators import hazard_stats

#: The tables an inspection grant opens (tenants.rls inspected policies in the creating migration).
INSPECTED = {
    "self_assessments",
    "self_assessment_entries",
    "self_assessment_evidence",
    "inspection_assignments",
    "inspection_scores",
    "inspection_photos",
}


@pytest.fixture
async def people(stack, world, directory) -> dict[str, Any]:
    """Fresh accounts for each test (the world's users keep their tokens free of grants, and one test's grants
    never show in another's tokens)."""
    settings = stack.settings
    return {
        "principal_a": await make_user(
            settings, "principal", world.county_x, world.school_a, unique("insp-pa")
        ),
        "teacher_a": await make_user(settings, "teacher", world.county_x, world.school_a, unique("insp-ta")),
        "teacher_b": await make_user(settings, "teacher", world.county_x, world.school_b, unique("insp-tb")),
    }


def window(
    start: dt.timedelta, length: dt.timedelta = dt.timedelta(hours=2)
) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.now(dt.UTC).replace(microsecond=0) + start
    return begin, begin + length


async def team(client, bureau, campaign, *members: tuple[str, bool]) -> str:
    response = await client.post(
        f"/campaigns/{campaign}/teams",
        json={"name": unique("检查组"), "members": [{"username": u, "lead": lead} for u, lead in members]},
        headers=bureau.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def assign(client, bureau, team_id, school_id, begin, end) -> Any:
    return await client.post(
        f"/teams/{team_id}/assignments",
        json={"school_id": str(school_id), "starts_at": begin.isoformat(), "ends_at": end.isoformat()},
        headers=bureau.headers,
    )


async def pushed_grants(settings, username: str) -> tuple[str, ...]:
    account = await find_account(admin_client(settings), username)
    assert account is not None
    return account.attributes.get("inspection_grants", ())


async def wait_for_grants(settings, username: str, expected: set[InspectionGrant]) -> str:
    """Wait until the worker has pushed exactly ``expected`` to Keycloak; return a fresh token."""

    async def done() -> bool:
        current = {InspectionGrant.decode(g) for g in await pushed_grants(settings, username)}
        return current == expected

    await eventually(done)
    return await user_token(settings, username)


async def test_an_inspector_reads_the_assigned_sheet_only_through_the_grant_and_nothing_else_of_the_school(
    stack, eval_client, eval_db, world, people, default_rubric, worker
):
    settings, bureau, inspector = stack.settings, world["bureau_x"], people["principal_a"]
    campaign = await open_campaign(eval_client, bureau, default_rubric)
    # School B has rows in tables the grant does not open: figures, its result.
    await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        hazard_stats(world.school_b, closed=3, on_time=3, overdue=0, as_of=dt.datetime.now(dt.UTC)),
        county_id=world.county_x,
        school_id=world.school_b,
    )
    # School B assessed itself first, with evidence.
    own_score = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/sec.video",
        json={"points": 5, "evidence_note": "见联网测试记录"},
        headers=world["principal_b"].headers,
    )
    assert own_score.status_code == 200, own_score.text
    evidence = await eval_client.post(
        f"/campaigns/{campaign}/self-assessment/items/sec.video/evidence",
        content=JPEG,
        headers=world["principal_b"].headers,
    )
    assert evidence.status_code == 201, evidence.text
    team_id = await team(eval_client, bureau, campaign, (inspector.username, True))
    begin, end = window(-dt.timedelta(minutes=1))
    created = await assign(eval_client, bureau, team_id, world.school_b, begin, end)
    assert created.status_code == 201, created.text
    sheet_url = f"/inspections/{created.json()['id']}"

    token = await wait_for_grants(settings, inspector.username, {InspectionGrant(world.school_b, begin, end)})
    assert [InspectionGrant.decode(g) for g in claims(token)["inspection_grants"]] == [
        InspectionGrant(world.school_b, begin, end)
    ]
    # The token issued before the assignment carries no grant: the sheet does not exist for it.
    assert (await eval_client.get(sheet_url, headers=inspector.headers)).status_code == 404

    sheet = await eval_client.get(sheet_url, headers=bearer(token))
    assert sheet.status_code == 200, sheet.text
    body = sheet.json()
    assert body["assignment"]["school_id"] == str(world.school_b) and body["assignment"]["school_name"]
    assert body["you"] == {"member": True, "lead": True, "can_score": True}
    assert {i["code"] for i in body["items"]} >= {"sec.video", "org.deployment", "veto.concealment"}
    video = next(i for i in body["items"] if i["code"] == "sec.video")
    assert video["self_assessment"]["points"] == 5
    assert video["self_assessment"]["evidence_note"] == "见联网测试记录"
    (file,) = video["self_assessment"]["evidence"]
    evidence_read = await eval_client.get(file["url"], headers=bearer(token))
    assert evidence_read.status_code == 200 and evidence_read.content == JPEG
    assert (await eval_client.get(file["url"], headers=world["teacher_a"].headers)).status_code == 404

    # Nothing else of school B: its figures, its result, its other tables (404 or no rows).
    from evaluation.domain.rankings.service import ResultService

    async with eval_db.transaction(TenantContext.for_county(world.county_x)) as session:
        await ResultService(session, TenantContext.for_county(world.county_x)).recompute(uuid.UUID(campaign))
    for url in (
        f"/campaigns/{campaign}/schools/{world.school_b}/indicators",
        f"/campaigns/{campaign}/results/{world.school_b}",
    ):
        assert (await eval_client.get(url, headers=bearer(token))).status_code == 404, url
    as_inspector = TenantContext.from_claims(claims(token))
    as_bureau = TenantContext.for_county(world.county_x)
    tables = [
        r.table_name
        for r in await rows(
            eval_db,
            None,
            "select table_name from information_schema.columns where table_schema = 'evaluation'"
            " and column_name = 'school_id' order by table_name",
        )
    ]
    seen_by_bureau = {}
    for table in tables:
        sql = f"select count(*) from evaluation.{table} where school_id = :b"
        inspector_count = (await rows(eval_db, as_inspector, sql, b=world.school_b))[0][0]
        seen_by_bureau[table] = (await rows(eval_db, as_bureau, sql, b=world.school_b))[0][0]
        if table in INSPECTED:
            assert inspector_count == seen_by_bureau[table], table
        else:
            assert inspector_count == 0, f"the inspector sees {table} of school B"
    assert all(
        seen_by_bureau[t] > 0
        for t in ("schools", "indicator_values", "school_results", "inspection_assignments")
    )

    mine = (await eval_client.get("/inspections/mine", headers=bearer(token))).json()
    assert [(g["active"], g["assignment_id"], g["status"]) for g in mine["grants"]] == [
        (True, created.json()["id"], "assigned")
    ]

    # Scoring with a comment and a photo; the photo read is audited too.
    scored = await eval_client.put(
        f"{sheet_url}/scores/sec.video",
        json={"points": 4, "comment": "监控已与110联网"},
        headers=bearer(token),
    )
    assert scored.status_code == 200, scored.text
    photo = await eval_client.post(
        f"{sheet_url}/scores/sec.video/photos", content=JPEG, headers=bearer(token)
    )
    assert photo.status_code == 201, photo.text
    download = await eval_client.get(photo.json()["url"], headers=bearer(token))
    assert download.status_code == 200 and download.content == JPEG

    # The inspected school sees its sheet, not the team's scores until the bureau decides, and cannot score.
    own = await eval_client.get(sheet_url, headers=world["principal_b"].headers)
    assert own.status_code == 200
    assert own.json()["scores_visible"] is False
    assert all(i["points"] is None for i in own.json()["items"])
    assert (
        await eval_client.get(photo.json()["url"], headers=world["principal_b"].headers)
    ).status_code == 404
    forbidden = await eval_client.put(
        f"{sheet_url}/scores/sec.video", json={"points": 5}, headers=world["principal_b"].headers
    )
    assert forbidden.status_code == 403

    # Every access left an entry in school B's audit chain, under the inspector's name.
    audit = await rows(
        eval_db,
        as_bureau,
        "select action from evaluation.audit_log where school_id = :b and actor_id = :who order by seq",
        b=world.school_b,
        who=claims(token)["sub"],
    )
    actions = [a.action for a in audit]
    assert actions.count("inspection_sheet.read") == 1
    assert "inspection_photo.read" in actions
    assert "self_assessment_evidence.read" in actions
    assert "inspection_assignment.read" in actions
    assert "inspection_score.create" in actions and "inspection_photo.create" in actions

    # Cancelled: the grant is withdrawn from Keycloak, and the next token no longer reaches the sheet.
    cancelled = await eval_client.post(f"{sheet_url}/cancel", headers=bureau.headers)
    assert cancelled.status_code == 200
    token = await wait_for_grants(settings, inspector.username, set())
    assert "inspection_grants" not in claims(token)
    assert (await eval_client.get(sheet_url, headers=bearer(token))).status_code == 404


async def test_before_and_after_the_window_the_sheet_answers_404(
    stack, eval_client, world, people, default_rubric, worker
):
    settings, bureau, inspector = stack.settings, world["bureau_x"], people["teacher_a"]
    campaign = await open_campaign(eval_client, bureau, default_rubric)
    team_id = await team(eval_client, bureau, campaign, (inspector.username, True))
    begin, end = window(dt.timedelta(days=1))
    created = await assign(eval_client, bureau, team_id, world.school_b, begin, end)
    assert created.status_code == 201, created.text
    sheet_url = f"/inspections/{created.json()['id']}"

    token = await wait_for_grants(settings, inspector.username, {InspectionGrant(world.school_b, begin, end)})
    assert (await eval_client.get(sheet_url, headers=bearer(token))).status_code == 404
    mine = (await eval_client.get("/inspections/mine", headers=bearer(token))).json()
    assert [(g["school_id"], g["active"], g["assignment_id"]) for g in mine["grants"]] == [
        (str(world.school_b), False, None)
    ]
    assert [t["id"] for t in mine["teams"]] == [team_id]

    # The same grant, as Keycloak would hold it once its window is over, and while it is open.
    admin, user_id = admin_client(settings), claims(token)["sub"]
    past = InspectionGrant(world.school_b, begin - dt.timedelta(days=3), end - dt.timedelta(days=3))
    await set_account_attribute(admin, user_id, "inspection_grants", [past.encode()])
    expired = await user_token(settings, inspector.username)
    assert (await eval_client.get(sheet_url, headers=bearer(expired))).status_code == 404
    now_open = InspectionGrant(world.school_b, begin - dt.timedelta(days=1, minutes=5), end)
    await set_account_attribute(admin, user_id, "inspection_grants", [now_open.encode()])
    current = await user_token(settings, inspector.username)
    assert (await eval_client.get(sheet_url, headers=bearer(current))).status_code == 200
    # ...which is only the window's business: the team cannot score before the bureau's window opens.
    early = await eval_client.put(
        f"{sheet_url}/scores/sec.video", json={"points": 3}, headers=bearer(current)
    )
    assert early.status_code == 409
    await eval_client.post(f"{sheet_url}/cancel", headers=bureau.headers)
    await wait_for_grants(settings, inspector.username, set())


async def test_nobody_is_ever_assigned_to_inspect_their_own_school(
    stack, eval_client, eval_db, world, people, default_rubric
):
    bureau = world["bureau_x"]
    campaign = await open_campaign(eval_client, bureau, default_rubric)
    team_id = await team(eval_client, bureau, campaign, (people["principal_a"].username, True))
    begin, end = window(dt.timedelta(hours=1))

    own = await assign(eval_client, bureau, team_id, world.school_a, begin, end)
    assert own.status_code == 422
    assert own.json()["errors"] == [
        {"key": "school_id", "message": f"home school of {people['principal_a'].username}"}
    ]

    assigned = await assign(eval_client, bureau, team_id, world.school_b, begin, end)
    assert assigned.status_code == 201
    joining = await eval_client.post(
        f"/teams/{team_id}/members", json={"username": people["teacher_b"].username}, headers=bureau.headers
    )
    assert joining.status_code == 422
    members = (await eval_client.get(f"/teams/{team_id}", headers=bureau.headers)).json()["members"]
    assert [m["username"] for m in members] == [people["principal_a"].username]
    board = (await eval_client.get(f"/campaigns/{campaign}/assignments", headers=bureau.headers)).json()
    assert [a["school_id"] for a in board] == [str(world.school_b)]

    unknown = await eval_client.post(
        f"/teams/{team_id}/members", json={"username": world["principal_c"].username}, headers=bureau.headers
    )
    assert unknown.status_code == 422  # an account of another county reads like no account at all
    await eval_client.post(f"/inspections/{assigned.json()['id']}/cancel", headers=bureau.headers)


async def test_the_lead_submits_and_the_bureau_returns_the_school_with_its_findings_reported(
    stack, eval_client, eval_db, world, people, default_rubric, worker
):
    settings, bureau = stack.settings, world["bureau_x"]
    lead, member = people["principal_a"], people["teacher_a"]
    campaign = await open_campaign(eval_client, bureau, default_rubric)
    team_id = await team(eval_client, bureau, campaign, (lead.username, True), (member.username, False))
    begin, end = window(-dt.timedelta(minutes=1))
    created = await assign(eval_client, bureau, team_id, world.school_b, begin, end)
    sheet_url = f"/inspections/{created.json()['id']}"
    grant = {InspectionGrant(world.school_b, begin, end)}
    lead_token = await wait_for_grants(settings, lead.username, grant)
    member_token = await wait_for_grants(settings, member.username, grant)

    inbox = (await eval_client.get("/notifications", headers=bearer(member_token))).json()
    assert [n["kind"] for n in inbox["items"] if n["link"] == sheet_url] == ["inspection.assigned"]
    items = (await eval_client.get(sheet_url, headers=bearer(member_token))).json()["items"]
    indicators = [i for i in items if i["kind"] == "indicator"]
    for item in indicators[:-1]:
        response = await eval_client.put(
            f"{sheet_url}/scores/{item['code']}",
            json={"points": item["max_points"] - 1},
            headers=bearer(member_token),
        )
        assert response.status_code == 200, response.text
    assert (await eval_client.post(f"{sheet_url}/submit", headers=bearer(member_token))).status_code == 403
    incomplete = await eval_client.post(f"{sheet_url}/submit", headers=bearer(lead_token))
    assert incomplete.status_code == 422
    assert [e["key"] for e in incomplete.json()["errors"]] == [indicators[-1]["code"]]

    finding = {"title": "宿舍楼灭火器过期", "severity": "major", "category": "fire", "location": "2号宿舍楼"}
    last = await eval_client.put(
        f"{sheet_url}/scores/{indicators[-1]['code']}",
        json={"points": 1, "comment": "消防检查记录缺失", "finding": finding},
        headers=bearer(lead_token),
    )
    assert last.status_code == 200
    submitted = await eval_client.post(f"{sheet_url}/submit", headers=bearer(lead_token))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    late = await eval_client.put(
        f"{sheet_url}/scores/sec.video", json={"points": 0}, headers=bearer(lead_token)
    )
    assert late.status_code == 409

    returned = await eval_client.post(
        f"{sheet_url}/return",
        json={"requests": ["更换过期灭火器", "补齐消防检查记录"]},
        headers=bureau.headers,
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert (await eval_client.post(f"{sheet_url}/accept", json={}, headers=bureau.headers)).status_code == 409

    events = await rows(
        eval_db,
        None,
        "select type, payload from evaluation.outbox where tenant_school_id = :b and payload->>'assignment_id' = :a",
        b=world.school_b,
        a=created.json()["id"],
    )
    by_type = {e.type: e.payload for e in events}
    assert by_type["evaluation.finding.reported"]["title"] == "宿舍楼灭火器过期"
    assert by_type["evaluation.finding.reported"]["severity"] == "major"
    assert by_type["evaluation.inspection.decided"]["decision"] == "returned"

    seen = (await eval_client.get(sheet_url, headers=world["principal_b"].headers)).json()
    assert seen["scores_visible"] is True
    assert seen["assignment"]["rectification_requests"] == ["更换过期灭火器", "补齐消防检查记录"]
    assert (
        next(i for i in seen["items"] if i["code"] == indicators[-1]["code"])["finding"]["title"]
        == "宿舍楼灭火器过期"
    )
    # The decided sheet no longer grants anything; the team hears of the decision.
    token = await wait_for_grants(settings, lead.username, set())
    inbox = (await eval_client.get("/notifications", headers=bearer(token))).json()
    assert [n["kind"] for n in inbox["items"] if n["link"] == sheet_url] == [
        "inspection.decided",
        "inspection.assigned",
    ]
