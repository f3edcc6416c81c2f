"""Personnel data of the demo county (development only): staff lists for the demo accounts, gates, security
teams, this week's gate-duty roster with check-ins and a missed duty, visitors (let in, refused, a refused
vehicle, an old visit already purged), dormitories with night inspections, students of concern and training
sessions. Reads the schools and logins from the demo file the schools seed wrote (``.data/demo.json``).

Idempotent: a school whose principal is already on its staff list is left alone.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kit.db import Database
from kit.identity import admin_client
from kit.settings import Settings
from personnel import SERVICE
from personnel.domain.dormitories import schemas as dorm_schemas
from personnel.domain.dormitories.models import Finding, Occupants
from personnel.domain.dormitories.service import DormitoryService
from personnel.domain.duty import schemas as duty_schemas
from personnel.domain.duty.service import DutyService
from personnel.domain.school_profiles import schemas as profile_schemas
from personnel.domain.school_profiles.models import GateKind, Peak
from personnel.domain.school_profiles.service import SchoolProfileService
from personnel.domain.security_team import schemas as team_schemas
from personnel.domain.security_team.models import TeamRole
from personnel.domain.security_team.service import SecurityTeamService
from personnel.domain.staff.models import Staff, StaffRole
from personnel.domain.staff.repository import StaffRepository
from personnel.domain.staff.service import StaffService
from personnel.domain.students_of_concern import schemas as concern_schemas
from personnel.domain.students_of_concern.models import ConcernCategory
from personnel.domain.students_of_concern.service import ConcernService
from personnel.domain.training import schemas as training_schemas
from personnel.domain.training.models import Audience, Topic
from personnel.domain.training.service import TrainingService
from personnel.domain.visitors import schemas as visit_schemas
from personnel.domain.visitors.models import IdType, VerificationMethod
from personnel.domain.visitors.service import VisitService
from personnel.settings import get_personnel_settings
from tenants import TenantContext
from tenants.roles import app_role

#: (login suffix, name, positions) of the demo accounts the schools seed made for every school.
STAFF = {
    "principal": ("校长", ["school_leader", "safety_officer"]),
    "teacher1": ("班主任 李老师", ["class_leader", "security_team_member"]),
    "teacher2": ("宿管 王老师", ["dormitory_supervisor", "psychological_counselor"]),
    "guard": ("保安 赵师傅", []),
}
VISITORS = [
    ("刘建华", "220722198403151234", "送教学资料", None),
    ("陈淑芬", "220722197912080021", "家长会前与班主任沟通", None),
    ("孙志刚", "22072219900101003X", "推销保险", None),
    ("周大海", "220722198807070412", "送货", "吉J·5A831"),
]


def _checksum_ok(number: str) -> str:
    """The demo's ID numbers with their check character put right (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        number[:17] + "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11]
    )


def _as(role: str, user_id: str, username: str, county: uuid.UUID, school: uuid.UUID) -> TenantContext:
    return TenantContext(
        user_id=user_id, username=username, roles=frozenset({role}), county_id=county, school_id=school
    )


async def seed_personnel(
    settings: Settings, demo_file: Path, progress: Callable[[str], None] | None = None
) -> int:
    """Seed every demo school listed in ``demo_file``; returns how many schools got their data now."""
    if settings.is_production:
        raise RuntimeError("the demo seed is for development only")
    note = progress or (lambda _msg: None)
    demo: dict[str, Any] = json.loads(demo_file.read_text(encoding="utf-8"))
    county_id = uuid.UUID(demo["county"]["id"])
    schools: dict[str, dict[str, Any]] = {}
    for user in demo["users"]:
        if "school" in user:
            entry = schools.setdefault(user["school"]["code"], {**user["school"], "logins": {}})
            entry["logins"][user["username"].split(".", 1)[1]] = user["username"]
    admin = admin_client(settings)
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=2)
    seeded = 0
    try:
        for index, (_code, school) in enumerate(sorted(schools.items())):
            user_ids = {
                key: await admin.a_get_user_id(username) for key, username in school["logins"].items()
            }
            found = {key: user_id for key, user_id in user_ids.items() if user_id}
            if set(found) != set(STAFF):  # the schools seed made every login; anything else is not ours
                continue
            if await _seed_school(database, county_id, school, found, index):
                seeded += 1
                note(f"personnel data of {school['name']} ready")
    finally:
        await database.dispose()
    return seeded


