"""SQL of emergency plans and drills. Row-level security scopes every query to the caller's tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schools.domain.emergency.models import Drill, EmergencyPlan, PlanKind


class EmergencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_plan(self, plan_id: uuid.UUID, *, for_update: bool = False) -> EmergencyPlan | None:
        query = select(EmergencyPlan).where(EmergencyPlan.id == plan_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_drill(self, drill_id: uuid.UUID) -> Drill | None:
        return (await self.session.execute(select(Drill).where(Drill.id == drill_id))).scalar_one_or_none()

    async def find_plans(self, *, school_id: uuid.UUID | None, kind: PlanKind | None) -> list[EmergencyPlan]:
        query = select(EmergencyPlan).order_by(
            EmergencyPlan.school_id, EmergencyPlan.kind, EmergencyPlan.title
        )
        if school_id is not None:
            query = query.where(EmergencyPlan.school_id == school_id)
        if kind is not None:
            query = query.where(EmergencyPlan.kind == kind)
        return list((await self.session.execute(query)).scalars())

    async def title_taken(self, school_id: uuid.UUID, kind: PlanKind, title: str) -> bool:
        query = select(EmergencyPlan.id).where(
            EmergencyPlan.school_id == school_id, EmergencyPlan.kind == kind, EmergencyPlan.title == title
        )
        return (await self.session.execute(query)).first() is not None

    async def drill_figures(
        self, school_id: uuid.UUID, first: dt.date, last: dt.date
    ) -> tuple[int, int, int]:
        """The school's plans, the plans drilled between ``first`` and ``last``, and the drills held then."""
        in_term = (Drill.school_id == school_id, Drill.held_on >= first, Drill.held_on <= last)
        query = select(
            select(func.count()).where(EmergencyPlan.school_id == school_id).scalar_subquery(),
            select(func.count(distinct(Drill.plan_id))).where(*in_term).scalar_subquery(),
            select(func.count()).select_from(Drill).where(*in_term).scalar_subquery(),
        )
        plans, drilled, drills = (await self.session.execute(query)).one()
        return int(plans), int(drilled), int(drills)

    async def schools_with_plans(self) -> list[uuid.UUID]:
        query = select(EmergencyPlan.school_id).distinct().order_by(EmergencyPlan.school_id)
        return list((await self.session.execute(query)).scalars())

    def add(self, row: EmergencyPlan | Drill) -> None:
        self.session.add(row)
