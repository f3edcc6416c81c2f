"""SQL for dormitories, night inspections and missed-night flags."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.dormitories.models import Dormitory, MissedNightInspection, NightInspection, Occupants
from personnel.domain.staff.models import Staff

InspectionRow = tuple[NightInspection, Dormitory, Staff]


class DormitoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def dormitories(
        self, school_id: uuid.UUID | None = None, *, active_only: bool = False
    ) -> list[Dormitory]:
        """Female and mixed dormitories first, then by name."""
        query = select(Dormitory).order_by(
            (Dormitory.occupants == Occupants.MALE).asc(), Dormitory.name, Dormitory.id
        )
        if school_id is not None:
            query = query.where(Dormitory.school_id == school_id)
        if active_only:
            query = query.where(Dormitory.active.is_(True))
        return list((await self.session.execute(query)).scalars())

    async def get(self, dormitory_id: uuid.UUID, *, for_update: bool = False) -> Dormitory | None:
        query = select(Dormitory).where(Dormitory.id == dormitory_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def name_taken(
        self, school_id: uuid.UUID, name: str, *, except_id: uuid.UUID | None = None
    ) -> bool:
        query = select(Dormitory.id).where(Dormitory.school_id == school_id, Dormitory.name == name)
        if except_id is not None:
            query = query.where(Dormitory.id != except_id)
        return (await self.session.execute(query)).first() is not None

    async def inspections(
        self,
        *,
        school_id: uuid.UUID | None,
        start: dt.date,
        end: dt.date,
        dormitory_id: uuid.UUID | None = None,
    ) -> list[InspectionRow]:
        query = (
            select(NightInspection, Dormitory, Staff)
            .join(Dormitory, Dormitory.id == NightInspection.dormitory_id)
            .join(Staff, Staff.id == NightInspection.inspector_staff_id)
            .where(NightInspection.night >= start, NightInspection.night <= end)
            .order_by(NightInspection.night, NightInspection.inspected_at, NightInspection.id)
        )
        if school_id is not None:
            query = query.where(NightInspection.school_id == school_id)
        if dormitory_id is not None:
            query = query.where(NightInspection.dormitory_id == dormitory_id)
        return [(i, d, s) for i, d, s in (await self.session.execute(query))]

    async def missed(
        self, school_id: uuid.UUID, start: dt.date, end: dt.date
    ) -> list[tuple[MissedNightInspection, Dormitory]]:
        query = (
            select(MissedNightInspection, Dormitory)
            .join(Dormitory, Dormitory.id == MissedNightInspection.dormitory_id)
            .where(
                MissedNightInspection.school_id == school_id,
                MissedNightInspection.night >= start,
                MissedNightInspection.night <= end,
            )
            .order_by(
                MissedNightInspection.night.desc(),
                (Dormitory.occupants == Occupants.MALE).asc(),
                Dormitory.name,
            )
        )
        return [(m, d) for m, d in (await self.session.execute(query))]

    async def flag_missed(self, dormitory: Dormitory, night: dt.date, now: dt.datetime) -> bool:
        """Record a missed night once; True when it is new."""
        result = await self.session.execute(
            insert(MissedNightInspection)
            .values(
                id=uuid.uuid4(),
                county_id=dormitory.county_id,
                school_id=dormitory.school_id,
                dormitory_id=dormitory.id,
                night=night,
                flagged_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dormitory_id", "night"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
