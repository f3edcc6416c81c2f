"""The escalation tick's work list: which schools have hazards with deadlines (ids only)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.escalation.models import DeadlineSchool


async def remember_deadline_school(session: AsyncSession, county_id: uuid.UUID, school_id: uuid.UUID) -> None:
    """Put the school on the escalation tick's work list (idempotent)."""
    await session.execute(
        insert(DeadlineSchool)
        .values(tenant_county_id=county_id, tenant_school_id=school_id)
        .on_conflict_do_nothing()
    )


async def deadline_schools(session: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
    rows = await session.execute(
        select(DeadlineSchool.tenant_county_id, DeadlineSchool.tenant_school_id).order_by(
            DeadlineSchool.tenant_county_id, DeadlineSchool.tenant_school_id
        )
    )
    return [(county, school) for county, school in rows.all()]
