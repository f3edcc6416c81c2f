"""The schools service's facts about a school (``schools.school.onboarded``) become its profile here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker
from kit.events import SCHOOL_ONBOARDED, SCHOOL_UPDATED, Event, SchoolOnboarded, SchoolUpdated, consumer
from personnel import SERVICE
from personnel.domain.school_profiles.schemas import SchoolFacts
from personnel.domain.school_profiles.service import SchoolProfileService

configure_broker()


@consumer(SERVICE, SCHOOL_ONBOARDED)
async def keep_onboarded_school(session: AsyncSession, event: Event[SchoolOnboarded]) -> None:
    """Copy the new school's facts (students, boarding) for staffing compliance and night inspections."""
    school = event.payload
    await SchoolProfileService(session, event.tenant).apply_facts(
        SchoolFacts(
            id=school.school_id,
            county_id=event.tenant.county_id,
            code=school.code,
            name=school.name,
            boarding=school.boarding,
            student_count=school.student_count,
        )
    )


@consumer(SERVICE, SCHOOL_UPDATED)
async def keep_updated_school(session: AsyncSession, event: Event[SchoolUpdated]) -> None:
    """Follow the school's edits (students, boarding change the staffing standard) and its suspension."""
    school = event.payload
    await SchoolProfileService(session, event.tenant).apply_facts(
        SchoolFacts(
            id=school.school_id,
            county_id=event.tenant.county_id,
            code=school.code,
            name=school.name,
            boarding=school.boarding,
            student_count=school.student_count,
            status=school.status,
        )
    )
