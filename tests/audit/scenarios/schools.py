"""Audit scenarios of the schools service's write routes (those of the campaign engine are kept with its tests)."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text

from kit.db import Database
from tenants import TenantContext
from tenants.roles import app_role
from tests.audit.conftest import Chain
from tests.audit.scenarios import Context, Scenario, Write
from tests.campaigns.audit_scenarios import SCENARIOS as CAMPAIGN_SCENARIOS  # the campaign engine's routes
from tests.notifications.conftest import notify, user_id
from tests.schools.test_schools_api import new_school


async def onboard(ctx: Context) -> Write:
    return Write(
        send=lambda: ctx.client.post("/schools", json=new_school(), headers=ctx.headers("bureau_x")),
        chain=lambda response: Chain(ctx.world.county_x, uuid.UUID(response.json()["id"])),
        action="school.create",
    )


async def update(ctx: Context) -> Write:
    school = await ctx.fresh_school()
    return Write(
        send=lambda: ctx.client.patch(
            f"/schools/{school}", json={"boarding": True}, headers=ctx.headers("bureau_x")
        ),
        chain=ctx.in_school(school),
        action="school.update",
    )


async def suspend(ctx: Context) -> Write:
    school = await ctx.fresh_school()
    return Write(
        send=lambda: ctx.client.post(
            f"/schools/{school}/suspend", json={"reason": "停课整顿"}, headers=ctx.headers("bureau_x")
        ),
        chain=ctx.in_school(school),
        action="school.update",
    )


async def reactivate(ctx: Context) -> Write:
    school = await ctx.fresh_school()
    suspended = await ctx.client.post(
        f"/schools/{school}/suspend", json={"reason": "停课整顿"}, headers=ctx.headers("bureau_x")
    )
    assert suspended.status_code == 200
    return Write(
        send=lambda: ctx.client.post(
            f"/schools/{school}/reactivate", json={"reason": "整改完成"}, headers=ctx.headers("bureau_x")
        ),
        chain=ctx.in_school(school),
        action="school.update",
    )


async def retry_provisioning(ctx: Context) -> Write:
    school = await ctx.fresh_school()
    # Its provisioning failed (set directly: the job is not under test here); the bureau asks again.
    database = Database(ctx.stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(TenantContext.for_county(ctx.world.county_x)) as session:
            await session.execute(
                text("UPDATE schools.schools SET provisioning_status = 'failed' WHERE id = :id"),
                {"id": school},
            )
    finally:
        await database.dispose()
    return Write(
        send=lambda: ctx.client.post(
            f"/schools/{school}/provisioning/retry", headers=ctx.headers("bureau_x")
        ),
        chain=ctx.in_school(school),
        action="school.update",
    )


async def import_schools(ctx: Context) -> Write:
    code = f"i{secrets.token_hex(3)}"
    csv = (
        "code,name,kind,principal_name,principal_email,principal_username\n"
        f"{code},导入测试小学,primary,导入校长,{code}@test.example,{code}.principal\n"
    )
    return Write(
        send=lambda: ctx.client.post(
            "/schools/imports",
            files={"file": ("schools.csv", csv.encode(), "text/csv")},
            headers=ctx.headers("bureau_x"),
        ),
        chain=lambda response: Chain(ctx.world.county_x, uuid.UUID(response.json()["rows"][0]["school_id"])),
        action="school.create",
    )


async def mark_read(ctx: Context) -> Write:
    school_a = TenantContext.for_school(ctx.world.county_x, ctx.world.school_a, actor="actor:test")
    notification = await notify(ctx.stack.settings, school_a, user_id(ctx.world["teacher_a"]))
    return Write(
        send=lambda: ctx.client.post(f"/notifications/{notification}/read", headers=ctx.headers("teacher_a")),
        chain=ctx.in_school(ctx.world.school_a),
        action="notification.read",
    )


async def mark_all_read(ctx: Context) -> Write:
    school_a = TenantContext.for_school(ctx.world.county_x, ctx.world.school_a, actor="actor:test")
    await notify(ctx.stack.settings, school_a, user_id(ctx.world["guard_a"]))
    return Write(
        send=lambda: ctx.client.post("/notifications/read-all", headers=ctx.headers("guard_a")),
        chain=ctx.in_school(ctx.world.school_a),
        action="notification.read_all",
    )


SCENARIOS: dict[str, Scenario] = {
    **CAMPAIGN_SCENARIOS,
    "schools:POST /schools": onboard,
    "schools:PATCH /schools/{school_id:uuid}": update,
    "schools:POST /schools/{school_id:uuid}/suspend": suspend,
    "schools:POST /schools/{school_id:uuid}/reactivate": reactivate,
    "schools:POST /schools/{school_id:uuid}/provisioning/retry": retry_provisioning,
    "schools:POST /schools/imports": import_schools,
    "schools:POST /notifications/{notification_id:uuid}/read": mark_read,
    "schools:POST /notifications/read-all": mark_all_read,
}
