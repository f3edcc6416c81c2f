"""SQL for patrols and area sign-offs (under the caller's RLS context)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.hazards.models import Hazard
from hazards.domain.patrols.models import AreaSignOff, Patrol, PatrolKind, PatrolStatus


class PatrolRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, patrol_id: uuid.UUID, *, for_update: bool = False) -> Patrol | None:
        query = select(Patrol).where(Patrol.id == patrol_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def page(
        self,
        *,
        kind: PatrolKind | None,
        status: PatrolStatus | None,
        school_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Patrol], int]:
        conditions = []
        if kind is not None:
            conditions.append(Patrol.kind == kind)
        if status is not None:
            conditions.append(Patrol.status == status)
        if school_id is not None:
            conditions.append(Patrol.school_id == school_id)
        total = (
            await self.session.execute(select(func.count()).select_from(Patrol).where(*conditions))
        ).scalar_one()
        query = (
            select(Patrol)
            .where(*conditions)
            .order_by(Patrol.created_at.desc(), Patrol.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(query)).scalars()), int(total)

    async def hazards_by_area(self, patrol_id: uuid.UUID) -> dict[str, int]:
        query = select(Hazard.area, func.count()).where(Hazard.patrol_id == patrol_id).group_by(Hazard.area)
        return {str(area): int(n) for area, n in (await self.session.execute(query)).all()}

    def add(self, patrol: Patrol) -> None:
        self.session.add(patrol)

    def add_sign_off(self, sign_off: AreaSignOff) -> None:
        self.session.add(sign_off)
