"""SQL for schools. Every query runs under the caller's RLS context; nothing here filters by tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schools.domain.schools.models import ProvisioningStatus, School, SchoolStatus


class SchoolRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, school_id: uuid.UUID, *, for_update: bool = False) -> School | None:
        query = select(School).where(School.id == school_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def code_taken(self, county_id: uuid.UUID, code: str) -> bool:
        query = select(School.id).where(School.county_id == county_id, School.code == code)
        return (await self.session.execute(query)).first() is not None

    async def page(
        self, *, status: SchoolStatus | None, search: str | None, limit: int, offset: int
    ) -> tuple[list[School], int]:
        conditions = []
        if status is not None:
            conditions.append(School.status == status)
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(or_(School.name.ilike(pattern), School.code.ilike(pattern)))
        rows = (
            await self.session.execute(
                select(School, func.count().over().label("total"))
                .where(*conditions)
                .order_by(School.name, School.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        if offset == 0:
            return [], 0
        total = (
            await self.session.execute(select(func.count()).select_from(School).where(*conditions))
        ).scalar_one()
        return [], int(total)

    async def pending_provisioning(self) -> list[School]:
        """Schools whose principal's account is not provisioned yet (and has not failed for good)."""
        query = select(School).where(School.provisioning_status == ProvisioningStatus.PENDING)
        return list((await self.session.execute(query.order_by(School.updated_at))).scalars())

    def add(self, school: School) -> None:
        self.session.add(school)
