"""SQL for staff. Every query runs under the caller's RLS context; nothing here filters by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.common import like_pattern
from personnel.domain.staff.models import Position, Staff, StaffRole, StaffStatus


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, staff_id: uuid.UUID, *, for_update: bool = False) -> Staff | None:
        query = select(Staff).where(Staff.id == staff_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_user_id(self, user_id: str) -> Staff | None:
        return (
            await self.session.execute(select(Staff).where(Staff.user_id == user_id))
        ).scalar_one_or_none()

    async def many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Staff]:
        if not ids:
            return {}
        rows = (await self.session.execute(select(Staff).where(Staff.id.in_(set(ids))))).scalars()
        return {s.id: s for s in rows}

    async def username_taken(self, username: str) -> bool:
        return (
            await self.session.execute(select(Staff.id).where(Staff.username == username))
        ).first() is not None

    async def page(
        self,
        *,
        school_id: uuid.UUID | None,
        bureau: bool,
        role: StaffRole | None = None,
        status: StaffStatus | None = None,
        position: Position | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Staff], int]:
        """School staff (of ``school_id``, or of every school the caller sees), or the county's bureau users."""
        conditions: list[ColumnElement[bool]] = [
            Staff.school_id.is_(None) if bureau else Staff.school_id.is_not(None)
        ]
        if school_id is not None:
            conditions.append(Staff.school_id == school_id)
        if role is not None:
            conditions.append(Staff.role == role)
        if status is not None:
            conditions.append(Staff.status == status)
        if position is not None:
            conditions.append(Staff.positions.contains([position.value]))
        if search:
            conditions.append(Staff.name.ilike(like_pattern(search)))
        rows = (
            await self.session.execute(
                select(Staff, func.count().over())
                .where(*conditions)
                .order_by(Staff.name, Staff.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        total = (
            await self.session.execute(select(func.count()).select_from(Staff).where(*conditions))
        ).scalar_one()
        return [], int(total)

    def add(self, staff: Staff) -> None:
        self.session.add(staff)
