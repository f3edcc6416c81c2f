"""SQL for rubrics (under the caller's RLS context: the rubrics of their county)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.rubrics.models import Rubric, RubricStatus


class RubricRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, rubric_id: uuid.UUID, *, for_update: bool = False) -> Rubric | None:
        query = select(Rubric).where(Rubric.id == rubric_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self, *, status: RubricStatus | None) -> list[Rubric]:
        query = select(Rubric).order_by(Rubric.title, Rubric.lineage_id, Rubric.version.desc())
        if status is not None:
            query = query.where(Rubric.status == status)
        return list((await self.session.execute(query)).scalars())

    async def lineage(self, lineage_id: uuid.UUID) -> list[Rubric]:
        """Every version of one rubric, newest first, locked so that two new versions cannot race."""
        query = (
            select(Rubric)
            .where(Rubric.lineage_id == lineage_id)
            .order_by(Rubric.version.desc())
            .with_for_update()
        )
        return list((await self.session.execute(query)).scalars())

    def add(self, rubric: Rubric) -> None:
        self.session.add(rubric)
