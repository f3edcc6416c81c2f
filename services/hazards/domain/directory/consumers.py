"""The school directory is fed by the schools service's ``schools.school.onboarded`` and
``schools.school.updated`` events (once each)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.domain.directory.repository import DirectoryRepository
from kit.broker import configure_broker
from kit.events import SCHOOL_ONBOARDED, SCHOOL_UPDATED, Event, SchoolOnboarded, SchoolUpdated, consumer

configure_broker()


@consumer(SERVICE, SCHOOL_ONBOARDED)
async def remember_school(session: AsyncSession, event: Event[SchoolOnboarded]) -> None:
    """Record the school's code (it prefixes hazard numbers) and name (exports, notices)."""
    school = event.payload
    await DirectoryRepository(session).upsert(
        county_id=event.tenant.county_id, school_id=school.school_id, code=school.code, name=school.name
    )


@consumer(SERVICE, SCHOOL_UPDATED)
async def follow_school(session: AsyncSession, event: Event[SchoolUpdated]) -> None:
    """A renamed or recoded school: new hazard numbers, exports and notices use what it is called now."""
    school = event.payload
    await DirectoryRepository(session).upsert(
        county_id=event.tenant.county_id, school_id=school.school_id, code=school.code, name=school.name
    )
