"""Audit scenarios of the evaluation service's write routes: the bureau of county X, school A's staff for the
self-assessment, school B as the inspected school (a bureau team inspects it, so no grant is needed)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from kit.db import Database
from kit.notifications import Notifications
from tenants import TenantContext
from tenants.roles import app_role
from tests.audit.conftest import Chain
from tests.audit.scenarios import Context, Scenario, Write
from tests.notifications.conftest import user_id

S = "evaluation"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


def _county(ctx: Context) -> Any:
    return lambda _: Chain(ctx.world.county_x, None, S)


def _school(ctx: Context, school_id: uuid.UUID) -> Any:
    return lambda _: Chain(ctx.world.county_x, school_id, S)


async def _ok(ctx: Context, user: str, method: str, path: str, body: Any = None) -> Any:
    response = await ctx.client.request(method, path, json=body, headers=ctx.headers(user))
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


async def _database(ctx: Context) -> Database:
    return Database(ctx.stack.settings.sqlalchemy_url(app_role(S), S), pool_size=1)


async def _directory(ctx: Context) -> None:
    """Schools A and B in the evaluation's directory (their onboarding events may not have arrived yet)."""
    from evaluation.domain.directory.repository import DirectoryRepository

    database = await _database(ctx)
    try:
        for school_id, code in ((ctx.world.school_a, "A"), (ctx.world.school_b, "B")):
            tenant = TenantContext.for_school(ctx.world.county_x, school_id, actor="actor:test")
            async with database.transaction(tenant) as session:
                await DirectoryRepository(session).upsert(
                    school_id=school_id,
                    county_id=ctx.world.county_x,
                    code=code,
                    name=f"学校 {code}",
                    kind="primary",
                    active=True,
                    as_of=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                )
    finally:
        await database.dispose()


async def _rubric(ctx: Context, *, publish: bool = True) -> str:
    rubric = await _ok(ctx, "bureau_x", "POST", "/rubrics/default")
    if publish:
        await _ok(ctx, "bureau_x", "POST", f"/rubrics/{rubric['id']}/publish")
    return str(rubric["id"])


async def _campaign(ctx: Context) -> str:
    body = {
        "campaign_id": str(uuid.uuid4()),
        "title": "审计场景",
        "year": 2026,
        "rubric_id": await _rubric(ctx),
    }
    return str((await _ok(ctx, "bureau_x", "POST", "/campaigns", body))["id"])


async def _team(ctx: Context, campaign: str) -> str:
    body = {
        "name": f"组 {uuid.uuid4().hex[:6]}",
        "members": [{"username": ctx.world["bureau_x"].username, "lead": True}],
    }
    return str((await _ok(ctx, "bureau_x", "POST", f"/campaigns/{campaign}/teams", body))["id"])


async def _assignment(ctx: Context) -> str:
    """A bureau team's assignment to school B, open now."""
    await _directory(ctx)
    team = await _team(ctx, await _campaign(ctx))
    now = dt.datetime.now(dt.UTC)
    body = {
        "school_id": str(ctx.world.school_b),
        "starts_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=1)).isoformat(),
    }
    return str((await _ok(ctx, "bureau_x", "POST", f"/teams/{team}/assignments", body))["id"])


async def _scored(ctx: Context, user: str, items_url: str, sheet_url: str, method: str = "PUT") -> None:
    """Score every people-scored indicator of a sheet."""
    sheet = await _ok(ctx, user, "GET", sheet_url)
    for item in sheet["items"]:
        if item["kind"] == "indicator":
            await _ok(ctx, user, method, f"{items_url}/{item['code']}", {"points": item["max_points"]})


async def _submitted(ctx: Context) -> str:
    assignment = await _assignment(ctx)
    url = f"/inspections/{assignment}"
    await _scored(ctx, "bureau_x", f"{url}/scores", url)
    await _ok(ctx, "bureau_x", "POST", f"{url}/submit")
    return url


def _bureau(method: str, path: Any, body: Any, action: str, *, chain: str = "county") -> Scenario:
    """A bureau call; ``path`` and ``body`` may be coroutines of the context (what the call needs first)."""

    async def scenario(ctx: Context) -> Write:
        target = await path(ctx) if callable(path) else path
        payload = await body(ctx) if callable(body) else body
        where = _county(ctx) if chain == "county" else _school(ctx, ctx.world.school_b)
        return Write(
            send=lambda: ctx.client.request(method, target, json=payload, headers=ctx.headers("bureau_x")),
            chain=where,
            action=action,
        )

    return scenario


async def _default_definition(ctx: Context) -> Any:
    from evaluation.domain.rubrics.default import default_rubric

    return msgspec.to_builtins(default_rubric())


async def _edited_definition(ctx: Context) -> Any:
    return {**await _default_definition(ctx), "title": "改过的细则 / edited rubric"}


async def _draft_path(ctx: Context) -> str:
    return f"/rubrics/{await _rubric(ctx, publish=False)}"


async def _published(ctx: Context) -> str:
    return f"/rubrics/{await _rubric(ctx)}"


