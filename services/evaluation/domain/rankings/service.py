"""Results and the county ranking: computed by a job from the rubric, the decided inspection scores and the
objective metrics (see :mod:`evaluation.domain.rankings.scoring`), stored, and served as stored. Never
commits."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns.models import CampaignStatus
from evaluation.domain.campaigns.repository import CampaignRepository
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.indicators.repository import IndicatorRepository
from evaluation.domain.inspections.repository import InspectionRepository
from evaluation.domain.rankings import schemas
from evaluation.domain.rankings.models import ResultColumns
from evaluation.domain.rankings.repository import ResultRepository
from evaluation.domain.rankings.scoring import (
    Entry,
    Grade,
    SchoolScore,
    SheetForCalibration,
    calibration,
    competition_ranks,
    score_school,
)
from evaluation.domain.rubrics.definition import Rubric
from evaluation.domain.year_end.models import YearEndResult
from kit.errors import NotFoundError
from tenants import TenantContext

GRADES = [g.value for g in Grade]


def _round(value: float) -> float:
    return round(value, 2)


def result_schema(row: ResultColumns, *, frozen: YearEndResult | None = None) -> schemas.SchoolResult:
    result = msgspec.convert(
        {
            "campaign_id": row.campaign_id,
            "school_id": row.school_id,
            "school_code": row.school_code,
            "school_name": row.school_name,
            "rank": row.rank,
            "total": row.total,
            "weighted": row.weighted,
            "bonus": row.bonus,
            "grade": row.grade,
            "vetoed": row.vetoed,
            "veto_reasons": row.veto_reasons,
            "categories": row.categories,
            "items": row.items,
            "assignment_id": row.assignment_id,
            "acceptance": row.acceptance,
            "inspected_pct": row.inspected_pct,
            "objective_pct": row.objective_pct,
            "self_pct": row.self_pct,
            "previous_total": row.previous_total,
            "change": row.change,
            "computed_at": row.computed_at,
        },
        schemas.SchoolResult,
        strict=False,
    )
    if frozen is not None:
        result.frozen = True
        result.signed_off_by = frozen.signed_off_by
        result.signed_off_at = frozen.signed_off_at
        result.digest = frozen.digest
    return result


def ranking_row(row: Any) -> schemas.RankingRow:
    return schemas.RankingRow(
        rank=row.rank,
        school_id=row.school_id,
        school_code=row.school_code,
        school_name=row.school_name,
        total=row.total,
        grade=row.grade,
        vetoed=row.vetoed,
        veto_reasons=[v["title"] for v in row.veto_reasons],
        categories={c["code"]: c["score"] for c in row.categories},
        acceptance=row.acceptance,
        inspected=row.assignment_id is not None,
        self_pct=row.self_pct,
        inspected_pct=row.inspected_pct,
        change=row.change,
    )


class ResultService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = ResultRepository(session)

    # --- computing (the job; county context) ------------------------------------------------------------
    async def recompute(self, campaign_id: uuid.UUID) -> bool:
        """Recompute every school's result of an open campaign and its ranks. Returns False for a frozen or
        unknown campaign. The campaign row stays locked until the transaction ends, so a change that marks
        it outdated meanwhile waits and then asks for the next recompute."""
        campaign = await CampaignRepository(self.session).get(campaign_id, for_update=True)
        if campaign is None or campaign.status is CampaignStatus.FROZEN:
            return False
        now = self.clock()
        rubric = await CampaignService(self.session, self.tenant, self.clock).rubric(campaign)
        schools = await DirectoryRepository(self.session).active()
        metrics = await IndicatorRepository(self.session).for_county()
        inspections = InspectionRepository(self.session)
        decided = {a.school_id: a for a in await inspections.decided(campaign.id)}
        scores = await inspections.scores([a.id for a in decided.values()])
        teams = await inspections.teams_by_id(list({a.team_id for a in decided.values()}))
        self_entries = await self.repository.self_entries(campaign.id)
        previous = await self.repository.previous_totals(campaign)

        computed: dict[uuid.UUID, SchoolScore] = {}
        for school in schools:
            assignment = decided.get(school.id)
            entries = (
                {s.item_code: Entry(s.points, s.triggered, s.comment) for s in scores[assignment.id]}
                if assignment
                else {}
            )
            computed[school.id] = score_school(rubric, entries, metrics.get(school.id, {}))
        ranks = competition_ranks((sid, s.total, s.vetoed) for sid, s in computed.items())

        rows = []
        for school in schools:
            score = computed[school.id]
            assignment = decided.get(school.id)
            own = self_entries.get(school.id)
            before = previous.get(school.id)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "county_id": school.county_id,
                    "school_id": school.id,
                    "campaign_id": campaign.id,
                    "school_code": school.code,
                    "school_name": school.name,
                    "rank": ranks[school.id],
                    "total": score.total,
                    "weighted": score.weighted,
                    "bonus": score.bonus,
                    "grade": score.grade.value,
                    "vetoed": score.vetoed,
                    "veto_reasons": msgspec.to_builtins(list(score.veto_reasons)),
                    "categories": msgspec.to_builtins(list(score.categories)),
                    "items": msgspec.to_builtins(list(score.items)),
                    "assignment_id": assignment.id if assignment else None,
                    "acceptance": assignment.status.value if assignment else None,
                    "inspected_pct": score.inspected_pct if assignment else None,
                    "objective_pct": score.objective_pct,
                    "self_pct": self_pct(rubric, own) if own else None,
                    "previous_total": before,
                    "change": _round(score.total - before) if before is not None else None,
                    "computed_at": now,
                }
            )
        await self.repository.replace(campaign.id, rows)
        sheets = [
            SheetForCalibration(
                team_id=a.team_id,
                team_name=teams[a.team_id].name,
                inspected_pct=computed[sid].inspected_pct or 0.0,
                objective_pct=computed[sid].objective_pct,
            )
            for sid, a in decided.items()
            if sid in computed
        ]
        # Derived state, rewritten by every run: not an audited change of the campaign.
        await CampaignRepository(self.session).set_results_state(
            campaign.id, computed_at=now, calibration=msgspec.to_builtins(calibration(sheets))
        )
        await self.session.refresh(campaign)
        return True

    # --- reading ----------------------------------------------------------------------------------------
    async def ranking(self, campaign_id: uuid.UUID) -> schemas.Ranking:
        """The county ranking as last computed (two queries, whatever the county's size)."""
        found = await self.repository.campaign_with_rubric(campaign_id)
        if found is None:
            raise NotFoundError("campaign not found")
        campaign, definition, inputs_changed = found
        rubric = Rubric.from_document(definition)
        computed = campaign.results_computed_at
        stale = campaign.status is CampaignStatus.OPEN and (
            campaign.results_stale_since is not None
            or computed is None
            or (inputs_changed is not None and inputs_changed > computed)
        )
        rows = [ranking_row(r) for r in await self.repository.ranking_rows(campaign.id)]
        bands = rubric.definition.grade_bands
        counts = Counter(r.grade for r in rows)
        return schemas.Ranking(
            campaign_id=campaign.id,
            computed_at=computed,
            stale=stale,
            frozen=campaign.status is CampaignStatus.FROZEN,
            grade_bands={"excellent": bands.excellent, "good": bands.good, "pass": bands.pass_},
            distribution={g: counts.get(g, 0) for g in GRADES},
            categories=[
                schemas.CategoryHeading(code=c.code, title=c.title, weight=c.weight)
                for c in rubric.definition.categories
            ],
            rows=rows,
            calibration=msgspec.convert(campaign.calibration or [], list[schemas.TeamCalibration]),
        )

    async def result(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> schemas.SchoolResult:
        """One school's result and breakdown: the frozen one once the year-end evaluation is signed off."""
        campaign = await CampaignService(self.session, self.tenant).get(campaign_id)
        if campaign.status is CampaignStatus.FROZEN:
            frozen = await self.repository.frozen(campaign.id, school_id)
            if frozen is None:
                raise NotFoundError("no result for this school")
            return result_schema(frozen, frozen=frozen)
        current = await self.repository.current(campaign.id, school_id)
        if current is None:
            raise NotFoundError("no result for this school")
        return result_schema(current)

    async def dashboard(self, campaign_id: uuid.UUID) -> schemas.Dashboard:
        ranking = await self.ranking(campaign_id)
        progress = await self.repository.progress(campaign_id)
        totals = [r.total for r in ranking.rows]
        return schemas.Dashboard(
            campaign_id=ranking.campaign_id,
            computed_at=ranking.computed_at,
            stale=ranking.stale,
            progress=schemas.Progress(
                schools=progress.schools,
                self_assessments_submitted=progress.submitted,
                self_assessments_in_progress=progress.drafts,
                inspections=dict(progress.inspections or {}),
            ),
            average_total=_round(sum(totals) / len(totals)) if totals else None,
            distribution=ranking.distribution,
            vetoed=sum(1 for r in ranking.rows if r.vetoed),
            top=ranking.rows[:5],
            bottom=ranking.rows[-5:][::-1] if len(ranking.rows) > 5 else [],
            flagged_teams=[t for t in ranking.calibration if t.flagged],
        )


def self_pct(rubric: Rubric, entries: list[Any]) -> float | None:
    """The share of the people-scored indicators' points a school gave itself."""
    return score_school(
        rubric, {e.item_code: Entry(e.points, e.triggered) for e in entries}, {}
    ).inspected_pct
