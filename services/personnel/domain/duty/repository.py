"""SQL for duty shifts."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.duty.models import DutyShift, ShiftStatus
from personnel.domain.school_profiles.models import Gate
from personnel.domain.staff.models import Staff

ShiftRow = tuple[DutyShift, Gate, Staff]


class DutyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _joined(self) -> Select[DutyShift, Gate, Staff]:
        return (
            select(DutyShift, Gate, Staff)
            .join(Gate, Gate.id == DutyShift.gate_id)
            .join(Staff, Staff.id == DutyShift.staff_id)
        )

    async def shifts(
        self,
        *,
        school_id: uuid.UUID | None,
        start: dt.date,
        end: dt.date,
        staff_id: uuid.UUID | None = None,
        gate_id: uuid.UUID | None = None,
    ) -> list[ShiftRow]:
        query = self._joined().where(DutyShift.on_date >= start, DutyShift.on_date <= end)
        if school_id is not None:
            query = query.where(DutyShift.school_id == school_id)
        if staff_id is not None:
            query = query.where(DutyShift.staff_id == staff_id)
        if gate_id is not None:
            query = query.where(DutyShift.gate_id == gate_id)
        query = query.order_by(DutyShift.starts_at, Gate.name, Staff.name, DutyShift.id)
        return [(s, g, p) for s, g, p in (await self.session.execute(query))]

    async def get(self, shift_id: uuid.UUID, *, for_update: bool = False) -> ShiftRow | None:
        query = self._joined().where(DutyShift.id == shift_id)
        if for_update:
            query = query.with_for_update(of=DutyShift)
        row = (await self.session.execute(query)).first()
        return (row[0], row[1], row[2]) if row else None

    async def taken(self, keys: list[tuple[uuid.UUID, dt.date, str]]) -> set[tuple[uuid.UUID, dt.date, str]]:
        """Which (staff, date, peak) of ``keys`` already have a shift."""
        if not keys:
            return set()
        staff_ids = {k[0] for k in keys}
        dates = {k[1] for k in keys}
        rows = await self.session.execute(
            select(DutyShift.staff_id, DutyShift.on_date, DutyShift.peak).where(
                DutyShift.staff_id.in_(staff_ids), DutyShift.on_date.in_(dates)
            )
        )
        existing = {(s, d, p.value) for s, d, p in rows}
        return existing & set(keys)

    async def delete(self, shift: DutyShift) -> None:
        await self.session.delete(shift)

    async def future_shifts(self, staff_id: uuid.UUID) -> list[DutyShift]:
        """A staff member's shifts that have not started yet."""
        query = select(DutyShift).where(
            DutyShift.staff_id == staff_id,
            DutyShift.status == ShiftStatus.SCHEDULED,
            DutyShift.starts_at > func.now(),
        )
        return list((await self.session.execute(query)).scalars())

    async def cancel_future(self, staff_id: uuid.UUID) -> int:
        """Take a staff member's shifts that have not started off the roster."""
        shifts = await self.future_shifts(staff_id)
        for shift in shifts:
            await self.session.delete(shift)
        return len(shifts)

    async def ended_unattended(self, now: dt.datetime) -> list[ShiftRow]:
        """Scheduled shifts whose peak is over, locked for flagging."""
        query = (
            self._joined()
            .where(DutyShift.status == ShiftStatus.SCHEDULED, DutyShift.ends_at <= now)
            .order_by(DutyShift.ends_at, DutyShift.id)
            .with_for_update(of=DutyShift)
        )
        return [(s, g, p) for s, g, p in (await self.session.execute(query))]
