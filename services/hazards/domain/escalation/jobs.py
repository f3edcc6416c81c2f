"""Escalation jobs, run by the scheduler (``kit.scheduler``): every half hour, one message per school that
has hazards with deadlines; each takes the steps that are due at the *period's* time. A retried message
therefore decides exactly as the first attempt would have, and a step already taken is never taken again
(see :mod:`hazards.domain.escalation.service`). Once a day the public channel's old rate-limit windows go.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.domain.escalation.repository import deadline_schools
from hazards.domain.escalation.service import EscalationService
from hazards.domain.reports.throttle import Throttle
from kit.broker import configure_broker, worker_database
from kit.logging import get_logger
from kit.scheduler import Every, Tenant, daily, every, per_tenant, periodic
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)

SCHEDULE: Every = every(minutes=30)
#: Rate-limit windows older than this are deleted.
THROTTLE_RETENTION = dt.timedelta(days=2)


def period_instant(period: str) -> dt.datetime:
    """The instant a period key of :data:`SCHEDULE` names (``2026-11-30T06:30``, UTC)."""
    return dt.datetime.strptime(period, "%Y-%m-%dT%H:%M").replace(tzinfo=dt.UTC)


async def schools_with_deadlines(period: str) -> list[Tenant]:
    """Every school that has had a hazard under rectification (ids only, read without a tenant)."""
    del period
    async with worker_database(SERVICE).transaction(None) as session:
        return [(county, school) for county, school in await deadline_schools(session)]


@per_tenant(
    SERVICE,
    "hazards.escalation.run",
    SCHEDULE,
    tenants=schools_with_deadlines,
    max_retries=5,
    time_limit=120_000,
)
async def escalate(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Take the escalation steps due at the period's time for one school's hazards. Safe to retry."""
    taken = await EscalationService(session, tenant).run(period_instant(period))
    if taken:
        log.info("escalation_steps_taken", school_id=str(tenant.school_id), period=period, steps=len(taken))


@periodic(SERVICE, "hazards.reports.purge_throttle", daily("03:30"), max_retries=3)
async def purge_throttle(period: str) -> None:
    """Delete the public channel's rate-limit windows that no longer count."""
    async with worker_database(SERVICE).transaction(None) as session:
        deleted = await Throttle(session).purge(before=dt.datetime.now(dt.UTC) - THROTTLE_RETENTION)
    log.info("throttle_purged", period=period, windows=deleted)
