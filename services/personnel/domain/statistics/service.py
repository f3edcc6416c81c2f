"""Statistics for the evaluation: staffing compliance, duty coverage, visitor volume and refusals,
night-inspection coverage and training hours, per school over a period. Read-only."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import InvalidInputError
from kit.events import PERSONNEL_STATISTICS_PUBLISHED, PersonnelStatistics
from personnel.domain.common import own_school_id
from personnel.domain.dormitories.service import DormitoryService
from personnel.domain.duty.service import DutyService
from personnel.domain.school_profiles.models import SchoolProfile
from personnel.domain.school_profiles.repository import SchoolProfileRepository
from personnel.domain.school_profiles.service import SchoolProfileService
from personnel.domain.security_team.compliance import StandardFigures, assess
from personnel.domain.security_team.repository import Counts, SecurityTeamRepository
from personnel.domain.security_team.service import SecurityTeamService, staffing_of
from personnel.domain.statistics import schemas
from personnel.domain.training.service import TrainingService
from personnel.domain.visitors.repository import visit_volume
from personnel.outbox import outbox
from personnel.settings import get_personnel_settings
from tenants import TenantContext

MAX_RANGE_DAYS = 62


class StatisticsService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.timezone = get_personnel_settings().timezone

    async def own_school(self, start: dt.date, end: dt.date, now: dt.datetime) -> schemas.SchoolStatistics:
        school_id = own_school_id(self.tenant)
        _check(start, end)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        figures = await SecurityTeamService(self.session, self.tenant).figures()
        counts = await SecurityTeamRepository(self.session).counts(school_id)
        volume = await self._volume(start, end, school_id)
        return await self._school(profile, figures, counts[school_id], volume, start, end, now)

    async def publish_week(self, monday: dt.date, now: dt.datetime) -> schemas.SchoolStatistics:
        """Compute the caller's school's figures for the week from ``monday`` and announce them."""
        figures = await self.own_school(monday, monday + dt.timedelta(days=6), now)
        await outbox.add(
            self.session,
            PERSONNEL_STATISTICS_PUBLISHED,
            PersonnelStatistics(
                school_id=figures.school_id,
                start=figures.start,
                end=figures.end,
                staffing_compliant=figures.staffing.compliant,
                staffing_missing=figures.staffing.missing,
                duty_coverage_rate=figures.duty.coverage_rate,
                duty_attendance_rate=figures.duty.attendance_rate,
                visitors_registered=figures.visitors.registered,
                visitors_refused=figures.visitors.refused,
                vehicles_refused=figures.visitors.vehicles_refused,
                night_inspection_coverage_rate=figures.night_inspections.coverage_rate,
                priority_night_inspection_coverage_rate=figures.night_inspections.priority_coverage_rate,
                training_sessions=figures.training.sessions,
                training_hours=figures.training.hours,
            ),
            county_id=self.tenant.county_id,
            school_id=figures.school_id,
        )
        return figures

    async def county(self, start: dt.date, end: dt.date, now: dt.datetime) -> list[schemas.SchoolStatistics]:
        """Every active school of the bureau's county."""
        _check(start, end)
        profiles = [p for p in await SchoolProfileRepository(self.session).all() if p.active]
        figures = await SecurityTeamService(self.session, self.tenant).figures()
        counts = await SecurityTeamRepository(self.session).counts()
        volume = await self._volume(start, end, None)
        return [await self._school(p, figures, counts[p.id], volume, start, end, now) for p in profiles]

    async def _volume(
        self, start: dt.date, end: dt.date, school_id: uuid.UUID | None
    ) -> dict[uuid.UUID, tuple[int, int, int, int]]:
        since = dt.datetime.combine(start, dt.time(0), tzinfo=self.timezone)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=self.timezone)
        return await visit_volume(self.session, since, until, school_id)

    async def _school(
        self,
        profile: SchoolProfile,
        figures: StandardFigures,
        counts: Counts,
        volume: dict[uuid.UUID, tuple[int, int, int, int]],
        start: dt.date,
        end: dt.date,
        now: dt.datetime,
    ) -> schemas.SchoolStatistics:
        school_id = profile.id
        staffing = assess(figures, staffing_of(profile, counts))
        duty = await DutyService(self.session, self.tenant).coverage(start, end, now, school_id=school_id)
        nights = await DormitoryService(self.session, self.tenant).coverage(
            start, end, now, school_id=school_id
        )
        training = await TrainingService(self.session, self.tenant).summary(start, end, school_id=school_id)
        registered, refused, admitted, vehicles_refused = volume.get(school_id, (0, 0, 0, 0))
        return schemas.SchoolStatistics(
            school_id=school_id,
            school_name=profile.name,
            start=start,
            end=end,
            staffing=schemas.StaffingFigures(
                compliant=staffing.compliant,
                guards=staffing.guards,
                night_guards=staffing.night_guards,
                missing=sum(r.missing for r in staffing.requirements),
                unmet_rules=[r.rule for r in staffing.requirements if r.missing],
            ),
            duty=schemas.DutyFigures(
                required_slots=duty.required_slots,
                covered_slots=duty.covered_slots,
                coverage_rate=duty.coverage_rate,
                shifts_attended=duty.shifts_attended,
                shifts_missed=duty.shifts_missed,
                attendance_rate=duty.attendance_rate,
            ),
            visitors=schemas.VisitorFigures(
                registered=registered, refused=refused, admitted=admitted, vehicles_refused=vehicles_refused
            ),
            night_inspections=nights,
            training=schemas.TrainingFigures(
                sessions=training.sessions, hours=training.hours, participant_hours=training.participant_hours
            ),
        )


def _check(start: dt.date, end: dt.date) -> None:
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInputError(
            f"give a period of at most {MAX_RANGE_DAYS} days that ends after it starts",
            errors=[{"key": "end", "message": "bad period"}],
        )
