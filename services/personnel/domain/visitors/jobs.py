"""Periodic job of visitors: purge ID and phone numbers once the county's retention period has passed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.logging import get_logger
from kit.scheduler import daily, per_tenant
from personnel import SERVICE
from personnel.directory import all_schools
from personnel.domain.security_team.service import SecurityTeamService
from personnel.domain.visitors.service import VisitService
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


@per_tenant(SERVICE, "personnel.visitors.purge_identity", daily("03:00"), tenants=all_schools, max_retries=3)
async def purge_identity(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Idempotent: a purged visit is not purged again."""
    standard = await SecurityTeamService(session, tenant).standard()
    purged = await VisitService(session, tenant).purge_expired(
        standard.visitor_id_retention_days, dt.datetime.now(dt.UTC)
    )
    if purged:
        log.info("visitor_identity_purged", school_id=str(tenant.school_id), visits=purged, period=period)