async def _seed_school(
    database: Database, county_id: uuid.UUID, school: dict[str, Any], user_ids: dict[str, str], index: int
) -> bool:
    school_id = uuid.UUID(school["id"])
    tz = get_personnel_settings().timezone
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(tz).date()
    principal = _as("principal", "demo-seed", "demo-seed", county_id, school_id)
    async with database.transaction(principal) as session:
        if await StaffRepository(session).by_user_id(user_ids["principal"]) is not None:
            return False
        profiles = SchoolProfileService(session, principal)
        profile = await profiles.profile(school_id)
        if profile.synced_at is None and "student_count" in school:
            await profiles.apply_facts(
                profile_schemas.SchoolFacts(
                    id=school_id,
                    county_id=county_id,
                    code=school["code"],
                    name=school["name"],
                    boarding=bool(school.get("boarding")),
                    student_count=int(school["student_count"]),
                )
            )
        boarding = bool(school.get("boarding", profile.boarding))
        staff_service = StaffService(session, principal)
        staff: dict[str, Staff] = {}
        for key, (name, positions) in STAFF.items():
            role = StaffRole.GUARD if key == "guard" else StaffRole(key.rstrip("12"))
            staff[key] = await staff_service.adopt_account(
                role=role,
                school_id=school_id,
                user_id=user_ids[key],
                username=school["logins"][key],
                name=name,
                email=f"{school['logins'][key]}@changling.example",
                phone=f"1390431{index:02d}{len(staff):02d}",
                positions=positions,
            )
        gates = [await profiles.add_gate(profile_schemas.GateCreate(name="正门", kind=GateKind.MAIN))]
        gates.append(await profiles.add_gate(profile_schemas.GateCreate(name="侧门", kind=GateKind.SIDE)))
        team = SecurityTeamService(session, principal)
        await team.add_member(
            team_schemas.TeamMemberCreate(
                staff_id=staff["guard"].id,
                team_role=TeamRole.LEADER,
                night_shift=boarding,
                certificate_no=f"吉保{index:04d}",
            ),
            today,
        )
        await team.add_member(team_schemas.TeamMemberCreate(staff_id=staff["teacher1"].id), today)
        visits = VisitService(session, principal)
        await visits.authorise_vehicle(
            visit_schemas.VehicleAuthorisationCreate(
                plate="吉J·D2468",
                holder="食堂供货商 鲜达公司",
                reason="每日早晨送菜",
                valid_from=today - dt.timedelta(days=30),
                valid_until=today + dt.timedelta(days=335),
            )
        )
        trainings = TrainingService(session, principal)
        for days_ago, topic, title, minutes, audience, people in (
            (26, Topic.FIRE, "消防疏散演练与灭火器使用", 90, [Audience.STUDENTS, Audience.TEACHERS], 600),
            (12, Topic.DROWNING, "防溺水专题教育", 45, [Audience.STUDENTS], 480),
            (5, Topic.SECURITY_DUTY, "门卫值守与访客登记培训", 60, [Audience.GUARDS, Audience.TEACHERS], 12),
        ):
            await trainings.record(
                training_schemas.TrainingCreate(
                    topic=topic,
                    title=title,
                    held_on=today - dt.timedelta(days=days_ago),
                    duration_minutes=minutes,
                    audience=audience,
                    participant_count=people,
                    trainer="县教育局安全科",
                ),
                now,
            )
        concerns = ConcernService(session, principal)
        for student, category, care in (
            (
                "张小雨",
                ConcernCategory.PSYCHOLOGICAL_PROBLEMS,
                "每周谈心一次，与家长保持联系，必要时转介心理咨询",
            ),
            ("王浩然", ConcernCategory.RESTLESSNESS, "课堂安排专人关注，课间活动有序引导"),
        ):
            await concerns.create(
                concern_schemas.ConcernCreate(
                    student_name=student,
                    category=category,
                    responsible_staff_id=staff["teacher1"].id,
                    class_name="初二(3)班",
                    care_plan=care,
                    review_interval_days=14,
                    next_review_on=today + dt.timedelta(days=2),
                ),
                now,
            )
        # This week's roster, planned on Monday morning.
        monday = today - dt.timedelta(days=today.weekday())
        days = [monday + dt.timedelta(days=i) for i in range(5)]
        plan = [
            duty_schemas.ShiftPlan(date=d, peak=Peak.ARRIVAL, gate_id=gates[0].id, staff_id=staff["guard"].id)
            for d in days
        ]
        plan += [
            duty_schemas.ShiftPlan(
                date=d, peak=Peak.DISMISSAL, gate_id=gates[0].id, staff_id=staff["teacher1"].id
            )
            for d in days
        ]
        plan += [
            duty_schemas.ShiftPlan(
                date=d, peak=Peak.NOON, gate_id=gates[1].id, staff_id=staff["principal"].id
            )
            for d in days
        ]
        morning = dt.datetime.combine(monday, dt.time(6), tzinfo=tz)
        shifts = await DutyService(session, principal).plan(duty_schemas.RosterCreate(shifts=plan), morning)
    # Check-ins of the days gone by, each by the person on duty (the guard missed Tuesday morning).
    for shift, _, person in shifts:
        key = next(k for k, s in staff.items() if s.id == person.id)
        if shift.ends_at > now or (key == "guard" and shift.on_date.weekday() == 1):
            continue
        realm_role = "guard" if key == "guard" else "principal" if key == "principal" else "teacher"
        on_duty = _as(realm_role, user_ids[key], school["logins"][key], county_id, school_id)
        async with database.transaction(on_duty) as session:
            arrival = (
                shift.starts_at
                - dt.timedelta(minutes=10)
                + dt.timedelta(minutes=25 * (shift.on_date.weekday() == 3))  # late on Thursdays
            )
            await DutyService(session, on_duty).check_in(shift.id, arrival)
    job = TenantContext.for_school(county_id, school_id, actor="demo-seed")
    async with database.transaction(job) as session:
        await DutyService(session, job).flag_missed(now)
    # The gate today, by the guard.
    guard = _as("guard", user_ids["guard"], school["logins"]["guard"], county_id, school_id)
    async with database.transaction(guard) as session:
        visits = VisitService(session, guard)
        made = []
        for minutes, (name, number, purpose, plate) in enumerate(VISITORS):
            made.append(
                await visits.register(
                    visit_schemas.VisitCreate(
                        visitor_name=name,
                        id_type=IdType.RESIDENT_ID,
                        id_number=_checksum_ok(number),
                        purpose=purpose,
                        phone="1384321" + number[-4:].replace("X", "0"),
                        host_staff_id=staff["teacher1"].id,
                        plate=plate or "",
                    ),
                    now - dt.timedelta(hours=3) + dt.timedelta(minutes=20 * minutes),
                )
            )
        first, second, pedlar, driver = made
        for visit in (first, second, driver):
            await visits.verify(
                visit.id, visit_schemas.Verification(method=VerificationMethod.PHONE_CALL), now
            )
            await visits.enter(visit.id, now)
        await visits.leave(first.id, now)
        await visits.refuse(pedlar.id, "与学校无关的推销人员，拒绝入校", now)
        old = await visits.register(
            visit_schemas.VisitCreate(
                visitor_name="李建国",
                id_type=IdType.RESIDENT_ID,
                id_number=_checksum_ok("220722196505050050"),
                purpose="维修门卫室空调",
                host_name="总务处",
            ),
            now - dt.timedelta(days=200),
        )
        await visits.purge_expired(180, now)
        del old
    if boarding:
        await _seed_dormitories(database, county_id, school_id, school, user_ids, staff, now)
    return True


