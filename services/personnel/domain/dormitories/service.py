"""Rules of dormitories and night inspections. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit import AuditLog
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import (
    PERSONNEL_NIGHT_INSPECTION_MISSED,
    PERSONNEL_NIGHT_INSPECTION_RECORDED,
    NightInspectionMissed,
    NightInspectionRecorded,
)
from kit.notifications import bilingual
from personnel import SERVICE
from personnel.domain.common import own_school_id
from personnel.domain.dormitories import schemas
from personnel.domain.dormitories.coverage import DormRef, night_coverage, required_nights
from personnel.domain.dormitories.models import Dormitory, Finding, NightInspection, night_of
from personnel.domain.dormitories.repository import DormitoryRepository, InspectionRow
from personnel.domain.duty.service import check_range
from personnel.domain.notifications.alerts import alert
from personnel.domain.school_profiles.service import SchoolProfileService
from personnel.domain.staff.repository import StaffRepository
from personnel.outbox import outbox
from personnel.settings import get_personnel_settings
from tenants import TenantContext

#: How far back the missed-night job looks (a worker that was down for days still flags every night).
MISSED_LOOKBACK_NIGHTS = 7


def dormitory_to_schema(dorm: Dormitory) -> schemas.Dormitory:
    return schemas.Dormitory(
        id=dorm.id,
        name=dorm.name,
        occupants=dorm.occupants,
        priority=dorm.houses_girls,
        roster_count=dorm.roster_count,
        supervisor_staff_id=dorm.supervisor_staff_id,
        active=dorm.active,
    )


def inspection_to_schema(row: InspectionRow) -> schemas.NightInspection:
    inspection, dorm, inspector = row
    return schemas.NightInspection(
        id=inspection.id,
        dormitory_id=dorm.id,
        dormitory_name=dorm.name,
        priority=dorm.houses_girls,
        night=inspection.night,
        inspected_at=inspection.inspected_at,
        inspector_staff_id=inspector.id,
        inspector_name=inspector.name,
        expected_count=inspection.expected_count,
        present_count=inspection.present_count,
        absent_with_leave=inspection.absent_with_leave,
        unexplained_absences=inspection.unexplained_absences,
        findings=[Finding(f) for f in inspection.findings],
        notes=inspection.notes,
        has_issues=bool(inspection.findings),
    )


def dorm_ref(dorm: Dormitory, timezone: dt.tzinfo) -> DormRef:
    return DormRef(id=dorm.id, priority=dorm.houses_girls, since=night_of(dorm.created_at, timezone))


class DormitoryService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = DormitoryRepository(session)
        self.timezone = get_personnel_settings().timezone

    # --- buildings -----------------------------------------------------------------------------------
    async def dormitories(self) -> list[Dormitory]:
        return await self.repository.dormitories(own_school_id(self.tenant))

    async def add(self, data: schemas.DormitoryCreate) -> Dormitory:
        school_id = own_school_id(self.tenant)
        if await self.repository.name_taken(school_id, data.name):
            raise ConflictError(
                f"a dormitory named {data.name} exists", errors=[{"key": "name", "message": "in use"}]
            )
        await self._check_supervisor(school_id, data.supervisor_staff_id)
        dorm = Dormitory(county_id=self.tenant.county_id, school_id=school_id, **msgspec.structs.asdict(data))
        self.session.add(dorm)
        await self.session.flush()
        await self.session.refresh(dorm)
        return dorm

    async def update(self, dormitory_id: uuid.UUID, data: schemas.DormitoryUpdate) -> Dormitory:
        dorm = await self.repository.get(dormitory_id, for_update=True)
        if dorm is None:
            raise NotFoundError("dormitory not found")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "name" in changes and await self.repository.name_taken(
            dorm.school_id, changes["name"], except_id=dorm.id
        ):
            raise ConflictError(
                f"a dormitory named {changes['name']} exists", errors=[{"key": "name", "message": "in use"}]
            )
        if changes.get("supervisor_staff_id") is not None:
            await self._check_supervisor(dorm.school_id, changes["supervisor_staff_id"])
        for key, value in changes.items():
            setattr(dorm, key, value)
        await self.session.flush()
        await self.session.refresh(dorm)
        return dorm

    async def _check_supervisor(self, school_id: uuid.UUID, staff_id: uuid.UUID | None) -> None:
        if staff_id is None:
            return
        staff = await StaffRepository(self.session).get(staff_id)
        if staff is None or staff.school_id != school_id:
            raise InvalidInputError(
                "no such staff member in this school",
                errors=[{"key": "supervisor_staff_id", "message": "unknown"}],
            )

    # --- inspections ---------------------------------------------------------------------------------
    async def inspect(
        self, dormitory_id: uuid.UUID, data: schemas.InspectionCreate, now: dt.datetime
    ) -> InspectionRow:
        """Record a night inspection by the caller: head count against the roster, and findings."""
        dorm = await self.repository.get(dormitory_id)
        if dorm is None:
            raise NotFoundError("dormitory not found")
        if not dorm.active:
            raise ConflictError("the dormitory is not in use")
        inspector = await StaffRepository(self.session).by_user_id(self.tenant.user_id)
        if inspector is None or not inspector.is_active:
            raise ConflictError("you are not on the staff list of this school; ask the principal")
        if data.absent_with_leave > dorm.roster_count:
            raise InvalidInputError(
                "more students on leave than on the roster",
                errors=[{"key": "absent_with_leave", "message": "too many"}],
            )
        findings = list(dict.fromkeys(data.findings))
        unexplained = dorm.roster_count - data.present_count - data.absent_with_leave
        if unexplained > 0 and Finding.UNEXPLAINED_ABSENCE not in findings:
            findings.insert(0, Finding.UNEXPLAINED_ABSENCE)
        inspection = NightInspection(
            county_id=dorm.county_id,
            school_id=dorm.school_id,
            dormitory_id=dorm.id,
            night=night_of(now, self.timezone),
            inspected_at=now,
            inspector_staff_id=inspector.id,
            expected_count=dorm.roster_count,
            present_count=data.present_count,
            absent_with_leave=data.absent_with_leave,
            findings=[f.value for f in findings],
            notes=data.notes,
        )
        self.session.add(inspection)
        await self.session.flush()
        await outbox.add(
            self.session,
            PERSONNEL_NIGHT_INSPECTION_RECORDED,
            NightInspectionRecorded(
                inspection_id=inspection.id,
                dormitory_id=dorm.id,
                night=inspection.night,
                priority=dorm.houses_girls,
                expected_count=inspection.expected_count,
                present_count=inspection.present_count,
                unexplained_absences=inspection.unexplained_absences,
                findings=list(inspection.findings),
            ),
            county_id=dorm.county_id,
            school_id=dorm.school_id,
        )
        return inspection, dorm, inspector

    async def inspections(
        self, start: dt.date, end: dt.date, dormitory_id: uuid.UUID | None = None
    ) -> list[InspectionRow]:
        check_range(start, end)
        return await self.repository.inspections(
            school_id=own_school_id(self.tenant), start=start, end=end, dormitory_id=dormitory_id
        )

    async def checklist(self, now: dt.datetime) -> schemas.NightChecklist:
        """Tonight's round: every active dormitory, female first, with what has been inspected."""
        school_id = own_school_id(self.tenant)
        night = night_of(now, self.timezone)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        dorms = await self.repository.dormitories(school_id, active_only=True)
        rows = await self.repository.inspections(school_id=school_id, start=night, end=night)
        required = {
            d.id
            for d, _ in required_nights(
                [dorm_ref(d, self.timezone) for d in dorms], profile.boarding_nights, night, night
            )
        }
        entries = [
            schemas.DormitoryNight(
                dormitory=dormitory_to_schema(d),
                required=d.id in required,
                inspections=[inspection_to_schema(r) for r in rows if r[1].id == d.id],
            )
            for d in dorms
        ]
        outstanding = [e.dormitory.id for e in entries if e.required and not e.inspections]
        return schemas.NightChecklist(night=night, dormitories=entries, outstanding=outstanding)

    async def missed(self, start: dt.date, end: dt.date) -> list[schemas.MissedNight]:
        check_range(start, end)
        return [
            schemas.MissedNight(
                dormitory_id=d.id,
                dormitory_name=d.name,
                priority=d.houses_girls,
                night=m.night,
                flagged_at=m.flagged_at,
            )
            for m, d in await self.repository.missed(own_school_id(self.tenant), start, end)
        ]

    async def flag_missed_nights(
        self, school_id: uuid.UUID, now: dt.datetime
    ) -> list[tuple[Dormitory, dt.date]]:
        """Flag every past boarding night (within the look-back) of an active dormitory without an inspection.
        Idempotent: a night is flagged once. Returns the new flags."""
        last = night_of(now, self.timezone) - dt.timedelta(days=1)
        first = last - dt.timedelta(days=MISSED_LOOKBACK_NIGHTS - 1)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        dorms = {d.id: d for d in await self.repository.dormitories(school_id, active_only=True)}
        inspected = {
            (i.dormitory_id, i.night)
            for i, _, _ in await self.repository.inspections(school_id=school_id, start=first, end=last)
        }
        flagged = []
        refs = [dorm_ref(d, self.timezone) for d in dorms.values()]
        for ref, night in required_nights(refs, profile.boarding_nights, first, last):
            dorm = dorms[ref.id]
            if (ref.id, night) in inspected or not await self.repository.flag_missed(dorm, night, now):
                continue
            flagged.append((dorm, night))
            await self._report_missed(dorm, night)
        return flagged

    async def _report_missed(self, dorm: Dormitory, night: dt.date) -> None:
        # The flag is a Core insert (ON CONFLICT), which the ORM audit hook does not see.
        await AuditLog(self.session, SERVICE).record(
            "dormitory.night_missed",
            object_type="dormitory",
            object_id=dorm.id,
            after={"night": night.isoformat()},
            fields=["night"],
        )
        await outbox.add(
            self.session,
            PERSONNEL_NIGHT_INSPECTION_MISSED,
            NightInspectionMissed(dormitory_id=dorm.id, night=night, priority=dorm.houses_girls),
            county_id=dorm.county_id,
            school_id=dorm.school_id,
        )
        girls = "（女生宿舍）" if dorm.houses_girls else ""
        girls_en = " (female dormitory)" if dorm.houses_girls else ""
        supervisor = (
            await StaffRepository(self.session).get(dorm.supervisor_staff_id)
            if dorm.supervisor_staff_id
            else None
        )
        await alert(
            self.session,
            kind="personnel.night_inspection_missed",
            title=bilingual(
                f"宿舍夜查缺失：{dorm.name}{girls}", f"Night inspection missed: {dorm.name}{girls_en}"
            ),
            body=bilingual(
                f"{night.isoformat()} 夜间，{dorm.name}{girls} 没有查寝记录。",
                f"Nobody recorded a night inspection of {dorm.name}{girls_en} on the night of {night.isoformat()}.",
            ),
            link=f"/night-inspections/missed?start={night.isoformat()}&end={night.isoformat()}",
            also=supervisor,
        )

    async def coverage(
        self, start: dt.date, end: dt.date, now: dt.datetime, school_id: uuid.UUID | None = None
    ) -> schemas.NightCoverage:
        school_id = school_id or own_school_id(self.tenant)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        dorms = await self.repository.dormitories(school_id, active_only=True)
        rows = await self.repository.inspections(school_id=school_id, start=start, end=end)
        return night_coverage(
            [dorm_ref(d, self.timezone) for d in dorms],
            profile.boarding_nights,
            {(i.dormitory_id, i.night) for i, _, _ in rows},
            start,
            end,
            last_complete_night=night_of(now, self.timezone) - dt.timedelta(days=1),
            with_issues=sum(1 for i, _, _ in rows if i.findings),
        )
