"""Background work of the campaign engine.

- Consumers (``kit.events``): the hazards service's investigation sign-offs and reports fill the
  investigation deliverables; the evaluation service's inspection decision fills the acceptance phase.
- ``schools.campaigns.join`` (every minute): every active school of a county is in every launched campaign
  of the county; a school onboarded or reactivated after the launch joins here.
- ``schools.campaigns.reminders`` (daily, 08:00 Beijing time): deadline reminders to principals and overdue
  phases to the bureau. The run's period (its day) is the "today" it judges deadlines by, so a late or
  repeated run sends the same reminders, once.

Counties are listed from the outbox's ``schools.campaign.launched`` events: the app role cannot list counties
across tenants, and a county without a launched campaign has nothing to do.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker, worker_database
from kit.events import (
    CAMPAIGN_LAUNCHED,
    INSPECTION_DECIDED,
    PATROL_AREA_SIGNED_OFF,
    PATROL_SUBMITTED,
    Event,
    InspectionDecided,
    PatrolAreaSignedOff,
    PatrolSubmitted,
    consumer,
)
from kit.logging import get_logger
from kit.scheduler import Tenant, daily, every, per_tenant
from schools import SERVICE
from schools.domain.campaigns import intake
from schools.domain.campaigns.reminders import send_reminders
from schools.domain.campaigns.repository import CampaignRepository
from schools.domain.campaigns.service import join_missing_schools
from schools.outbox import outbox
from tenants import TenantContext

configure_broker()
# The consumers' and jobs' writes are audited like the API's, in whatever process runs them.
log = get_logger(__name__)


@consumer(SERVICE, PATROL_AREA_SIGNED_OFF)
async def on_area_signed_off(session: AsyncSession, event: Event[PatrolAreaSignedOff]) -> None:
    p = event.payload
    await intake.record_area_sign_off(
        session,
        event_id=event.id,
        school_id=p.school_id,
        campaign_id=p.campaign_id,
        patrol_id=p.patrol_id,
        kind=p.kind,
        area=p.area,
        inspector_name=p.inspector_name,
        findings=p.findings,
        hazards_found=p.hazards_found,
        signed_at=p.signed_at,
    )


@consumer(SERVICE, PATROL_SUBMITTED)
async def on_patrol_submitted(session: AsyncSession, event: Event[PatrolSubmitted]) -> None:
    p = event.payload
    await intake.record_investigation_report(
        session,
        event_id=event.id,
        school_id=p.school_id,
        campaign_id=p.campaign_id,
        patrol_id=p.patrol_id,
        kind=p.kind,
        summary=p.summary,
        submitted_by_name=p.submitted_by_name,
        hazards_found=p.hazards_found,
        submitted_at=p.submitted_at,
    )


async def on_inspection_decided(session: AsyncSession, event: Event[InspectionDecided]) -> None:
    """The bureau's decision after a county inspection: the acceptance phase's inspection result."""
    p = event.payload
    await intake.record_inspection_result(
        session,
        event_id=event.id,
        school_id=p.school_id,
        campaign_id=p.campaign_id,
        inspection_id=str(p.assignment_id),
        accepted=p.decision == "accepted",
        score=None,
        summary=p.note,
        rectification_requests=list(p.rectification_requests),
        decided_at=event.occurred_at,
    )


# Declared apart so that tests can call the handler itself in a transaction of their own.
consumer(SERVICE, INSPECTION_DECIDED)(on_inspection_decided)


async def counties_with_campaigns() -> list[uuid.UUID]:
    async with worker_database(SERVICE).transaction(None) as session:
        return await outbox.counties_with(session, CAMPAIGN_LAUNCHED)


def _county(county_id: uuid.UUID, job: str) -> TenantContext:
    return TenantContext.for_county(county_id, actor=f"scheduler:{job}")


async def counties_with_schools_to_join(period: str) -> list[Tenant]:
    """Counties where an active school lacks an instance of a launched campaign. If one county fails, the
    others are still listed."""
    database = worker_database(SERVICE)
    due: list[Tenant] = []
    for county_id in await counties_with_campaigns():
        try:
            async with database.transaction(_county(county_id, "schools.campaigns.join")) as session:
                if await CampaignRepository(session).schools_to_join():
                    due.append((county_id, None))
        except Exception as exc:
            log.error("join_listing_failed", county_id=str(county_id), error=str(exc))
    return due


@per_tenant(SERVICE, "schools.campaigns.join", every(minutes=1), tenants=counties_with_schools_to_join)
async def join_new_schools(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    joined = await join_missing_schools(session, tenant)
    log.info("schools_joined_campaigns", county_id=str(tenant.county_id), joined=len(joined), period=period)


async def counties_to_remind(period: str) -> list[Tenant]:
    return [(county_id, None) for county_id in await counties_with_campaigns()]


@per_tenant(SERVICE, "schools.campaigns.reminders", daily("08:00"), tenants=counties_to_remind)
async def remind(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    sent = await send_reminders(session, tenant, dt.date.fromisoformat(period))
    log.info(
        "campaign_reminders",
        county_id=str(tenant.county_id),
        period=period,
        due_soon=sent.due_soon,
        overdue=sent.overdue,
    )
