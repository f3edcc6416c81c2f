"""Deliverables that other services report by event: the investigation's area sign-offs and report
(hazards) and the inspection result (evaluation). Runs in the event's tenant context. Never commits.

A report names the school's campaign instance when it knows it (``campaign_id``: the instance's id, or the
county campaign's); otherwise it counts for every running campaign of the school.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.logging import get_logger
from schools.domain.campaigns.models import (
    AreaSignOff,
    InspectionOutcome,
    InspectionResult,
    InvestigationReport,
    SchoolCampaign,
)
from schools.domain.campaigns.repository import DeliverableRepository, SchoolCampaignRepository
from schools.domain.campaigns.vocabulary import Area

log = get_logger(__name__)
#: The only patrols that count for the campaign's investigation.
INVESTIGATION = "investigation"


async def instances_for(
    session: AsyncSession, school_id: uuid.UUID, campaign_id: uuid.UUID | None
) -> list[SchoolCampaign]:
    """The running instances a report about ``school_id`` counts for."""
    running = await SchoolCampaignRepository(session).running_for_school(school_id)
    if campaign_id is None:
        return running
    return [i for i in running if campaign_id in (i.id, i.campaign_id)]


async def record_area_sign_off(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    school_id: uuid.UUID,
    campaign_id: uuid.UUID | None,
    patrol_id: uuid.UUID,
    kind: str,
    area: str,
    inspector_name: str,
    findings: str,
    hazards_found: int,
    signed_at: dt.datetime,
) -> int:
    """Tick ``area`` on the investigation checklist (the latest sign-off of an area wins). Returns how many
    instances it counted for."""
    if kind != INVESTIGATION:
        return 0
    try:
        checked = Area(area)
    except ValueError:
        log.warning("unknown_area_signed_off", area=area, patrol_id=str(patrol_id))
        return 0
    repository = DeliverableRepository(session)
    instances = await instances_for(session, school_id, campaign_id)
    for instance in instances:
        sign_off = await repository.sign_off(instance.id, checked.value)
        if sign_off is None:
            sign_off = AreaSignOff(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
                area=checked,
            )
            repository.add(sign_off)
        elif sign_off.signed_at > signed_at:
            continue  # a later sign-off of this area is already recorded (events arrive in any order)
        sign_off.patrol_id, sign_off.inspector_name, sign_off.findings = patrol_id, inspector_name, findings
        sign_off.hazards_found, sign_off.signed_at, sign_off.event_id = hazards_found, signed_at, event_id
    await session.flush()
    return len(instances)


async def record_investigation_report(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    school_id: uuid.UUID,
    campaign_id: uuid.UUID | None,
    patrol_id: uuid.UUID,
    kind: str,
    summary: str,
    submitted_by_name: str,
    hazards_found: int,
    submitted_at: dt.datetime,
) -> int:
    """Record the investigation patrol's report (submitted to the bureau in the hazards service)."""
    if kind != INVESTIGATION:
        return 0
    repository = DeliverableRepository(session)
    instances = await instances_for(session, school_id, campaign_id)
    for instance in instances:
        report = await repository.investigation_report(instance.id, for_update=True)
        if report is None:
            report = InvestigationReport(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
            )
            repository.add(report)
        elif report.submitted_at > submitted_at:
            continue
        report.patrol_id, report.summary, report.submitted_by_name = patrol_id, summary, submitted_by_name
        report.hazards_found, report.submitted_at, report.event_id = hazards_found, submitted_at, event_id
    await session.flush()
    return len(instances)


async def record_inspection_result(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    school_id: uuid.UUID,
    campaign_id: uuid.UUID | None,
    inspection_id: str,
    accepted: bool,
    score: float | None,
    summary: str,
    rectification_requests: list[str],
    decided_at: dt.datetime,
) -> int:
    """Add a county inspection's result; the latest result decides whether acceptance is complete."""
    repository = DeliverableRepository(session)
    instances = await instances_for(session, school_id, campaign_id)
    for instance in instances:
        repository.add(
            InspectionResult(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
                inspection_id=inspection_id,
                outcome=InspectionOutcome.ACCEPTED if accepted else InspectionOutcome.NOT_ACCEPTED,
                score=score,
                summary=summary,
                rectification_requests=rectification_requests,
                decided_at=decided_at,
                event_id=event_id,
            )
        )
    await session.flush()
    return len(instances)
