"""Rules of gate duty: rosters, check-in and check-out, missed duties, coverage. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kit.events import PERSONNEL_DUTY_SHIFT_MISSED, DutyShiftMissed
from kit.notifications import bilingual
from personnel.domain.common import own_school_id
from personnel.domain.duty import schemas
from personnel.domain.duty.coverage import Calendar, GateRef, ShiftRef, coverage
from personnel.domain.duty.models import DutyShift, ShiftStatus
from personnel.domain.duty.repository import DutyRepository, ShiftRow
from personnel.domain.notifications.alerts import alert
from personnel.domain.school_profiles.models import Peak, SchoolProfile
from personnel.domain.school_profiles.repository import SchoolProfileRepository
from personnel.domain.school_profiles.service import SchoolProfileService
from personnel.domain.staff.models import StaffRole
from personnel.domain.staff.repository import StaffRepository
from personnel.outbox import outbox
from personnel.settings import get_personnel_settings
from tenants import TenantContext

#: How early before its peak a shift can be checked into.
CHECK_IN_OPENS = dt.timedelta(minutes=30)
#: Arriving within this much of the start is on time.
LATE_GRACE = dt.timedelta(minutes=5)
MAX_RANGE_DAYS = 62
PEAK_NAMES = {
    Peak.ARRIVAL: ("早上到校", "arrival"),
    Peak.NOON: ("中午", "noon"),
    Peak.DISMISSAL: ("放学", "dismissal"),
}
#: Who stands gate duty: leaders (the principal, teachers with the school_leader position), teachers, guards.
ON_DUTY_ROLES = frozenset({StaffRole.PRINCIPAL, StaffRole.TEACHER, StaffRole.GUARD})


def to_schema(row: ShiftRow) -> schemas.DutyShift:
    shift, gate, staff = row
    return schemas.DutyShift(
        id=shift.id,
        date=shift.on_date,
        peak=shift.peak,
        gate_id=gate.id,
        gate_name=gate.name,
        staff_id=staff.id,
        staff_name=staff.name,
        staff_role=staff.role,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        status=shift.status,
        checked_in_at=shift.checked_in_at,
        checked_out_at=shift.checked_out_at,
        late_minutes=shift.late_minutes,
    )


def calendar_of(profile: SchoolProfile, timezone: dt.tzinfo) -> Calendar:
    return Calendar(
        school_weekdays=frozenset(profile.school_weekdays),
        peaks=tuple(profile.peaks),
        windows={peak: profile.peak_window(peak) for peak in profile.peaks},
        timezone=timezone,
    )


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInputError(
            "the period ends before it starts", errors=[{"key": "end", "message": "before start"}]
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInputError(
            f"at most {MAX_RANGE_DAYS} days at a time", errors=[{"key": "end", "message": "too far"}]
        )


class DutyService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = DutyRepository(session)
        self.timezone = get_personnel_settings().timezone

    def local_date(self, now: dt.datetime) -> dt.date:
        return now.astimezone(self.timezone).date()

    async def roster(
        self, start: dt.date, end: dt.date, *, staff_id: uuid.UUID | None, gate_id: uuid.UUID | None
    ) -> list[ShiftRow]:
        check_range(start, end)
        return await self.repository.shifts(
            school_id=own_school_id(self.tenant), start=start, end=end, staff_id=staff_id, gate_id=gate_id
        )

    async def mine(self, now: dt.datetime, days_ahead: int = 7) -> list[ShiftRow]:
        """The caller's shifts from today on."""
        staff = await StaffRepository(self.session).by_user_id(self.tenant.user_id)
        if staff is None:
            return []
        today = self.local_date(now)
        return await self.repository.shifts(
            school_id=own_school_id(self.tenant),
            start=today,
            end=today + dt.timedelta(days=days_ahead),
            staff_id=staff.id,
        )

    async def plan(self, data: schemas.RosterCreate, now: dt.datetime) -> list[ShiftRow]:
        """Put people on gate duty. All or nothing: one bad line rejects the whole roster."""
        school_id = own_school_id(self.tenant)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        gates = {
            g.id: g for g in await SchoolProfileRepository(self.session).gates(school_id, active_only=True)
        }
        staff = await StaffRepository(self.session).many([p.staff_id for p in data.shifts])
        today = self.local_date(now)
        errors: list[dict[str, str]] = []
        keys: dict[tuple[uuid.UUID, dt.date, str], int] = {}
        for index, plan in enumerate(data.shifts):
            where = f"shifts[{index}]"
            person = staff.get(plan.staff_id)
            if plan.gate_id not in gates:
                errors.append({"key": f"{where}.gate_id", "message": "no such active gate in this school"})
            if person is None or person.school_id != school_id or person.role not in ON_DUTY_ROLES:
                errors.append({"key": f"{where}.staff_id", "message": "no such staff member in this school"})
            elif not person.is_active:
                errors.append({"key": f"{where}.staff_id", "message": "the staff member is deactivated"})
            if plan.date < today:
                errors.append({"key": f"{where}.date", "message": "in the past"})
            if plan.peak not in profile.peaks:
                errors.append({"key": f"{where}.peak", "message": "not a duty peak of this school"})
            start, end = self._window(profile, plan)
            if start >= end:
                errors.append({"key": f"{where}.end_time", "message": "ends before it starts"})
            key = (plan.staff_id, plan.date, plan.peak.value)
            if key in keys:
                errors.append({"key": where, "message": f"same person and peak as shifts[{keys[key]}]"})
            keys.setdefault(key, index)
        if errors:
            raise InvalidInputError("the roster has errors; nothing was saved", errors=errors)
        if clashes := await self.repository.taken(list(keys)):
            raise ConflictError(
                "some people are already on duty at these peaks",
                errors=[
                    {"key": f"shifts[{keys[k]}]", "message": "already rostered"}
                    for k in sorted(clashes, key=str)
                ],
            )
        created = []
        for plan in data.shifts:
            start, end = self._window(profile, plan)
            shift = DutyShift(
                county_id=self.tenant.county_id,
                school_id=school_id,
                gate_id=plan.gate_id,
                staff_id=plan.staff_id,
                on_date=plan.date,
                peak=plan.peak,
                starts_at=dt.datetime.combine(plan.date, start, tzinfo=self.timezone),
                ends_at=dt.datetime.combine(plan.date, end, tzinfo=self.timezone),
                status=ShiftStatus.SCHEDULED,
                late_minutes=0,
                assigned_by=self.tenant.user_id,
            )
            self.session.add(shift)
            created.append((shift, gates[plan.gate_id], staff[plan.staff_id]))
        await self.session.flush()
        return created

    @staticmethod
    def _window(profile: SchoolProfile, plan: schemas.ShiftPlan) -> tuple[dt.time, dt.time]:
        default_start, default_end = profile.peak_window(plan.peak)
        return plan.start_time or default_start, plan.end_time or default_end

    async def cancel(self, shift_id: uuid.UUID) -> None:
        row = await self.repository.get(shift_id, for_update=True)
        if row is None:
            raise NotFoundError("duty shift not found")
        if row[0].status != ShiftStatus.SCHEDULED:
            raise ConflictError(
                f"the shift is {row[0].status.value}; only a scheduled shift can be cancelled"
            )
        await self.repository.delete(row[0])
        await self.session.flush()

    async def check_in(self, shift_id: uuid.UUID, now: dt.datetime) -> ShiftRow:
        row = await self._own_shift(shift_id)
        shift = row[0]
        if shift.status != ShiftStatus.SCHEDULED:
            raise ConflictError(f"the shift is already {shift.status.value}")
        if now < shift.starts_at - CHECK_IN_OPENS:
            raise ConflictError("too early: check-in opens 30 minutes before the peak")
        if now > shift.ends_at:
            raise ConflictError("the peak is over; the duty counts as missed")
        shift.status = ShiftStatus.CHECKED_IN
        shift.checked_in_at = now
        late = now - shift.starts_at
        shift.late_minutes = int(late.total_seconds() // 60) if late > LATE_GRACE else 0
        await self.session.flush()
        return row

    async def check_out(self, shift_id: uuid.UUID, now: dt.datetime) -> ShiftRow:
        row = await self._own_shift(shift_id)
        shift = row[0]
        if shift.status != ShiftStatus.CHECKED_IN:
            raise ConflictError(
                "check in first"
                if shift.status == ShiftStatus.SCHEDULED
                else f"the shift is {shift.status.value}"
            )
        shift.status = ShiftStatus.COMPLETED
        shift.checked_out_at = now
        await self.session.flush()
        return row

    async def _own_shift(self, shift_id: uuid.UUID) -> ShiftRow:
        row = await self.repository.get(shift_id, for_update=True)
        if row is None:
            raise NotFoundError("duty shift not found")
        if row[2].user_id != self.tenant.user_id:
            raise ForbiddenError("this is somebody else's duty")
        return row

    async def flag_missed(self, now: dt.datetime) -> list[ShiftRow]:
        """Mark every shift whose peak ended without a check-in as missed; announce and report each."""
        rows = await self.repository.ended_unattended(now)
        for shift, gate, staff in rows:
            shift.status = ShiftStatus.MISSED
            await outbox.add(
                self.session,
                PERSONNEL_DUTY_SHIFT_MISSED,
                DutyShiftMissed(
                    shift_id=shift.id,
                    staff_id=staff.id,
                    gate_id=gate.id,
                    date=shift.on_date,
                    peak=shift.peak.value,
                ),
                county_id=shift.county_id,
                school_id=shift.school_id,
            )
            peak = PEAK_NAMES[shift.peak]
            await alert(
                self.session,
                kind="personnel.duty_missed",
                title=bilingual(f"护校值班缺岗：{staff.name}", f"Missed gate duty: {staff.name}"),
                body=bilingual(
                    f"{shift.on_date.isoformat()} {peak[0]}，{gate.name}：{staff.name} 未签到。",
                    f"{shift.on_date.isoformat()}, {peak[1]}, {gate.name}: {staff.name} did not check in.",
                ),
                link=f"/duty/shifts?start={shift.on_date.isoformat()}&end={shift.on_date.isoformat()}",
                also=staff,
            )
        await self.session.flush()
        return rows

    async def coverage(
        self, start: dt.date, end: dt.date, now: dt.datetime, school_id: uuid.UUID | None = None
    ) -> schemas.Coverage:
        check_range(start, end)
        school_id = school_id or own_school_id(self.tenant)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        gates = await SchoolProfileRepository(self.session).gates(school_id, active_only=True)
        rows = await self.repository.shifts(school_id=school_id, start=start, end=end)
        return coverage(
            school_id,
            start,
            end,
            calendar_of(profile, self.timezone),
            [GateRef(g.id, g.name) for g in gates],
            [ShiftRef(s.on_date, s.peak, s.gate_id, s.ends_at, s.status, s.late_minutes) for s, _, _ in rows],
            now,
        )
