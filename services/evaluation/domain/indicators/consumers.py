"""Objective indicators from the other services' events. Each handler runs in the event's school context,
once per event (the inbox), and stores the figures with the event that carried them; a figure older than
the one stored never replaces it, so a replayed or late event changes nothing. Results follow with the next
periodic recompute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.indicators.repository import IndicatorRepository
from evaluation.domain.indicators.service import IndicatorService, Reading, ratio
from kit.broker import configure_broker
from kit.events import (
    CAMPAIGN_PHASE_CLOSED,
    CAMPAIGN_PHASE_REOPENED,
    DRILLS_UPDATED,
    HAZARD_STATISTICS_UPDATED,
    PERSONNEL_STATISTICS_PUBLISHED,
    CampaignPhaseChanged,
    DrillStatistics,
    Event,
    HazardStatistics,
    PersonnelStatistics,
    consumer,
)

configure_broker()

PHASES_METRIC = "schools.phases_on_time"
DRILLS_METRIC = "schools.drills_per_plan"


def hazard_readings(stats: HazardStatistics) -> list[Reading]:
    year = {"year": stats.year}
    return [
        Reading(
            "hazards.closed_on_time",
            ratio(stats.closed_on_time, stats.closed),
            {"closed_on_time": stats.closed_on_time, "closed": stats.closed, **year},
        ),
        Reading("hazards.overdue", stats.overdue, {"overdue": stats.overdue, "open": stats.open}),
        Reading("hazards.listed_open", stats.listed_open, {"listed_open": stats.listed_open}),
        Reading("hazards.incidents", stats.incidents, {"incidents": stats.incidents, **year}),
        Reading(
            "hazards.major_incidents",
            stats.major_incidents,
            {"major_incidents": stats.major_incidents, "incidents": stats.incidents, **year},
        ),
    ]


def personnel_readings(stats: PersonnelStatistics) -> list[Reading]:
    week = {"week": f"{stats.start.isoformat()}/{stats.end.isoformat()}"}

    def rate(value: float | None) -> float:
        return 1.0 if value is None else value  # nothing was required that week: nothing was missed

    return [
        Reading(
            "personnel.duty_coverage",
            rate(stats.duty_coverage_rate),
            {
                "duty_coverage_rate": stats.duty_coverage_rate,
                "duty_attendance_rate": stats.duty_attendance_rate,
                **week,
            },
        ),
        Reading(
            "personnel.night_inspection_coverage",
            rate(stats.night_inspection_coverage_rate),
            {
                "night_inspection_coverage_rate": stats.night_inspection_coverage_rate,
                "priority_night_inspection_coverage_rate": stats.priority_night_inspection_coverage_rate,
                **week,
            },
        ),
        Reading(
            "personnel.staffing_missing",
            stats.staffing_missing,
            {"staffing_compliant": stats.staffing_compliant, "staffing_missing": stats.staffing_missing},
        ),
    ]


def drill_reading(stats: DrillStatistics) -> Reading:
    """Plans drilled this term / plans (a school without plans has missed no drill; its missing plans
    are the remediation deliverable's business)."""
    return Reading(
        DRILLS_METRIC,
        ratio(stats.drilled_plans, stats.plans),
        {
            "term": stats.term,
            "plans": stats.plans,
            "drilled_plans": stats.drilled_plans,
            "drills": stats.drills,
        },
    )


def phase_reading(
    previous: dict[str, Any] | None, change: CampaignPhaseChanged, at: dt.datetime
) -> Reading | None:
    """Phases closed on time / phases closed, for the school's latest campaign. ``None`` when the event is
    older than what is known of its phase."""
    figures: dict[str, Any] = dict(previous or {})
    if figures.get("school_campaign_id") != str(change.school_campaign_id):
        figures = {"school_campaign_id": str(change.school_campaign_id), "phases": {}}
    phases: dict[str, Any] = dict(figures.get("phases") or {})
    known = phases.get(change.phase)
    if known is not None and dt.datetime.fromisoformat(known["at"]) >= at:
        return None
    closed = change.status == "closed"
    phases[change.phase] = {
        "closed": closed,
        "on_time": closed and at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() <= change.deadline,
        "deadline": change.deadline.isoformat(),
        "at": at.isoformat(),
    }
    closed_count = sum(1 for p in phases.values() if p["closed"])
    on_time = sum(1 for p in phases.values() if p["closed"] and p["on_time"])
    figures.update(phases=phases, closed=closed_count, closed_on_time=on_time)
    return Reading(PHASES_METRIC, ratio(on_time, closed_count), figures)


@consumer(SERVICE, HAZARD_STATISTICS_UPDATED)
async def hazard_statistics(session: AsyncSession, event: Event[HazardStatistics]) -> None:
    await IndicatorService(session, event.tenant).record(
        school_id=event.payload.school_id,
        readings=hazard_readings(event.payload),
        event_id=event.id,
        event_type=event.type.name,
        observed_at=event.payload.as_of,
    )


@consumer(SERVICE, PERSONNEL_STATISTICS_PUBLISHED)
async def personnel_statistics(session: AsyncSession, event: Event[PersonnelStatistics]) -> None:
    await IndicatorService(session, event.tenant).record(
        school_id=event.payload.school_id,
        readings=personnel_readings(event.payload),
        event_id=event.id,
        event_type=event.type.name,
        observed_at=event.occurred_at,
    )


@consumer(SERVICE, DRILLS_UPDATED)
async def drill_statistics(session: AsyncSession, event: Event[DrillStatistics]) -> None:
    await IndicatorService(session, event.tenant).record(
        school_id=event.payload.school_id,
        readings=[drill_reading(event.payload)],
        event_id=event.id,
        event_type=event.type.name,
        observed_at=event.payload.as_of,
    )


async def _phase_changed(session: AsyncSession, event: Event[CampaignPhaseChanged]) -> None:
    school_id = event.payload.school_id
    # Serialises the read-modify-write of one school's phases, also before its first value exists.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"{PHASES_METRIC}:{school_id}"},
    )
    previous = (await IndicatorRepository(session).for_school(school_id)).get(PHASES_METRIC)
    reading = phase_reading(dict(previous.figures) if previous else None, event.payload, event.occurred_at)
    if reading is None:
        return
    await IndicatorService(session, event.tenant).record(
        school_id=school_id,
        readings=[reading],
        event_id=event.id,
        event_type=event.type.name,
        observed_at=max(event.occurred_at, previous.as_of) if previous else event.occurred_at,
        replace=True,
    )


@consumer(SERVICE, CAMPAIGN_PHASE_CLOSED)
async def campaign_phase_closed(session: AsyncSession, event: Event[CampaignPhaseChanged]) -> None:
    await _phase_changed(session, event)


@consumer(SERVICE, CAMPAIGN_PHASE_REOPENED)
async def campaign_phase_reopened(session: AsyncSession, event: Event[CampaignPhaseChanged]) -> None:
    await _phase_changed(session, event)