async def _seed_dormitories(
    database: Database,
    county_id: uuid.UUID,
    school_id: uuid.UUID,
    school: dict[str, Any],
    user_ids: dict[str, str],
    staff: dict[str, Any],
    now: dt.datetime,
) -> None:
    tz = get_personnel_settings().timezone
    principal = _as("principal", "demo-seed", "demo-seed", county_id, school_id)
    async with database.transaction(principal) as session:
        await SchoolProfileService(session, principal).update(
            profile_schemas.SchoolProfileUpdate(boarding_nights=[0, 1, 2, 3, 4, 5, 6])
        )
        dorms = DormitoryService(session, principal)
        supervisor = staff["teacher2"].id
        girls = await dorms.add(
            dorm_schemas.DormitoryCreate(
                name="女生公寓", occupants=Occupants.FEMALE, roster_count=186, supervisor_staff_id=supervisor
            )
        )
        boys = await dorms.add(
            dorm_schemas.DormitoryCreate(
                name="男生公寓", occupants=Occupants.MALE, roster_count=204, supervisor_staff_id=supervisor
            )
        )
    inspector = _as("teacher", user_ids["teacher2"], school["logins"]["teacher2"], county_id, school_id)
    for nights_ago in range(1, 4):
        evening = dt.datetime.combine(
            now.astimezone(tz).date() - dt.timedelta(days=nights_ago), dt.time(22, 30), tzinfo=tz
        )
        async with database.transaction(inspector) as session:
            dorms = DormitoryService(session, inspector)
            await dorms.inspect(
                girls.id, dorm_schemas.InspectionCreate(present_count=184, absent_with_leave=2), evening
            )
            if nights_ago != 2:  # the boys' building went uninspected one night
                await dorms.inspect(
                    boys.id,
                    dorm_schemas.InspectionCreate(
                        present_count=201,
                        absent_with_leave=2,
                        findings=[Finding.ELECTRICAL_HAZARD],
                        notes="312 室使用大功率电器，已没收",
                    ),
                    evening + dt.timedelta(minutes=20),
                )
    job = TenantContext.for_school(county_id, school_id, actor="demo-seed")
    async with database.transaction(job) as session:
        await DormitoryService(session, job).flag_missed_nights(school_id, now)
