"""Which schools the personnel service's periodic jobs run for.

The app role cannot list tenants across counties, so the counties come from the outbox (the one
cross-tenant record it reads): every school profile announced itself there with
``personnel.school_profile.created``. Each county's schools are then read in that county's own context;
a county that fails to list does not stop the others.
"""

from __future__ import annotations

from sqlalchemy import select

from kit.broker import worker_database
from kit.events import PERSONNEL_SCHOOL_PROFILE_CREATED
from kit.logging import get_logger
from kit.scheduler import Tenant
from personnel import SERVICE
from personnel.domain.school_profiles.models import SchoolProfile
from personnel.outbox import outbox
from tenants import TenantContext

log = get_logger(__name__)


async def active_schools(period: str) -> list[Tenant]:
    """``(county_id, school_id)`` of every active school the personnel service knows."""
    return await known_schools(period, active_only=True)


async def all_schools(period: str) -> list[Tenant]:
    """The same, suspended schools included (whose data must still be purged on time)."""
    return await known_schools(period, active_only=False)


async def known_schools(period: str, *, active_only: bool) -> list[Tenant]:
    database = worker_database(SERVICE)
    async with database.transaction(None) as session:
        counties = await outbox.counties_with(session, PERSONNEL_SCHOOL_PROFILE_CREATED)
    schools: list[Tenant] = []
    for county_id in counties:
        tenant = TenantContext.for_county(county_id, actor="scheduler:personnel")
        try:
            async with database.transaction(tenant) as session:
                query = select(SchoolProfile.county_id, SchoolProfile.id)
                if active_only:
                    query = query.where(SchoolProfile.active.is_(True))
                rows = await session.execute(query)
                schools += [(county, school) for county, school in rows]
        except Exception as exc:
            log.error("school_listing_failed", county_id=str(county_id), period=period, error=str(exc))
    return schools