async def _new_campaign_body(ctx: Context) -> Any:
    return {
        "campaign_id": str(uuid.uuid4()),
        "title": "审计场景",
        "year": 2026,
        "rubric_id": await _rubric(ctx),
    }


async def _campaign_path(ctx: Context) -> str:
    return f"/campaigns/{await _campaign(ctx)}"


async def _team_path(ctx: Context) -> str:
    return f"/teams/{await _team(ctx, await _campaign(ctx))}"


async def _member_path(ctx: Context) -> str:
    team = await _team_path(ctx)
    added = await _ok(
        ctx, "bureau_x", "POST", f"{team}/members", {"username": ctx.world["principal_b"].username}
    )
    member = next(m for m in added["members"] if m["username"] == ctx.world["principal_b"].username)
    return f"{team}/members/{member['id']}"


async def _assignment_body(ctx: Context) -> Any:
    await _directory(ctx)
    now = dt.datetime.now(dt.UTC)
    return {
        "school_id": str(ctx.world.school_b),
        "starts_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=1)).isoformat(),
    }


async def _inspection_path(ctx: Context) -> str:
    return f"/inspections/{await _assignment(ctx)}"


async def _photo(ctx: Context) -> Write:
    url = await _inspection_path(ctx)
    return Write(
        send=lambda: ctx.client.post(
            f"{url}/scores/sec.video/photos", content=JPEG, headers=ctx.headers("bureau_x")
        ),
        chain=_school(ctx, ctx.world.school_b),
        action="inspection_photo.create",
    )


async def _submit_inspection(ctx: Context) -> Write:
    url = await _inspection_path(ctx)
    await _scored(ctx, "bureau_x", f"{url}/scores", url)
    return Write(
        send=lambda: ctx.client.post(f"{url}/submit", headers=ctx.headers("bureau_x")),
        chain=_school(ctx, ctx.world.school_b),
        action="inspection_assignment.submit",
    )


def _decide(action: str, body: Any, audit: str) -> Scenario:
    async def scenario(ctx: Context) -> Write:
        url = await _submitted(ctx)
        return Write(
            send=lambda: ctx.client.post(f"{url}/{action}", json=body, headers=ctx.headers("bureau_x")),
            chain=_school(ctx, ctx.world.school_b),
            action=audit,
        )

    return scenario


async def _own_sheet(ctx: Context) -> str:
    """A campaign in which school A's self-assessment exists already (one item scored)."""
    await _directory(ctx)
    campaign = await _campaign(ctx)
    await _ok(
        ctx,
        "principal_a",
        "PUT",
        f"/campaigns/{campaign}/self-assessment/items/org.deployment",
        {"points": 4},
    )
    return f"/campaigns/{campaign}/self-assessment"


def _self_assessment(
    method: str, suffix: str, audit: str, *, body: Any = None, content: bytes | None = None
) -> Scenario:
    async def scenario(ctx: Context) -> Write:
        url = await _own_sheet(ctx)
        if suffix == "/submit":
            await _scored(ctx, "principal_a", f"{url}/items", url)
        return Write(
            send=lambda: ctx.client.request(
                method, f"{url}{suffix}", json=body, content=content, headers=ctx.headers("principal_a")
            ),
            chain=_school(ctx, ctx.world.school_a),
            action=audit,
        )

    return scenario


async def _year_end(ctx: Context) -> Write:
    campaign = await _campaign(ctx)
    return Write(
        send=lambda: ctx.client.post(
            f"/campaigns/{campaign}/year-end", json={"note": "签批"}, headers=ctx.headers("bureau_x")
        ),
        chain=_county(ctx),
        action="year_end.sign_off",
    )


async def _notify(ctx: Context, user: str) -> uuid.UUID:
    database = await _database(ctx)
    tenant = TenantContext.for_school(ctx.world.county_x, ctx.world.school_a, actor="actor:test")
    try:
        async with database.transaction(tenant) as session:
            return await Notifications(session, S).notify(
                user_id(ctx.world[user]), kind="inspection.test", title="测试 / Test", body="正文 / Body"
            )
    finally:
        await database.dispose()


async def _mark_read(ctx: Context) -> Write:
    notification = await _notify(ctx, "teacher_a")
    return Write(
        send=lambda: ctx.client.post(f"/notifications/{notification}/read", headers=ctx.headers("teacher_a")),
        chain=_school(ctx, ctx.world.school_a),
        action="notification.read",
    )


async def _mark_all_read(ctx: Context) -> Write:
    await _notify(ctx, "principal_a")
    return Write(
        send=lambda: ctx.client.post("/notifications/read-all", headers=ctx.headers("principal_a")),
        chain=_school(ctx, ctx.world.school_a),
        action="notification.read_all",
    )


async def _report_path(ctx: Context) -> str:
    return f"/campaigns/{await _campaign(ctx)}/reports"


async def _recompute_path(ctx: Context) -> str:
    return f"/campaigns/{await _campaign(ctx)}/ranking/recompute"


