"""SQL for the county standard, the security team and the staffing counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.school_profiles.models import Gate
from personnel.domain.security_team.models import CountyStandard, SecurityTeamMember, TeamRole
from personnel.domain.staff.models import Staff, StaffRole, StaffStatus


@dataclass
class Counts:
    active_gates: int = 0
    guards: int = 0
    night_guards: int = 0
    team_size: int = 0
    team_leaders: int = 0


@dataclass
class CountsBySchool:
    by_school: dict[uuid.UUID, Counts] = field(default_factory=dict)

    def __getitem__(self, school_id: uuid.UUID) -> Counts:
        return self.by_school.setdefault(school_id, Counts())


class SecurityTeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def standard(self, county_id: uuid.UUID, *, for_update: bool = False) -> CountyStandard | None:
        query = select(CountyStandard).where(CountyStandard.county_id == county_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def members(self, school_id: uuid.UUID) -> list[tuple[SecurityTeamMember, Staff]]:
        rows = await self.session.execute(
            select(SecurityTeamMember, Staff)
            .join(Staff, Staff.id == SecurityTeamMember.staff_id)
            .where(SecurityTeamMember.school_id == school_id)
            .order_by(SecurityTeamMember.team_role, Staff.name, SecurityTeamMember.id)
        )
        return [(m, s) for m, s in rows]

    async def member(
        self, member_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[SecurityTeamMember, Staff] | None:
        query = (
            select(SecurityTeamMember, Staff)
            .join(Staff, Staff.id == SecurityTeamMember.staff_id)
            .where(SecurityTeamMember.id == member_id)
        )
        if for_update:
            query = query.with_for_update(of=SecurityTeamMember)
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def is_member(self, staff_id: uuid.UUID) -> bool:
        query = select(SecurityTeamMember.id).where(SecurityTeamMember.staff_id == staff_id)
        return (await self.session.execute(query)).first() is not None

    async def delete(self, member: SecurityTeamMember) -> None:
        await self.session.delete(member)

    async def counts(self, school_id: uuid.UUID | None = None) -> CountsBySchool:
        """Staffing counts of one school, or of every school the caller sees."""
        result = CountsBySchool()
        gates = select(Gate.school_id, func.count()).where(Gate.active.is_(True)).group_by(Gate.school_id)
        guards = (
            select(Staff.school_id, func.count())
            .where(
                Staff.role == StaffRole.GUARD,
                Staff.status == StaffStatus.ACTIVE,
                Staff.school_id.is_not(None),
            )
            .group_by(Staff.school_id)
        )
        team = (
            select(
                SecurityTeamMember.school_id,
                func.count(),
                func.count().filter(SecurityTeamMember.night_shift.is_(True)),
                func.count().filter(SecurityTeamMember.team_role == TeamRole.LEADER),
            )
            .join(Staff, Staff.id == SecurityTeamMember.staff_id)
            .where(Staff.status == StaffStatus.ACTIVE)
            .group_by(SecurityTeamMember.school_id)
        )
        if school_id is not None:
            gates = gates.where(Gate.school_id == school_id)
            guards = guards.where(Staff.school_id == school_id)
            team = team.where(SecurityTeamMember.school_id == school_id)
        for sid, n in await self.session.execute(gates):
            result[sid].active_gates = n
        for school, n in await self.session.execute(guards):
            assert school is not None  # the query asks for school staff only
            result[school].guards = n
        for sid, size, night, leaders in await self.session.execute(team):
            counts = result[sid]
            counts.team_size, counts.night_guards, counts.team_leaders = size, night, leaders
        return result
