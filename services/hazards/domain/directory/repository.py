"""SQL for the school directory (under the caller's RLS context)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.directory.models import SchoolEntry


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, school_id: uuid.UUID) -> SchoolEntry | None:
        return await self.session.get(SchoolEntry, school_id)

    async def names(self, school_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SchoolEntry]:
        ids = list(set(school_ids))
        if not ids:
            return {}
        rows = (
            await self.session.execute(select(SchoolEntry).where(SchoolEntry.school_id.in_(ids)))
        ).scalars()
        return {row.school_id: row for row in rows}

    async def upsert(self, *, county_id: uuid.UUID, school_id: uuid.UUID, code: str, name: str) -> None:
        statement = insert(SchoolEntry).values(school_id=school_id, county_id=county_id, code=code, name=name)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[SchoolEntry.school_id], set_={"code": code, "name": name}
            )
        )

    async def all_in_county(self) -> list[SchoolEntry]:
        """Every school the caller may see (the bureau: its county)."""
        return list((await self.session.execute(select(SchoolEntry).order_by(SchoolEntry.code))).scalars())