async def _publish_path(ctx: Context) -> str:
    return f"{await _draft_path(ctx)}/publish"


async def _versions_path(ctx: Context) -> str:
    return f"{await _published(ctx)}/versions"


async def _teams_path(ctx: Context) -> str:
    return f"/campaigns/{await _campaign(ctx)}/teams"


async def _team_body(ctx: Context) -> Any:
    return {
        "name": f"组 {uuid.uuid4().hex[:6]}",
        "members": [{"username": ctx.world["bureau_x"].username, "lead": True}],
    }


async def _members_path(ctx: Context) -> str:
    return f"{await _team_path(ctx)}/members"


async def _assignments_path(ctx: Context) -> str:
    return f"{await _team_path(ctx)}/assignments"


async def _score_path(ctx: Context) -> str:
    return f"{await _inspection_path(ctx)}/scores/sec.video"


async def _principal_b(ctx: Context) -> Any:
    return {"username": ctx.world["principal_b"].username}


async def _cancel_path(ctx: Context) -> str:
    return f"{await _inspection_path(ctx)}/cancel"


E = "evaluation:"
ITEM = "/campaigns/{campaign_id:uuid}/self-assessment/items/{code:str}"
SCENARIOS: dict[str, Scenario] = {
    f"{E}POST /rubrics": _bureau("POST", "/rubrics", _default_definition, "rubric.create"),
    f"{E}POST /rubrics/default": _bureau("POST", "/rubrics/default", None, "rubric.create"),
    f"{E}PUT /rubrics/{{rubric_id:uuid}}": _bureau("PUT", _draft_path, _edited_definition, "rubric.update"),
    f"{E}POST /rubrics/{{rubric_id:uuid}}/publish": _bureau("POST", _publish_path, None, "rubric.publish"),
    f"{E}POST /rubrics/{{rubric_id:uuid}}/versions": _bureau("POST", _versions_path, None, "rubric.create"),
    f"{E}POST /campaigns": _bureau("POST", "/campaigns", _new_campaign_body, "campaign.create"),
    f"{E}PATCH /campaigns/{{campaign_id:uuid}}": _bureau(
        "PATCH", _campaign_path, {"title": "新的标题"}, "campaign.update"
    ),
    f"{E}POST /campaigns/{{campaign_id:uuid}}/ranking/recompute": _bureau(
        "POST", _recompute_path, None, "campaign.recompute"
    ),
    f"{E}POST /campaigns/{{campaign_id:uuid}}/reports": _bureau(
        "POST", _report_path, {"kind": "ranking_xlsx"}, "report.create"
    ),
    f"{E}POST /campaigns/{{campaign_id:uuid}}/year-end": _year_end,
    f"{E}PUT {ITEM}": _self_assessment(
        "PUT", "/items/sec.video", "self_assessment_entry.create", body={"points": 4}
    ),
    f"{E}POST {ITEM}/evidence": _self_assessment(
        "POST", "/items/sec.video/evidence", "self_assessment_evidence.create", content=JPEG
    ),
    f"{E}POST /campaigns/{{campaign_id:uuid}}/self-assessment/submit": _self_assessment(
        "POST", "/submit", "self_assessment.submit"
    ),
    f"{E}POST /campaigns/{{campaign_id:uuid}}/teams": _bureau(
        "POST", _teams_path, _team_body, "inspection_team.create"
    ),
    f"{E}POST /teams/{{team_id:uuid}}/members": _bureau(
        "POST", _members_path, _principal_b, "inspection_team_member.create"
    ),
    f"{E}DELETE /teams/{{team_id:uuid}}/members/{{member_id:uuid}}": _bureau(
        "DELETE", _member_path, None, "inspection_team_member.delete"
    ),
    f"{E}POST /teams/{{team_id:uuid}}/assignments": _bureau(
        "POST", _assignments_path, _assignment_body, "inspection_assignment.create", chain="school_b"
    ),
    f"{E}PUT /inspections/{{assignment_id:uuid}}/scores/{{code:str}}": _bureau(
        "PUT", _score_path, {"points": 4, "comment": "现场查看"}, "inspection_score.create", chain="school_b"
    ),
    f"{E}POST /inspections/{{assignment_id:uuid}}/scores/{{code:str}}/photos": _photo,
    f"{E}POST /inspections/{{assignment_id:uuid}}/submit": _submit_inspection,
    f"{E}POST /inspections/{{assignment_id:uuid}}/accept": _decide(
        "accept", {"note": "通过"}, "inspection_assignment.accept"
    ),
    f"{E}POST /inspections/{{assignment_id:uuid}}/return": _decide(
        "return", {"requests": ["整改"]}, "inspection_assignment.return"
    ),
    f"{E}POST /inspections/{{assignment_id:uuid}}/cancel": _bureau(
        "POST", _cancel_path, None, "inspection_assignment.cancel", chain="school_b"
    ),
    f"{E}POST /notifications/{{notification_id:uuid}}/read": _mark_read,
    f"{E}POST /notifications/read-all": _mark_all_read,
}
