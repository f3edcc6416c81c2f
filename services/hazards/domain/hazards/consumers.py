"""Findings of the county's inspection teams become hazards of the inspected school's register.

The evaluation service publishes ``evaluation.finding.reported`` for each finding when the bureau decides on
an inspection. The hazard is registered with source ``bureau_inspection``, attributed to the inspector, and
its history keeps the finding's id: a replayed event is a no-op (the inbox), and a repeat of the same
finding under a new event (the bureau deciding on the inspection again) finds the hazard already there.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.domain.hazards.repository import HazardRepository
from hazards.domain.hazards.service import HazardService
from hazards.vocabulary import Area, Category, Severity, Source
from kit.broker import configure_broker
from kit.events import INSPECTION_FINDING_REPORTED, Event, InspectionFindingReported, consumer
from kit.logging import get_logger
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)

#: The campus area a finding of each category is registered under (a finding names no area of its own; the
#: school corrects it in the register when the place says otherwise).
AREA_OF_CATEGORY: dict[Category, Area] = {
    Category.BUILDINGS_FACILITIES: Area.TEACHING_BUILDINGS,
    Category.FIRE: Area.TEACHING_BUILDINGS,
    Category.ELECTRICAL: Area.ELECTRICAL_ROOMS,
    Category.FOOD_HYGIENE: Area.CANTEEN,
    Category.TRAFFIC: Area.SURROUNDINGS,
    Category.DORMITORY: Area.DORMITORIES,
    Category.LAB_CHEMICALS: Area.LABS,
    Category.SURROUNDINGS_BUSINESS: Area.SURROUNDINGS,
    Category.SURROUNDINGS_VENDORS: Area.SURROUNDINGS,
    Category.SURROUNDINGS_ILLEGAL_BUILDINGS: Area.SURROUNDINGS,
    Category.PERSONNEL: Area.GATE,
    Category.OTHER: Area.TEACHING_BUILDINGS,
}
FINDING_KEY = "finding_id"


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        return Category.OTHER


def _title(finding: InspectionFindingReported) -> str:
    title = finding.title.strip() or finding.item_title.strip() or finding.item_code
    return (title if len(title) >= 2 else f"{finding.item_code}: {title}")[:200]


@consumer(SERVICE, INSPECTION_FINDING_REPORTED)
async def register_finding(session: AsyncSession, event: Event[InspectionFindingReported]) -> None:
    """Register the finding as a reported hazard of the inspected school (once per finding)."""
    finding = event.payload
    existing = await HazardRepository(session).registered_from(FINDING_KEY, str(finding.finding_id))
    if existing is not None:
        log.info(
            "inspection_finding_already_registered",
            finding_id=str(finding.finding_id),
            hazard_id=str(existing),
        )
        return
    inspector = TenantContext.for_school(
        event.tenant.county_id, finding.school_id, actor=(finding.reported_by or "inspection")[:64]
    )
    category = _category(finding.category)
    description = finding.description.strip()
    if finding.item_title:
        description = f"{description}\n\n[{finding.item_code}] {finding.item_title}".strip()
    await HazardService(session, inspector).register(
        school_id=finding.school_id,
        title=_title(finding),
        category=category,
        area=AREA_OF_CATEGORY[category],
        description=description[:4000],
        location_text=finding.location[:300],
        severity=Severity.MAJOR if finding.severity == Severity.MAJOR.value else Severity.GENERAL,
        source=Source.BUREAU_INSPECTION,
        details={
            FINDING_KEY: str(finding.finding_id),
            "assignment_id": str(finding.assignment_id),
            "campaign_id": str(finding.campaign_id),
            "item_code": finding.item_code,
            "team": finding.team_name,
            "photos_at_evaluation": finding.photos,
            "found_at": finding.found_at.isoformat(),
        },
    )
