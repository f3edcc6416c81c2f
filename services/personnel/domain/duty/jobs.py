"""Periodic job of gate duty: flag the duties whose peak ended without a check-in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.logging import get_logger
from kit.scheduler import every, per_tenant
from personnel import SERVICE
from personnel.directory import active_schools
from personnel.domain.duty.service import DutyService
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


@per_tenant(SERVICE, "personnel.duty.flag_missed", every(minutes=10), tenants=active_schools, max_retries=3)
async def flag_missed_duties(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Idempotent: a shift is flagged once (its status leaves ``scheduled``)."""
    rows = await DutyService(session, tenant).flag_missed(dt.datetime.now(dt.UTC))
    if rows:
        log.info("duties_missed", school_id=str(tenant.school_id), count=len(rows), period=period)
