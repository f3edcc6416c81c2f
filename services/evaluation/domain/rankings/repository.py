"""SQL for results and rankings (under the caller's RLS context)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.campaigns.repository import latest_input_change
from evaluation.domain.directory.models import SchoolEntry
from evaluation.domain.inspections.models import Assignment
from evaluation.domain.rankings.models import SchoolResult
from evaluation.domain.rubrics.models import Rubric
from evaluation.domain.self_assessment.models import SelfAssessment, SelfAssessmentEntry, SelfAssessmentStatus
from evaluation.domain.year_end.models import YearEndResult

#: The columns of a ranking row (the list endpoint reads these, never the breakdown).
RANKING_COLUMNS = (
    SchoolResult.rank,
    SchoolResult.school_id,
    SchoolResult.school_code,
    SchoolResult.school_name,
    SchoolResult.total,
    SchoolResult.grade,
    SchoolResult.vetoed,
    SchoolResult.veto_reasons,
    SchoolResult.categories,
    SchoolResult.acceptance,
    SchoolResult.assignment_id,
    SchoolResult.self_pct,
    SchoolResult.inspected_pct,
    SchoolResult.change,
)


class ResultRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def campaign_with_rubric(
        self, campaign_id: uuid.UUID
    ) -> tuple[Campaign, dict[str, Any], dt.datetime | None] | None:
        """The campaign, its rubric's definition and when its inputs last changed, in one query."""
        query = (
            select(Campaign, Rubric.definition, latest_input_change())
            .join(Rubric, Rubric.id == Campaign.rubric_id)
            .where(Campaign.id == campaign_id)
        )
        row = (await self.session.execute(query)).first()
        return (row[0], row[1], row[2]) if row else None

    async def ranking_rows(self, campaign_id: uuid.UUID) -> Sequence[Row[Any]]:
        query = (
            select(*RANKING_COLUMNS)
            .where(SchoolResult.campaign_id == campaign_id)
            .order_by(SchoolResult.rank, SchoolResult.school_code)
        )
        return (await self.session.execute(query)).all()

    async def current(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> SchoolResult | None:
        query = select(SchoolResult).where(
            SchoolResult.campaign_id == campaign_id, SchoolResult.school_id == school_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def frozen(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> YearEndResult | None:
        query = select(YearEndResult).where(
            YearEndResult.campaign_id == campaign_id, YearEndResult.school_id == school_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def replace(self, campaign_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
        """Swap the campaign's results for ``rows`` (derived data, rewritten whole by each recompute)."""
        await self.session.execute(delete(SchoolResult).where(SchoolResult.campaign_id == campaign_id))
        if rows:
            await self.session.execute(insert(SchoolResult), rows)

    async def self_entries(self, campaign_id: uuid.UUID) -> dict[uuid.UUID, list[SelfAssessmentEntry]]:
        """The entries of every submitted self-assessment of the campaign, by school."""
        query = (
            select(SelfAssessmentEntry)
            .join(SelfAssessment, SelfAssessment.id == SelfAssessmentEntry.self_assessment_id)
            .where(
                SelfAssessment.campaign_id == campaign_id,
                SelfAssessment.status == SelfAssessmentStatus.SUBMITTED,
            )
        )
        result: dict[uuid.UUID, list[SelfAssessmentEntry]] = {}
        for entry in (await self.session.execute(query)).scalars():
            result.setdefault(entry.school_id, []).append(entry)
        return result

    async def previous_totals(self, campaign: Campaign) -> dict[uuid.UUID, float]:
        """Each school's total in the county's most recent frozen evaluation before ``campaign``."""
        previous = (
            select(Campaign.id)
            .where(
                Campaign.status == CampaignStatus.FROZEN,
                Campaign.id != campaign.id,
                Campaign.year <= campaign.year,
            )
            .order_by(Campaign.year.desc(), Campaign.frozen_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(YearEndResult.school_id, YearEndResult.total).where(
            YearEndResult.campaign_id == previous
        )
        return {row.school_id: row.total for row in (await self.session.execute(query)).all()}

    async def progress(self, campaign_id: uuid.UUID) -> Row[Any]:
        """Counts for the dashboard, in one round trip."""

        def self_assessments(status: SelfAssessmentStatus) -> Any:
            return (
                select(func.count())
                .select_from(SelfAssessment)
                .where(SelfAssessment.campaign_id == campaign_id, SelfAssessment.status == status)
                .scalar_subquery()
            )

        statuses = (
            select(Assignment.status.label("status"), func.count().label("n"))
            .where(Assignment.campaign_id == campaign_id)
            .group_by(Assignment.status)
            .subquery()
        )
        inspections = select(
            func.coalesce(func.jsonb_object_agg(statuses.c.status, statuses.c.n), func.jsonb_build_object())
        ).scalar_subquery()
        query = select(
            select(func.count())
            .select_from(SchoolEntry)
            .where(SchoolEntry.active.is_(True))
            .scalar_subquery()
            .label("schools"),
            self_assessments(SelfAssessmentStatus.SUBMITTED).label("submitted"),
            self_assessments(SelfAssessmentStatus.DRAFT).label("drafts"),
            inspections.label("inspections"),
        )
        return (await self.session.execute(query)).one()
