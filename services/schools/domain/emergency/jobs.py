"""``schools.drills.publish`` (every Monday, 06:00 Beijing time): each school's drills against its plans for
the current term, published again so that the evaluation sees a new term start from its own figures even
before the school records anything in it. Counties are listed from the outbox's earlier
``schools.drills.updated`` events (a county whose schools have no plan has nothing to publish)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker, worker_database
from kit.events import DRILLS_UPDATED
from kit.logging import get_logger
from kit.scheduler import Tenant, per_tenant, weekly
from schools import SERVICE
from schools.domain.campaigns.calendar import system_clock
from schools.domain.emergency.service import EmergencyService
from schools.outbox import outbox
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


async def counties_with_plans(period: str) -> list[Tenant]:
    async with worker_database(SERVICE).transaction(None) as session:
        counties: list[uuid.UUID] = await outbox.counties_with(session, DRILLS_UPDATED)
    return [(county_id, None) for county_id in counties]


@per_tenant(SERVICE, "schools.drills.publish", weekly("monday", "06:00"), tenants=counties_with_plans)
async def publish_drill_statistics(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    service = EmergencyService(session, tenant, clock=system_clock)
    schools = await service.repository.schools_with_plans()
    for school_id in schools:
        await service.publish_statistics(school_id)
    log.info(
        "drill_statistics_published", county_id=str(tenant.county_id), schools=len(schools), period=period
    )
