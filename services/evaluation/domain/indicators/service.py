"""Objective indicators: recording the figures the other services publish, and showing each indicator of a
campaign's rubric with the figures it came from. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.indicators import schemas
from evaluation.domain.indicators.metrics import METRICS
from evaluation.domain.indicators.repository import IndicatorRepository
from evaluation.domain.rankings.scoring import score_school
from evaluation.domain.rubrics.definition import ItemKind
from kit.errors import NotFoundError
from tenants import TenantContext


@dataclass(frozen=True, slots=True)
class Reading:
    """One metric's value for one school, and the figures it is computed from."""

    metric: str
    value: float
    figures: Mapping[str, Any] = field(default_factory=dict)


def ratio(numerator: float, denominator: float) -> float:
    """A share in [0, 1]; when nothing was due (``denominator`` 0) nothing was missed: 1."""
    if denominator <= 0:
        return 1.0
    return max(0.0, min(1.0, numerator / denominator))


class IndicatorService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = IndicatorRepository(session)

    async def record(
        self,
        *,
        school_id: uuid.UUID,
        readings: Sequence[Reading],
        event_id: uuid.UUID,
        event_type: str,
        observed_at: dt.datetime,
        replace: bool = False,
    ) -> int:
        """Store the readings of one event (older figures never replace newer ones). Returns how many values
        were stored. The results follow with the next periodic recompute, which notices newer inputs
        (``evaluation.results.refresh``): the event's school context cannot touch county-level rows."""
        stored = 0
        for reading in readings:
            if reading.metric not in METRICS:
                continue
            stored += await self.repository.record(
                county_id=self.tenant.county_id,
                school_id=school_id,
                metric=reading.metric,
                value=float(reading.value),
                figures=reading.figures,
                event_id=event_id,
                event_type=event_type,
                observed_at=observed_at,
                replace=replace,
            )
        return stored

    async def for_campaign_school(
        self, campaign_id: uuid.UUID, school_id: uuid.UUID
    ) -> schemas.SchoolIndicators:
        campaigns = CampaignService(self.session, self.tenant)
        campaign = await campaigns.get(campaign_id)
        school = await DirectoryRepository(self.session).get(school_id)
        if school is None:
            raise NotFoundError("school not found")
        rubric = await campaigns.rubric(campaign)
        score = score_school(rubric, {}, await self.repository.for_school(school_id))
        items = [
            schemas.IndicatorReading(
                code=r.code,
                title=r.title,
                kind=r.kind.value,
                metric=r.metric,
                metric_title=METRICS[r.metric].title,
                explanation=METRICS[r.metric].explanation,
                max_points=r.max_points,
                points=r.points,
                state=r.state,
                value=r.value,
                figures=dict(r.figures),
                as_of=r.as_of,
                source_event_id=r.source_event_id,
            )
            for r in score.items
            if r.metric is not None and (r.kind is ItemKind.INDICATOR or r.kind is ItemKind.VETO)
        ]
        return schemas.SchoolIndicators(
            campaign_id=campaign.id, school_id=school.id, school_name=school.name, items=items
        )
