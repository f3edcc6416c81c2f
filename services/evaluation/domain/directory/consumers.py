"""The school directory follows the schools service's events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.directory.repository import DirectoryRepository
from kit.broker import configure_broker
from kit.events import SCHOOL_ONBOARDED, SCHOOL_UPDATED, Event, SchoolOnboarded, SchoolUpdated, consumer

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


@consumer(SERVICE, SCHOOL_UPDATED)
async def school_updated(session: AsyncSession, event: Event[SchoolUpdated]) -> None:
    """An edited, suspended or reactivated school: a suspended one is no longer evaluated or ranked (its
    results so far stay; a frozen year-end result never changes). A late event never undoes a newer one."""
    school = event.payload
    await DirectoryRepository(session).upsert(
        school_id=school.school_id,
        county_id=event.tenant.county_id,
        code=school.code,
        name=school.name,
        kind=school.kind,
        active=school.status == "active",
        as_of=event.occurred_at,
    )
