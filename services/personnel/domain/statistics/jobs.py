"""Periodic job of statistics: every Monday, each school's figures for the week before, as an event for the
evaluation (``personnel.statistics.published``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.scheduler import daily, per_tenant
from personnel import SERVICE
from personnel.directory import active_schools
from personnel.domain.statistics.service import StatisticsService
from tenants import TenantContext

configure_broker()


@per_tenant(SERVICE, "personnel.statistics.weekly", daily("06:00"), tenants=active_schools, max_retries=3)
async def publish_weekly(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Runs daily, publishes on Mondays (the scheduler has no weekly schedule). A repeated run publishes the
    same figures again, which a consumer takes as an update."""
    today = dt.date.fromisoformat(period)
    if today.weekday() != 0:
        return
    await StatisticsService(session, tenant).publish_week(
        today - dt.timedelta(days=7), dt.datetime.now(dt.UTC)
    )
