"""SQL for training sessions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.training.models import Topic, TrainingSession


class TrainingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sessions(
        self, *, school_id: uuid.UUID | None, start: dt.date, end: dt.date, topic: Topic | None = None
    ) -> list[TrainingSession]:
        query = select(TrainingSession).where(
            TrainingSession.held_on >= start, TrainingSession.held_on <= end
        )
        if school_id is not None:
            query = query.where(TrainingSession.school_id == school_id)
        if topic is not None:
            query = query.where(TrainingSession.topic == topic)
        query = query.order_by(TrainingSession.held_on.desc(), TrainingSession.title, TrainingSession.id)
        return list((await self.session.execute(query)).scalars())

    async def get(self, session_id: uuid.UUID, *, for_update: bool = False) -> TrainingSession | None:
        query = select(TrainingSession).where(TrainingSession.id == session_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def delete(self, row: TrainingSession) -> None:
        await self.session.delete(row)
