"""SQL for visits and vehicle authorisations. RLS keeps every query inside the caller's school."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.common import like_pattern
from personnel.domain.visitors.models import VehicleAuthorisation, VehicleStatus, Visit, VisitStatus


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, visit_id: uuid.UUID, *, for_update: bool = False) -> Visit | None:
        query = select(Visit).where(Visit.id == visit_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def page(
        self,
        *,
        school_id: uuid.UUID,
        search: str | None,
        plate: str | None,
        status: VisitStatus | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
        host_staff_id: uuid.UUID | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[Visit], int]:
        conditions = [Visit.school_id == school_id]
        if search:
            pattern = like_pattern(search)
            conditions.append(or_(Visit.visitor_name.ilike(pattern), Visit.plate.ilike(pattern)))
        if plate:
            conditions.append(Visit.plate == plate)
        if status is not None:
            conditions.append(Visit.status == status)
        if since is not None:
            conditions.append(Visit.registered_at >= since)
        if until is not None:
            conditions.append(Visit.registered_at < until)
        if host_staff_id is not None:
            conditions.append(Visit.host_staff_id == host_staff_id)
        # The page and the count are two queries: ``count(*) OVER ()`` fetched and sorted every visit of the
        # school before the first 50 came out; the page alone is an index range scan and the count an
        # index-only scan (bench/README.md). A short first page needs no count.
        query = select(Visit).where(*conditions).order_by(Visit.registered_at.desc(), Visit.id)
        rows = list((await self.session.execute(query.limit(limit).offset(offset))).scalars())
        if len(rows) < limit and (rows or offset == 0):
            return rows, offset + len(rows)
        total = (
            await self.session.execute(select(func.count()).select_from(Visit).where(*conditions))
        ).scalar_one()
        return rows, int(total)

    async def by_digest(self, school_id: uuid.UUID, digest: bytes, limit: int = 50) -> list[Visit]:
        query = (
            select(Visit)
            .where(Visit.school_id == school_id, Visit.id_number_digest == digest)
            .order_by(Visit.registered_at.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def purge_identity(self, registered_before: dt.datetime, now: dt.datetime) -> int:
        """Erase ID numbers (cipher, digest, mask) and phone numbers of visits registered before the cut-off."""
        result = await self.session.execute(
            update(Visit)
            .where(Visit.registered_at < registered_before, Visit.id_purged_at.is_(None))
            .values(
                id_number_cipher=None, id_number_digest=None, id_number_masked="", phone="", id_purged_at=now
            )
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- vehicle authorisations ----------------------------------------------------------------------
    async def authorisations(
        self, school_id: uuid.UUID, *, active_on: dt.date | None
    ) -> list[VehicleAuthorisation]:
        query = select(VehicleAuthorisation).where(VehicleAuthorisation.school_id == school_id)
        if active_on is not None:
            query = query.where(
                VehicleAuthorisation.revoked_at.is_(None),
                VehicleAuthorisation.valid_from <= active_on,
                VehicleAuthorisation.valid_until >= active_on,
            )
        query = query.order_by(VehicleAuthorisation.plate, VehicleAuthorisation.valid_from)
        return list((await self.session.execute(query)).scalars())

    async def authorisation(
        self, authorisation_id: uuid.UUID, *, for_update: bool = False
    ) -> VehicleAuthorisation | None:
        query = select(VehicleAuthorisation).where(VehicleAuthorisation.id == authorisation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def active_authorisation(
        self, school_id: uuid.UUID, plate: str, day: dt.date
    ) -> VehicleAuthorisation | None:
        query = (
            select(VehicleAuthorisation)
            .where(
                VehicleAuthorisation.school_id == school_id,
                VehicleAuthorisation.plate == plate,
                VehicleAuthorisation.revoked_at.is_(None),
                VehicleAuthorisation.valid_from <= day,
                VehicleAuthorisation.valid_until >= day,
            )
            .order_by(VehicleAuthorisation.valid_until.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()


async def visit_volume(
    session: AsyncSession, since: dt.datetime, until: dt.datetime, school_id: uuid.UUID | None = None
) -> dict[uuid.UUID, tuple[int, int, int, int]]:
    """Per school: visits registered, refused, admitted, and vehicles refused in ``[since, until)``."""
    query = (
        select(
            Visit.school_id,
            func.count(),
            func.count().filter(Visit.status == VisitStatus.REFUSED),
            func.count().filter(Visit.entered_at.is_not(None)),
            func.count().filter(Visit.vehicle_status == VehicleStatus.REFUSED),
        )
        .where(Visit.registered_at >= since, Visit.registered_at < until)
        .group_by(Visit.school_id)
    )
    if school_id is not None:
        query = query.where(Visit.school_id == school_id)
    return {s: (int(a), int(b), int(c), int(d)) for s, a, b, c, d in (await session.execute(query))}
