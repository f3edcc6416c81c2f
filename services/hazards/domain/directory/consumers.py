"""The school directory is fed by the schools service's ``schools.school.onboarded`` events (once each)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.domain.directory.repository import DirectoryRepository
from kit.broker import configure_broker
from kit.events import SCHOOL_ONBOARDED, Event, SchoolOnboarded, consumer

configure_broker()


@consumer(SERVICE, SCHOOL_ONBOARDED)
async def remember_school(session: AsyncSession, event: Event[SchoolOnboarded]) -> None:
    """Record the school's code (it prefixes hazard numbers) and name (exports, notices)."""
    school = event.payload
    await DirectoryRepository(session).upsert(
        county_id=event.tenant.county_id, school_id=school.school_id, code=school.code, name=school.name
    )
