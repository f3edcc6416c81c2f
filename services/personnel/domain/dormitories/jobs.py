"""Periodic job of dormitories: flag the boarding nights that passed without an inspection."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.logging import get_logger
from kit.scheduler import daily, per_tenant
from personnel import SERVICE
from personnel.directory import active_schools
from personnel.domain.dormitories.service import DormitoryService
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


# A night runs until noon; shortly after, last night's round is over.
@per_tenant(
    SERVICE, "personnel.dormitories.flag_missed_nights", daily("12:30"), tenants=active_schools, max_retries=3
)
async def flag_missed_nights(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Idempotent: a dormitory-night is flagged once (a unique key), even when a run is repeated."""
    assert tenant.school_id is not None
    flagged = await DormitoryService(session, tenant).flag_missed_nights(
        tenant.school_id, dt.datetime.now(dt.UTC)
    )
    if flagged:
        log.info(
            "night_inspections_missed", school_id=str(tenant.school_id), count=len(flagged), period=period
        )
