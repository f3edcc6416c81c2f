"""SQL for school profiles and gates. Every query runs under the caller's RLS context."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.school_profiles.models import Gate, SchoolProfile


class SchoolProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, school_id: uuid.UUID, *, for_update: bool = False) -> SchoolProfile | None:
        query = select(SchoolProfile).where(SchoolProfile.id == school_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def all(self) -> list[SchoolProfile]:
        """Every profile the caller may see (a bureau: its county's schools), active first, by name."""
        query = select(SchoolProfile).order_by(
            SchoolProfile.active.desc(), SchoolProfile.name, SchoolProfile.id
        )
        return list((await self.session.execute(query)).scalars())

    async def gates(self, school_id: uuid.UUID | None = None, *, active_only: bool = False) -> list[Gate]:
        query = select(Gate).order_by(Gate.name, Gate.id)
        if school_id is not None:
            query = query.where(Gate.school_id == school_id)
        if active_only:
            query = query.where(Gate.active.is_(True))
        return list((await self.session.execute(query)).scalars())

    async def gate(self, gate_id: uuid.UUID, *, for_update: bool = False) -> Gate | None:
        query = select(Gate).where(Gate.id == gate_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def gate_name_taken(
        self, school_id: uuid.UUID, name: str, *, except_id: uuid.UUID | None = None
    ) -> bool:
        query = select(Gate.id).where(Gate.school_id == school_id, Gate.name == name)
        if except_id is not None:
            query = query.where(Gate.id != except_id)
        return (await self.session.execute(query)).first() is not None
