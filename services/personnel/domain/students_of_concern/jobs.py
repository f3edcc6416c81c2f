"""Periodic job of students of concern: remind the responsible teacher of reviews falling due.

It reads the ``concern_reviews_due`` view (ids, due dates and responsible accounts; no names), which shows
rows only to background work, and reminds once per record and due date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.logging import get_logger
from kit.scheduler import daily, per_tenant
from personnel import SERVICE
from personnel.directory import active_schools
from personnel.domain.students_of_concern.service import ConcernService
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


@per_tenant(
    SERVICE, "personnel.concerns.remind_reviews", daily("07:30"), tenants=active_schools, max_retries=3
)
async def remind_reviews(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    reminded = await ConcernService(session, tenant).remind_due_reviews(dt.datetime.now(dt.UTC))
    if reminded:
        log.info("concern_reviews_reminded", school_id=str(tenant.school_id), count=reminded, period=period)
