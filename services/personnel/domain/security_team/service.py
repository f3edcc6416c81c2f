"""Rules of the county standard, the security team and staffing compliance. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from personnel.domain.common import own_school_id
from personnel.domain.school_profiles.models import SchoolProfile
from personnel.domain.school_profiles.repository import SchoolProfileRepository
from personnel.domain.school_profiles.service import SchoolProfileService
from personnel.domain.security_team import schemas
from personnel.domain.security_team.compliance import SchoolStaffing, StandardFigures, assess
from personnel.domain.security_team.models import DEFAULT_STANDARD, CountyStandard, SecurityTeamMember
from personnel.domain.security_team.repository import Counts, SecurityTeamRepository
from personnel.domain.staff.models import Staff, StaffStatus
from personnel.domain.staff.repository import StaffRepository
from tenants import TenantContext


def member_to_schema(member: SecurityTeamMember, staff: Staff) -> schemas.TeamMember:
    return schemas.TeamMember(
        id=member.id,
        staff_id=staff.id,
        name=staff.name,
        staff_role=staff.role,
        staff_status=staff.status,
        phone=staff.phone,
        team_role=member.team_role,
        night_shift=member.night_shift,
        certificate_no=member.certificate_no,
        joined_on=member.joined_on,
    )


def staffing_of(profile: SchoolProfile, counts: Counts) -> SchoolStaffing:
    return SchoolStaffing(
        school_id=profile.id,
        school_name=profile.name,
        student_count=profile.student_count,
        boarding=profile.boarding,
        active_gates=counts.active_gates,
        guards=counts.guards,
        night_guards=counts.night_guards,
        team_size=counts.team_size,
        team_leaders=counts.team_leaders,
    )


class SecurityTeamService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = SecurityTeamRepository(session)

    # --- the county standard -------------------------------------------------------------------------
    async def standard(self) -> schemas.Standard:
        row = await self.repository.standard(self.tenant.county_id)
        values = DEFAULT_STANDARD if row is None else {k: getattr(row, k) for k in DEFAULT_STANDARD}
        return schemas.Standard(**values, customised=row is not None)

    async def figures(self) -> StandardFigures:
        standard = await self.standard()
        return StandardFigures(
            students_per_guard=standard.students_per_guard,
            min_guards_per_school=standard.min_guards_per_school,
            min_guards_per_gate=standard.min_guards_per_gate,
            night_guards_boarding=standard.night_guards_boarding,
        )

    async def set_standard(self, data: schemas.StandardUpdate) -> schemas.Standard:
        row = await self.repository.standard(self.tenant.county_id, for_update=True)
        if row is None:
            row = CountyStandard(county_id=self.tenant.county_id)
            self.session.add(row)
        for key, value in msgspec.structs.asdict(data).items():
            setattr(row, key, value)
        row.updated_by = self.tenant.user_id
        await self.session.flush()
        return await self.standard()

    # --- the security team ---------------------------------------------------------------------------
    async def team(self) -> list[tuple[SecurityTeamMember, Staff]]:
        return await self.repository.members(own_school_id(self.tenant))

    async def add_member(
        self, data: schemas.TeamMemberCreate, today: dt.date
    ) -> tuple[SecurityTeamMember, Staff]:
        school_id = own_school_id(self.tenant)
        staff = await StaffRepository(self.session).get(data.staff_id)
        if staff is None or staff.school_id != school_id:
            raise InvalidInputError(
                "no such staff member in this school", errors=[{"key": "staff_id", "message": "unknown"}]
            )
        if staff.status != StaffStatus.ACTIVE:
            raise ConflictError("the staff member is deactivated")
        if await self.repository.is_member(staff.id):
            raise ConflictError(f"{staff.name} is already on the security team")
        member = SecurityTeamMember(
            county_id=self.tenant.county_id,
            school_id=school_id,
            staff_id=staff.id,
            team_role=data.team_role,
            night_shift=data.night_shift,
            certificate_no=data.certificate_no,
            joined_on=data.joined_on or today,
        )
        self.session.add(member)
        await self.session.flush()
        return member, staff

    async def update_member(
        self, member_id: uuid.UUID, data: schemas.TeamMemberUpdate
    ) -> tuple[SecurityTeamMember, Staff]:
        found = await self.repository.member(member_id, for_update=True)
        if found is None:
            raise NotFoundError("team member not found")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        for key, value in changes.items():
            setattr(found[0], key, value)
        await self.session.flush()
        return found

    async def remove_member(self, member_id: uuid.UUID) -> None:
        found = await self.repository.member(member_id, for_update=True)
        if found is None:
            raise NotFoundError("team member not found")
        await self.repository.delete(found[0])
        await self.session.flush()

    # --- staffing compliance -------------------------------------------------------------------------
    async def compliance(self) -> schemas.StaffingCompliance:
        """The caller's school measured against its county's standard."""
        school_id = own_school_id(self.tenant)
        profile = await SchoolProfileService(self.session, self.tenant).profile(school_id)
        counts = await self.repository.counts(school_id)
        return assess(await self.figures(), staffing_of(profile, counts[school_id]))

    async def county_compliance(self) -> list[schemas.StaffingCompliance]:
        """Every active school of the bureau's county, least compliant first."""
        figures = await self.figures()
        profiles = [p for p in await SchoolProfileRepository(self.session).all() if p.active]
        counts = await self.repository.counts()
        results = [assess(figures, staffing_of(p, counts[p.id])) for p in profiles]
        return sorted(
            results, key=lambda r: (r.compliant, -sum(q.missing for q in r.requirements), r.school_name)
        )
