"""SQL for the school directory (under the caller's RLS context)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.directory.models import SchoolEntry


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, school_id: uuid.UUID) -> SchoolEntry | None:
        return await self.session.get(SchoolEntry, school_id)

    async def active(self) -> list[SchoolEntry]:
        """The active schools visible to the caller (a bureau: its county), by code."""
        query = select(SchoolEntry).where(SchoolEntry.active.is_(True)).order_by(SchoolEntry.code)
        return list((await self.session.execute(query)).scalars())

    async def names(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, SchoolEntry]:
        if not ids:
            return {}
        query = select(SchoolEntry).where(SchoolEntry.id.in_(ids))
        return {s.id: s for s in (await self.session.execute(query)).scalars()}

    async def upsert(
        self,
        *,
        school_id: uuid.UUID,
        county_id: uuid.UUID,
        code: str,
        name: str,
        kind: str,
        active: bool,
        as_of: dt.datetime,
    ) -> None:
        """Record what the schools service said at ``as_of``, unless something newer is already known."""
        values = {"code": code, "name": name, "kind": kind, "active": active, "as_of": as_of}
        statement = insert(SchoolEntry).values(id=school_id, county_id=county_id, **values)
        values["updated_at"] = func.clock_timestamp()
        statement = statement.on_conflict_do_update(
            index_elements=[SchoolEntry.id],
            set_=values,
            where=SchoolEntry.as_of <= statement.excluded.as_of,
        )
        await self.session.execute(statement)
