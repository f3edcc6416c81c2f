"""Audit scenarios of the personnel service's write routes (school A of county X unless said otherwise)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from kit.db import Database
from kit.notifications import Notifications
from tenants import TenantContext
from tenants.roles import app_role
from tests.audit.conftest import Chain
from tests.audit.scenarios import Context, Scenario, Write
from tests.conftest import make_user
from tests.notifications.conftest import user_id
from tests.personnel.conftest import adopt, receive_school_facts

S = "personnel"
BEIJING = ZoneInfo("Asia/Shanghai")


def _school_a(ctx: Context) -> Any:
    return lambda _: Chain(ctx.world.county_x, ctx.world.school_a, S)


def _county(ctx: Context) -> Any:
    return lambda _: Chain(ctx.world.county_x, None, S)


async def _database(ctx: Context) -> Database:
    return Database(ctx.stack.settings.sqlalchemy_url(app_role(S), S), pool_size=1)


async def _on_staff(ctx: Context, key: str) -> str:
    """The staff id of a world user of school A, putting them on the staff list the first time."""
    me = await ctx.client.get("/staff/me", headers=ctx.headers(key))
    if me.status_code == 200:
        return str(me.json()["id"])
    database = await _database(ctx)
    try:
        staff_id, _ = await adopt(database, ctx.stack, ctx.world[key], key)
    finally:
        await database.dispose()
    return str(staff_id)


async def _new_staff_user(ctx: Context, role: str) -> tuple[Any, str]:
    user = await make_user(ctx.stack.settings, role, ctx.world.county_x, ctx.world.school_a)
    database = await _database(ctx)
    try:
        staff_id, _ = await adopt(database, ctx.stack, user, f"{role} {secrets.token_hex(2)}")
    finally:
        await database.dispose()
    return user, str(staff_id)


async def _invite(ctx: Context, role: str = "teacher") -> dict[str, Any]:
    name = f"x{secrets.token_hex(4)}"
    response = await ctx.client.post(
        "/staff",
        json={"name": name, "email": f"{name}@test.example", "username": f"u-{name}", "role": role},
        headers=ctx.headers("principal_a"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _bureau_user(ctx: Context) -> dict[str, Any]:
    name = f"b{secrets.token_hex(4)}"
    response = await ctx.client.post(
        "/bureau-users",
        json={"name": name, "email": f"{name}@test.example", "username": f"u-{name}"},
        headers=ctx.headers("bureau_x"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _post(ctx: Context, user: str, path: str, body: Any = None) -> Any:
    return lambda: ctx.client.post(path, json=body, headers=ctx.headers(user))


def _patch(ctx: Context, user: str, path: str, body: Any) -> Any:
    return lambda: ctx.client.patch(path, json=body, headers=ctx.headers(user))


# --- staff and bureau users ---------------------------------------------------------------------------
async def invite(ctx: Context) -> Write:
    name = f"x{secrets.token_hex(4)}"
    body = {"name": name, "email": f"{name}@test.example", "username": f"u-{name}", "role": "guard"}
    return Write(_post(ctx, "principal_a", "/staff", body), _school_a(ctx), "staff.create")


async def register_self(ctx: Context) -> Write:
    principal = await make_user(ctx.stack.settings, "principal", ctx.world.county_x, ctx.world.school_a)
    send = lambda: ctx.client.post(  # noqa: E731
        "/staff/self", json={"name": "副校长", "email": "vp@test.example"}, headers=principal.headers
    )
    return Write(send, _school_a(ctx), "staff.create")


async def update_staff(ctx: Context) -> Write:
    staff = await _invite(ctx)
    return Write(
        _patch(ctx, "principal_a", f"/staff/{staff['id']}", {"phone": "13900000000"}),
        _school_a(ctx),
        "staff.update",
    )


async def deactivate_staff(ctx: Context) -> Write:
    staff = await _invite(ctx)
    return Write(
        _post(ctx, "principal_a", f"/staff/{staff['id']}/deactivate", {"reason": "调离"}),
        _school_a(ctx),
        "staff.update",
    )


async def reactivate_staff(ctx: Context) -> Write:
    staff = await _invite(ctx)
    await _post(ctx, "principal_a", f"/staff/{staff['id']}/deactivate", {"reason": "调离"})()
    return Write(
        _post(ctx, "principal_a", f"/staff/{staff['id']}/reactivate", {"reason": "返岗"}),
        _school_a(ctx),
        "staff.update",
    )


async def _failed(ctx: Context, staff_id: str, school_id: uuid.UUID | None) -> None:
    """The account job failed for this entry (set directly: the job is not under test here)."""
    database = await _database(ctx)
    tenant = (
        TenantContext.for_school(ctx.world.county_x, school_id)
        if school_id
        else TenantContext.for_county(ctx.world.county_x)
    )
    try:
        async with database.transaction(tenant) as session:
            await session.execute(
                text(
                    "UPDATE personnel.staff SET account_status = 'failed', account_attempts = 6 WHERE id = :id"
                ),
                {"id": staff_id},
            )
    finally:
        await database.dispose()


async def resend_invitation(ctx: Context) -> Write:
    staff = await _invite(ctx)
    await _failed(ctx, staff["id"], ctx.world.school_a)
    return Write(
        _post(ctx, "principal_a", f"/staff/{staff['id']}/invitation"), _school_a(ctx), "staff.update"
    )


async def invite_bureau_user(ctx: Context) -> Write:
    name = f"b{secrets.token_hex(4)}"
    body = {"name": name, "email": f"{name}@test.example", "username": f"u-{name}"}
    return Write(_post(ctx, "bureau_x", "/bureau-users", body), _county(ctx), "staff.create")


async def deactivate_bureau_user(ctx: Context) -> Write:
    user = await _bureau_user(ctx)
    return Write(
        _post(ctx, "bureau_x", f"/bureau-users/{user['id']}/deactivate", {"reason": "退休"}),
        _county(ctx),
        "staff.update",
    )


async def reactivate_bureau_user(ctx: Context) -> Write:
    user = await _bureau_user(ctx)
    await _post(ctx, "bureau_x", f"/bureau-users/{user['id']}/deactivate", {"reason": "借调"})()
    return Write(
        _post(ctx, "bureau_x", f"/bureau-users/{user['id']}/reactivate", {"reason": "回岗"}),
        _county(ctx),
        "staff.update",
    )


async def resend_bureau_invitation(ctx: Context) -> Write:
    user = await _bureau_user(ctx)
    await _failed(ctx, user["id"], None)
    return Write(
        _post(ctx, "bureau_x", f"/bureau-users/{user['id']}/invitation"), _county(ctx), "staff.update"
    )


# --- school profile, gates, standard, security team ---------------------------------------------------
async def update_profile(ctx: Context) -> Write:
    database = await _database(ctx)
    try:
        await receive_school_facts(
            database, ctx.world.county_x, ctx.world.school_a, student_count=1200, boarding=True
        )
    finally:
        await database.dispose()
    profile = (await ctx.client.get("/school-profile", headers=ctx.headers("principal_a"))).json()
    days = [0, 1, 2, 3, 4] if 5 in profile["school_weekdays"] else [0, 1, 2, 3, 4, 5]
    body = {"school_weekdays": days}
    return Write(_patch(ctx, "principal_a", "/school-profile", body), _school_a(ctx), "school_profile.update")


async def add_gate(ctx: Context) -> Write:
    return Write(
        _post(ctx, "principal_a", "/gates", {"name": f"门{secrets.token_hex(3)}"}),
        _school_a(ctx),
        "gate.create",
    )


async def _gate(ctx: Context) -> str:
    response = await _post(ctx, "principal_a", "/gates", {"name": f"门{secrets.token_hex(3)}"})()
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def update_gate(ctx: Context) -> Write:
    gate = await _gate(ctx)
    return Write(
        _patch(ctx, "principal_a", f"/gates/{gate}", {"kind": "side"}), _school_a(ctx), "gate.update"
    )


STANDARD = {
    "students_per_guard": 500,
    "min_guards_per_school": 1,
    "min_guards_per_gate": 1,
    "night_guards_boarding": 2,
    "visitor_id_retention_days": 180,
}


async def set_standard(ctx: Context) -> Write:
    await ctx.client.put("/standard", json=STANDARD, headers=ctx.headers("bureau_x"))  # exists from now on
    changed = {**STANDARD, "visitor_id_retention_days": 181}
    send = lambda: ctx.client.put("/standard", json=changed, headers=ctx.headers("bureau_x"))  # noqa: E731
    return Write(send, _county(ctx), "county_standard.update")


async def _team_member(ctx: Context) -> str:
    guard = await _invite(ctx, "guard")
    response = await _post(ctx, "principal_a", "/security-team", {"staff_id": guard["id"]})()
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add_team_member(ctx: Context) -> Write:
    guard = await _invite(ctx, "guard")
    body = {"staff_id": guard["id"], "night_shift": True}
    return Write(
        _post(ctx, "principal_a", "/security-team", body), _school_a(ctx), "security_team_member.create"
    )


async def update_team_member(ctx: Context) -> Write:
    member = await _team_member(ctx)
    body = {"team_role": "leader"}
    return Write(
        _patch(ctx, "principal_a", f"/security-team/{member}", body),
        _school_a(ctx),
        "security_team_member.update",
    )


async def remove_team_member(ctx: Context) -> Write:
    member = await _team_member(ctx)
    send = lambda: ctx.client.delete(f"/security-team/{member}", headers=ctx.headers("principal_a"))  # noqa: E731
    return Write(send, _school_a(ctx), "security_team_member.delete")


# --- gate duty ----------------------------------------------------------------------------------------
def _now_window() -> tuple[dt.date, str, str]:
    """Today (local) and a window around now that stays within the day."""
    now = dt.datetime.now(BEIJING).replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    start = max(now - dt.timedelta(minutes=10), midnight)
    end = min(now + dt.timedelta(minutes=30), midnight.replace(hour=23, minute=59, second=59))
    return now.date(), start.time().isoformat(), end.time().isoformat()


async def _shift(ctx: Context, staff_id: str, *, now: bool = False) -> str:
    gate = await _gate(ctx)
    if now:
        day, start, end = _now_window()
        plan = {
            "date": day.isoformat(),
            "peak": "noon",
            "gate_id": gate,
            "staff_id": staff_id,
            "start_time": start,
            "end_time": end,
        }
    else:
        day = dt.datetime.now(BEIJING).date() + dt.timedelta(days=random.randint(30, 3000))
        plan = {"date": day.isoformat(), "peak": "arrival", "gate_id": gate, "staff_id": staff_id}
    response = await _post(ctx, "principal_a", "/duty/shifts", {"shifts": [plan]})()
    assert response.status_code == 201, response.text
    return str(response.json()[0]["id"])


async def plan_shifts(ctx: Context) -> Write:
    guard = await _invite(ctx, "guard")
    gate = await _gate(ctx)
    day = dt.datetime.now(BEIJING).date() + dt.timedelta(days=7)
    body = {
        "shifts": [{"date": day.isoformat(), "peak": "dismissal", "gate_id": gate, "staff_id": guard["id"]}]
    }
    return Write(_post(ctx, "principal_a", "/duty/shifts", body), _school_a(ctx), "duty_shift.create")


async def cancel_shift(ctx: Context) -> Write:
    guard = await _invite(ctx, "guard")
    shift = await _shift(ctx, guard["id"])
    send = lambda: ctx.client.delete(f"/duty/shifts/{shift}", headers=ctx.headers("principal_a"))  # noqa: E731
    return Write(send, _school_a(ctx), "duty_shift.delete")


async def check_in(ctx: Context) -> Write:
    guard, staff_id = await _new_staff_user(ctx, "guard")
    shift = await _shift(ctx, staff_id, now=True)
    send = lambda: ctx.client.post(f"/duty/shifts/{shift}/check-in", headers=guard.headers)  # noqa: E731
    return Write(send, _school_a(ctx), "duty_shift.update")


async def check_out(ctx: Context) -> Write:
    guard, staff_id = await _new_staff_user(ctx, "guard")
    shift = await _shift(ctx, staff_id, now=True)
    assert (await ctx.client.post(f"/duty/shifts/{shift}/check-in", headers=guard.headers)).status_code == 200
    send = lambda: ctx.client.post(f"/duty/shifts/{shift}/check-out", headers=guard.headers)  # noqa: E731
    return Write(send, _school_a(ctx), "duty_shift.update")


# --- visitors and vehicles ----------------------------------------------------------------------------
VISIT = {
    "visitor_name": "审计访客",
    "id_type": "passport",
    "id_number": "E98765432",
    "purpose": "来访",
    "host_name": "总务处",
}


async def _visit(ctx: Context, *, verified: bool = False, inside: bool = False) -> str:
    response = await _post(ctx, "guard_a", "/visits", VISIT)()
    assert response.status_code == 201, response.text
    visit = str(response.json()["id"])
    if verified or inside:
        await _post(ctx, "guard_a", f"/visits/{visit}/verify", {"method": "phone_call"})()
    if inside:
        await _post(ctx, "guard_a", f"/visits/{visit}/entry")()
    return visit


async def register_visit(ctx: Context) -> Write:
    return Write(_post(ctx, "guard_a", "/visits", VISIT), _school_a(ctx), "visit.create")


async def search_id(ctx: Context) -> Write:
    return Write(
        _post(ctx, "guard_a", "/visits/search-id", {"id_number": "E98765432"}),
        _school_a(ctx),
        "visit.search_id_number",
    )


async def verify_visit(ctx: Context) -> Write:
    visit = await _visit(ctx)
    return Write(
        _post(ctx, "guard_a", f"/visits/{visit}/verify", {"method": "in_person"}),
        _school_a(ctx),
        "visit.update",
    )


async def refuse_visit(ctx: Context) -> Write:
    visit = await _visit(ctx)
    return Write(
        _post(ctx, "guard_a", f"/visits/{visit}/refuse", {"reason": "无法核实"}),
        _school_a(ctx),
        "visit.update",
    )


async def enter(ctx: Context) -> Write:
    visit = await _visit(ctx, verified=True)
    return Write(_post(ctx, "guard_a", f"/visits/{visit}/entry"), _school_a(ctx), "visit.update")


async def leave(ctx: Context) -> Write:
    visit = await _visit(ctx, inside=True)
    return Write(_post(ctx, "guard_a", f"/visits/{visit}/exit"), _school_a(ctx), "visit.update")


def _authorisation() -> dict[str, str]:
    today = dt.date.today()
    return {
        "plate": f"吉A{random.randint(10000, 99999)}",
        "holder": "校车",
        "reason": "接送学生",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=90)).isoformat(),
    }


async def authorise_vehicle(ctx: Context) -> Write:
    return Write(
        _post(ctx, "principal_a", "/vehicle-authorisations", _authorisation()),
        _school_a(ctx),
        "vehicle_authorisation.create",
    )


async def revoke_vehicle(ctx: Context) -> Write:
    created = await _post(ctx, "principal_a", "/vehicle-authorisations", _authorisation())()
    path = f"/vehicle-authorisations/{created.json()['id']}/revoke"
    return Write(_post(ctx, "principal_a", path), _school_a(ctx), "vehicle_authorisation.update")


# --- dormitories ------------------------------------------------------------------------------------------
async def _dormitory(ctx: Context) -> str:
    body = {"name": f"宿舍{secrets.token_hex(3)}", "occupants": "female", "roster_count": 40}
    response = await _post(ctx, "principal_a", "/dormitories", body)()
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add_dormitory(ctx: Context) -> Write:
    body = {"name": f"宿舍{secrets.token_hex(3)}", "occupants": "male", "roster_count": 60}
    return Write(_post(ctx, "principal_a", "/dormitories", body), _school_a(ctx), "dormitory.create")


async def update_dormitory(ctx: Context) -> Write:
    dorm = await _dormitory(ctx)
    return Write(
        _patch(ctx, "principal_a", f"/dormitories/{dorm}", {"roster_count": 44}),
        _school_a(ctx),
        "dormitory.update",
    )


async def inspect_dormitory(ctx: Context) -> Write:
    await _on_staff(ctx, "principal_a")
    dorm = await _dormitory(ctx)
    body = {"present_count": 40}
    return Write(
        _post(ctx, "principal_a", f"/dormitories/{dorm}/inspections", body),
        _school_a(ctx),
        "night_inspection.create",
    )


# --- students of concern -------------------------------------------------------------------------------
async def _concern_body(ctx: Context) -> dict[str, Any]:
    teacher = await _on_staff(ctx, "teacher_a")
    return {"student_name": "审计学生", "category": "inferiority", "responsible_staff_id": teacher}


async def _concern(ctx: Context) -> str:
    response = await _post(ctx, "principal_a", "/students-of-concern", await _concern_body(ctx))()
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def create_concern(ctx: Context) -> Write:
    body = await _concern_body(ctx)
    return Write(
        _post(ctx, "principal_a", "/students-of-concern", body), _school_a(ctx), "student_of_concern.create"
    )


async def update_concern(ctx: Context) -> Write:
    concern = await _concern(ctx)
    body = {"care_plan": "每周谈心"}
    return Write(
        _patch(ctx, "teacher_a", f"/students-of-concern/{concern}", body),
        _school_a(ctx),
        "student_of_concern.update",
    )


async def review_concern(ctx: Context) -> Write:
    concern = await _concern(ctx)
    path = f"/students-of-concern/{concern}/reviews"
    return Write(
        _post(ctx, "teacher_a", path, {"notes": "情况稳定"}), _school_a(ctx), "concern_review.create"
    )


async def close_concern(ctx: Context) -> Write:
    concern = await _concern(ctx)
    path = f"/students-of-concern/{concern}/close"
    return Write(
        _post(ctx, "principal_a", path, {"reason": "已毕业"}), _school_a(ctx), "student_of_concern.update"
    )


# --- training ---------------------------------------------------------------------------------------------
TRAINING = {
    "topic": "fire",
    "title": "消防安全",
    "held_on": "2026-01-15",
    "duration_minutes": 60,
    "audience": ["students"],
    "participant_count": 200,
}


async def _training(ctx: Context) -> str:
    response = await _post(ctx, "principal_a", "/training-sessions", TRAINING)()
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def record_training(ctx: Context) -> Write:
    return Write(
        _post(ctx, "teacher_a", "/training-sessions", TRAINING), _school_a(ctx), "training_session.create"
    )


async def update_training(ctx: Context) -> Write:
    session = await _training(ctx)
    body = {"participant_count": 250}
    return Write(
        _patch(ctx, "teacher_a", f"/training-sessions/{session}", body),
        _school_a(ctx),
        "training_session.update",
    )


async def delete_training(ctx: Context) -> Write:
    session = await _training(ctx)
    send = lambda: ctx.client.delete(f"/training-sessions/{session}", headers=ctx.headers("principal_a"))  # noqa: E731
    return Write(send, _school_a(ctx), "training_session.delete")


# --- notifications ----------------------------------------------------------------------------------------
async def _notify(ctx: Context, user: str) -> uuid.UUID:
    tenant = TenantContext.for_school(ctx.world.county_x, ctx.world.school_a, actor="actor:test")
    database = await _database(ctx)
    try:
        async with database.transaction(tenant) as session:
            return await Notifications(session, S).notify(
                user_id(ctx.world[user]), kind="test.notice", title="测试 / Test", body="正文 / Body"
            )
    finally:
        await database.dispose()


async def mark_read(ctx: Context) -> Write:
    notification = await _notify(ctx, "teacher_a")
    return Write(
        _post(ctx, "teacher_a", f"/notifications/{notification}/read"), _school_a(ctx), "notification.read"
    )


async def mark_all_read(ctx: Context) -> Write:
    await _notify(ctx, "guard_a")
    return Write(_post(ctx, "guard_a", "/notifications/read-all"), _school_a(ctx), "notification.read_all")


SCENARIOS: dict[str, Scenario] = {
    "personnel:POST /staff": invite,
    "personnel:POST /staff/self": register_self,
    "personnel:PATCH /staff/{staff_id:uuid}": update_staff,
    "personnel:POST /staff/{staff_id:uuid}/deactivate": deactivate_staff,
    "personnel:POST /staff/{staff_id:uuid}/reactivate": reactivate_staff,
    "personnel:POST /staff/{staff_id:uuid}/invitation": resend_invitation,
    "personnel:POST /bureau-users": invite_bureau_user,
    "personnel:POST /bureau-users/{user_id:uuid}/deactivate": deactivate_bureau_user,
    "personnel:POST /bureau-users/{user_id:uuid}/reactivate": reactivate_bureau_user,
    "personnel:POST /bureau-users/{user_id:uuid}/invitation": resend_bureau_invitation,
    "personnel:PATCH /school-profile": update_profile,
    "personnel:POST /gates": add_gate,
    "personnel:PATCH /gates/{gate_id:uuid}": update_gate,
    "personnel:PUT /standard": set_standard,
    "personnel:POST /security-team": add_team_member,
    "personnel:PATCH /security-team/{member_id:uuid}": update_team_member,
    "personnel:DELETE /security-team/{member_id:uuid}": remove_team_member,
    "personnel:POST /duty/shifts": plan_shifts,
    "personnel:DELETE /duty/shifts/{shift_id:uuid}": cancel_shift,
    "personnel:POST /duty/shifts/{shift_id:uuid}/check-in": check_in,
    "personnel:POST /duty/shifts/{shift_id:uuid}/check-out": check_out,
    "personnel:POST /visits": register_visit,
    "personnel:POST /visits/search-id": search_id,
    "personnel:POST /visits/{visit_id:uuid}/verify": verify_visit,
    "personnel:POST /visits/{visit_id:uuid}/refuse": refuse_visit,
    "personnel:POST /visits/{visit_id:uuid}/entry": enter,
    "personnel:POST /visits/{visit_id:uuid}/exit": leave,
    "personnel:POST /vehicle-authorisations": authorise_vehicle,
    "personnel:POST /vehicle-authorisations/{authorisation_id:uuid}/revoke": revoke_vehicle,
    "personnel:POST /dormitories": add_dormitory,
    "personnel:PATCH /dormitories/{dormitory_id:uuid}": update_dormitory,
    "personnel:POST /dormitories/{dormitory_id:uuid}/inspections": inspect_dormitory,
    "personnel:POST /students-of-concern": create_concern,
    "personnel:PATCH /students-of-concern/{concern_id:uuid}": update_concern,
    "personnel:POST /students-of-concern/{concern_id:uuid}/reviews": review_concern,
    "personnel:POST /students-of-concern/{concern_id:uuid}/close": close_concern,
    "personnel:POST /training-sessions": record_training,
    "personnel:PATCH /training-sessions/{session_id:uuid}": update_training,
    "personnel:DELETE /training-sessions/{session_id:uuid}": delete_training,
    "personnel:POST /notifications/{notification_id:uuid}/read": mark_read,
    "personnel:POST /notifications/read-all": mark_all_read,
}
