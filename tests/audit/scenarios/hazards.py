"""Audit scenarios of the hazards service's write routes (school A of county X unless said otherwise).

The hazard each scenario needs is walked to the right state through the API first; the call under test is
the last step."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

from kit.db import Database
from kit.notifications import Notifications
from tenants import TenantContext
from tenants.roles import app_role
from tests.audit.conftest import Chain
from tests.audit.scenarios import Context, Scenario, Write
from tests.notifications.conftest import user_id

S = "hazards"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


def _school_a(ctx: Context) -> Any:
    return lambda _: Chain(ctx.world.county_x, ctx.world.school_a, S)


def _deadline(days: int = 7) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days, hours=8)).date().isoformat()


async def _ok(ctx: Context, user: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await ctx.client.post(path, json=body or {}, headers=ctx.headers(user))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _hazard(ctx: Context, state: str, **extra: Any) -> dict[str, Any]:
    """A hazard of school A in ``state``: teacher_a responsible and rectifier, the principal the checker."""
    body = {"title": "审计场景隐患", "category": "fire", "area": "canteen"} | extra
    h = await _ok(ctx, "teacher_a", "/hazards", body)
    steps = [
        ("confirmed", "principal_a", "confirm", {}),
        ("rectifying", "principal_a", "assign", {
            "responsible_id": user_id(ctx.world["teacher_a"]), "responsible_name": "teacher_a",
            "plan": "整改", "deadline": _deadline(),
        }),
        ("rectified", "teacher_a", "rectify", {"note": "已整改"}),
        ("verified", "principal_a", "verify", {}),
    ]  # fmt: skip
    for _target, user, action, payload in steps:
        if h["status"] == state:
            break
        h = await _ok(ctx, user, f"/hazards/{h['id']}/{action}", payload)
    assert h["status"] == state, (h["status"], state)
    return h


def _transition(
    state: str, user: str, action: str, body: dict[str, Any], audit: str, **extra: Any
) -> Scenario:
    async def scenario(ctx: Context) -> Write:
        h = await _hazard(ctx, state, **extra)
        return Write(
            send=lambda: ctx.client.post(
                f"/hazards/{h['id']}/{action}", json=body, headers=ctx.headers(user)
            ),
            chain=_school_a(ctx),
            action=audit,
        )

    return scenario


async def report(ctx: Context) -> Write:
    body = {"title": "新隐患", "category": "electrical", "area": "labs"}
    return Write(
        send=lambda: ctx.client.post("/hazards", json=body, headers=ctx.headers("guard_a")),
        chain=_school_a(ctx),
        action="hazard.report",
    )


async def quick_report(ctx: Context) -> Write:
    return Write(
        send=lambda: ctx.client.post(
            "/hazards/quick",
            data={"category": "traffic", "area": "gate", "place": "正门"},
            files={"photo": ("p.jpg", io.BytesIO(JPEG), "image/jpeg")},
            headers=ctx.headers("teacher_a"),
        ),
        chain=_school_a(ctx),
        action="hazard.report",
    )


async def edit(ctx: Context) -> Write:
    h = await _hazard(ctx, "reported")
    return Write(
        send=lambda: ctx.client.patch(
            f"/hazards/{h['id']}", json={"title": "改过的标题"}, headers=ctx.headers("principal_a")
        ),
        chain=_school_a(ctx),
        action="hazard.edit",
    )


async def add_photo(ctx: Context) -> Write:
    h = await _hazard(ctx, "reported")
    return Write(
        send=lambda: ctx.client.post(
            f"/hazards/{h['id']}/photos",
            data={"stage": "before"},
            files={"file": ("p.jpg", io.BytesIO(JPEG), "image/jpeg")},
            headers=ctx.headers("teacher_a"),
        ),
        chain=_school_a(ctx),
        action="photo.create",
    )


async def list_hazard(ctx: Context) -> Write:
    h = await _hazard(ctx, "confirmed")
    body = {"official": "督办人", "deadline": _deadline(20)}
    return Write(
        send=lambda: ctx.client.post(
            f"/hazards/{h['id']}/listing", json=body, headers=ctx.headers("bureau_x")
        ),
        chain=_school_a(ctx),
        action="hazard.list",
    )


async def refer(ctx: Context) -> Write:
    h = await _hazard(ctx, "confirmed")
    return Write(
        send=lambda: ctx.client.post(
            f"/hazards/{h['id']}/referrals",
            json={"department": "transport"},
            headers=ctx.headers("principal_a"),
        ),
        chain=_school_a(ctx),
        action="referral.create",
    )


async def reply_to_referral(ctx: Context) -> Write:
    h = await _hazard(ctx, "confirmed")
    referral = await _ok(ctx, "principal_a", f"/hazards/{h['id']}/referrals", {"department": "fire_service"})
    return Write(
        send=lambda: ctx.client.patch(
            f"/referrals/{referral['id']}",
            json={"status": "acknowledged", "reply": "已受理"},
            headers=ctx.headers("bureau_x"),
        ),
        chain=_school_a(ctx),
        action="referral.reply",
    )


async def start_patrol(ctx: Context) -> Write:
    return Write(
        send=lambda: ctx.client.post(
            "/patrols",
            json={"kind": "daily", "title": "巡查", "areas": ["gate"]},
            headers=ctx.headers("teacher_a"),
        ),
        chain=_school_a(ctx),
        action="patrol.start",
    )


async def sign_off_area(ctx: Context) -> Write:
    patrol = await _ok(ctx, "teacher_a", "/patrols", {"kind": "daily", "title": "巡查", "areas": ["gate"]})
    return Write(
        send=lambda: ctx.client.post(
            f"/patrols/{patrol['id']}/sign-offs",
            json={"area": "gate", "findings": "无"},
            headers=ctx.headers("guard_a"),
        ),
        chain=_school_a(ctx),
        action="area_sign_off.create",
    )


async def submit_patrol(ctx: Context) -> Write:
    patrol = await _ok(ctx, "teacher_a", "/patrols", {"kind": "daily", "title": "巡查", "areas": ["gate"]})
    await _ok(ctx, "guard_a", f"/patrols/{patrol['id']}/sign-offs", {"area": "gate", "findings": "无"})
    return Write(
        send=lambda: ctx.client.post(
            f"/patrols/{patrol['id']}/submit",
            json={"summary": "巡查完毕"},
            headers=ctx.headers("principal_a"),
        ),
        chain=_school_a(ctx),
        action="patrol.submit",
    )


async def rotate_link(ctx: Context) -> Write:
    assert (await ctx.client.get("/report-link", headers=ctx.headers("principal_a"))).status_code == 200
    return Write(
        send=lambda: ctx.client.post("/report-link/rotate", headers=ctx.headers("principal_a")),
        chain=_school_a(ctx),
        action="report_link.revoke",
    )


async def _public_report(ctx: Context) -> str:
    link = (await ctx.client.get("/report-link", headers=ctx.headers("principal_a"))).json()
    description = f"审计场景公众举报 {uuid.uuid4().hex[:8]}"
    sent = await ctx.client.post(
        link["path"], data={"category": "other", "area": "gate", "description": description}
    )
    assert sent.status_code == 202, sent.text
    queue = (await ctx.client.get("/public-reports?limit=200", headers=ctx.headers("principal_a"))).json()
    return str(next(r["id"] for r in queue["items"] if r["description"] == description))


async def accept_report(ctx: Context) -> Write:
    report_id = await _public_report(ctx)
    return Write(
        send=lambda: ctx.client.post(
            f"/public-reports/{report_id}/accept",
            json={"title": "采纳的举报"},
            headers=ctx.headers("principal_a"),
        ),
        chain=_school_a(ctx),
        action="hazard.report",
    )


async def dismiss_report(ctx: Context) -> Write:
    report_id = await _public_report(ctx)
    return Write(
        send=lambda: ctx.client.post(
            f"/public-reports/{report_id}/dismiss",
            json={"reason": "广告", "spam": True},
            headers=ctx.headers("principal_a"),
        ),
        chain=_school_a(ctx),
        action="public_report.dismiss",
    )


INCIDENT = {
    "kind": "injury",
    "occurred_at": "2026-03-02T09:00:00+08:00",
    "place": "操场",
    "description": "摔伤",
}


async def record_incident(ctx: Context) -> Write:
    return Write(
        send=lambda: ctx.client.post("/incidents", json=INCIDENT, headers=ctx.headers("guard_a")),
        chain=_school_a(ctx),
        action="incident.record",
    )


async def correct_incident(ctx: Context) -> Write:
    incident = await _ok(ctx, "teacher_a", "/incidents", INCIDENT)
    return Write(
        send=lambda: ctx.client.patch(
            f"/incidents/{incident['id']}", json={"people_affected": 2}, headers=ctx.headers("principal_a")
        ),
        chain=_school_a(ctx),
        action="incident.update",
    )


async def set_policy(ctx: Context) -> Write:
    return Write(
        send=lambda: ctx.client.put(
            "/escalation-policy",
            json={"remind_days_before": 2, "grace_days": 3},
            headers=ctx.headers("bureau_x"),
        ),
        chain=lambda _: Chain(ctx.world.county_x, None, S),
        action="escalation_policy.update",
    )


async def _notify(ctx: Context, user: str) -> uuid.UUID:
    database = Database(ctx.stack.settings.sqlalchemy_url(app_role(S), S), pool_size=1)
    tenant = TenantContext.for_school(ctx.world.county_x, ctx.world.school_a, actor="actor:test")
    try:
        async with database.transaction(tenant) as session:
            return await Notifications(session, S).notify(
                user_id(ctx.world[user]), kind="hazards.test", title="测试 / Test", body="正文 / Body"
            )
    finally:
        await database.dispose()


async def mark_read(ctx: Context) -> Write:
    notification = await _notify(ctx, "teacher_a")
    return Write(
        send=lambda: ctx.client.post(f"/notifications/{notification}/read", headers=ctx.headers("teacher_a")),
        chain=_school_a(ctx),
        action="notification.read",
    )


async def mark_all_read(ctx: Context) -> Write:
    await _notify(ctx, "guard_a")
    return Write(
        send=lambda: ctx.client.post("/notifications/read-all", headers=ctx.headers("guard_a")),
        chain=_school_a(ctx),
        action="notification.read_all",
    )


H = "hazards:POST /hazards/{hazard_id:uuid}"
SCENARIOS: dict[str, Scenario] = {
    "hazards:POST /hazards": report,
    "hazards:POST /hazards/quick": quick_report,
    "hazards:PATCH /hazards/{hazard_id:uuid}": edit,
    f"{H}/confirm": _transition("reported", "principal_a", "confirm", {}, "hazard.confirm"),
    f"{H}/reject": _transition("reported", "principal_a", "reject", {"reason": "不是隐患"}, "hazard.reject"),
    f"{H}/assign": _transition(
        "confirmed",
        "principal_a",
        "assign",
        {
            "responsible_name": "王老师",
            "plan": "整改",
            "deadline": _deadline(),
        },
        "hazard.assign",
    ),
    f"{H}/reassign": _transition(
        "rectifying",
        "principal_a",
        "reassign",
        {"reason": "换人", "responsible_name": "李老师"},
        "hazard.reassign",
    ),
    f"{H}/containment": _transition(
        "rectifying", "teacher_a", "containment", {"measures": "拉警戒线"}, "hazard.contain"
    ),
    f"{H}/rectify": _transition("rectifying", "teacher_a", "rectify", {"note": "完成"}, "hazard.rectify"),
    f"{H}/verify": _transition("rectified", "principal_a", "verify", {}, "hazard.verify"),
    f"{H}/reopen": _transition("rectified", "principal_a", "reopen", {"reason": "不合格"}, "hazard.reopen"),
    f"{H}/sign-off": _transition("verified", "bureau_x", "sign-off", {}, "hazard.sign_off", severity="major"),
    f"{H}/photos": add_photo,
    f"{H}/listing": list_hazard,
    f"{H}/referrals": refer,
    "hazards:PATCH /referrals/{referral_id:uuid}": reply_to_referral,
    "hazards:POST /patrols": start_patrol,
    "hazards:POST /patrols/{patrol_id:uuid}/sign-offs": sign_off_area,
    "hazards:POST /patrols/{patrol_id:uuid}/submit": submit_patrol,
    "hazards:POST /report-link/rotate": rotate_link,
    "hazards:POST /public-reports/{report_id:uuid}/accept": accept_report,
    "hazards:POST /public-reports/{report_id:uuid}/dismiss": dismiss_report,
    "hazards:POST /incidents": record_incident,
    "hazards:PATCH /incidents/{incident_id:uuid}": correct_incident,
    "hazards:PUT /escalation-policy": set_policy,
    "hazards:POST /notifications/{notification_id:uuid}/read": mark_read,
    "hazards:POST /notifications/read-all": mark_all_read,
}
