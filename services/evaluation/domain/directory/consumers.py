"""The school directory follows the schools service's events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.directory.repository import DirectoryRepository
from kit.broker import configure_broker
from kit.events import SCHOOL_ONBOARDED, Event, SchoolOnboarded, consumer

configure_broker()


@consumer(SERVICE, SCHOOL_ONBOARDED)
async def school_onboarded(session: AsyncSession, event: Event[SchoolOnboarded]) -> None:
    """A school joined the county: it is evaluated and ranked from now on (school context)."""
    school = event.payload
    await DirectoryRepository(session).upsert(
        school_id=school.school_id,
        county_id=event.tenant.county_id,
        code=school.code,
        name=school.name,
        kind=school.kind,
        active=True,
        as_of=event.occurred_at,
    )
