"""SQL of the campaign engine. Row-level security scopes every query to the caller's tenant; nothing here
filters by tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, exists, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from schools.domain.campaigns.models import (
    AreaSignOff,
    Campaign,
    CampaignStatus,
    DeploymentMeeting,
    ImplementationPlan,
    InspectionOutcome,
    InspectionResult,
    InvestigationReport,
    LeadingGroup,
    LongTermMechanism,
    MeasureEvidence,
    PhaseReminder,
    PhaseStatus,
    PhaseTransition,
    ResponsibilityAssignment,
    SchoolCampaign,
    SchoolCampaignStatus,
    SchoolPhase,
    SummaryReport,
)
from schools.domain.campaigns.progress import Facts
from schools.domain.campaigns.vocabulary import Phase
from schools.domain.schools.models import School, SchoolStatus


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: uuid.UUID, *, for_update: bool = False) -> Campaign | None:
        """The campaign with its phase plans: one statement when reading (the plans joined), two when
        locking (``FOR UPDATE`` cannot lock the nullable side of an outer join)."""
        query = select(Campaign).where(Campaign.id == campaign_id)
        query = query.with_for_update() if for_update else query.options(joinedload(Campaign.phases))
        return (await self.session.execute(query)).unique().scalar_one_or_none()

    async def find(self, status: CampaignStatus | None = None) -> list[Campaign]:
        query = select(Campaign).order_by(Campaign.start_date.desc(), Campaign.created_at.desc())
        if status is not None:
            query = query.where(Campaign.status == status)
        return list((await self.session.execute(query)).scalars())

    async def school_counts(self, campaign_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(SchoolCampaign.campaign_id, func.count())
            .where(SchoolCampaign.campaign_id.in_(list(campaign_ids)))
            .group_by(SchoolCampaign.campaign_id)
        )
        return {campaign_id: int(count) for campaign_id, count in rows}

    async def schools_to_join(self) -> list[tuple[Campaign, School]]:
        """Every (launched campaign, active school) pair of the county that has no instance yet."""
        has_instance = (
            select(SchoolCampaign.id)
            .where(SchoolCampaign.campaign_id == Campaign.id, SchoolCampaign.school_id == School.id)
            .exists()
        )
        rows = await self.session.execute(
            select(Campaign, School)
            .join(School, School.county_id == Campaign.county_id)
            .where(
                Campaign.status == CampaignStatus.LAUNCHED,
                School.status == SchoolStatus.ACTIVE,
                ~has_instance,
            )
            .order_by(Campaign.launched_at, School.code)
        )
        return [(campaign, school) for campaign, school in rows]

    def add(self, campaign: Campaign) -> None:
        self.session.add(campaign)


class SchoolCampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, school_campaign_id: uuid.UUID, *, for_update: bool = False) -> SchoolCampaign | None:
        query = select(SchoolCampaign).where(SchoolCampaign.id == school_campaign_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def find(
        self,
        *,
        campaign_id: uuid.UUID | None = None,
        school_id: uuid.UUID | None = None,
        status: SchoolCampaignStatus | None = None,
    ) -> list[tuple[SchoolCampaign, Campaign, School]]:
        query = (
            select(SchoolCampaign, Campaign, School)
            .join(Campaign, Campaign.id == SchoolCampaign.campaign_id)
            .join(School, School.id == SchoolCampaign.school_id)
            .order_by(Campaign.start_date.desc(), School.code)
        )
        if campaign_id is not None:
            query = query.where(SchoolCampaign.campaign_id == campaign_id)
        if school_id is not None:
            query = query.where(SchoolCampaign.school_id == school_id)
        if status is not None:
            query = query.where(SchoolCampaign.status == status)
        return [(sc, c, s) for sc, c, s in (await self.session.execute(query)).all()]

    async def running_for_school(self, school_id: uuid.UUID) -> list[SchoolCampaign]:
        """The school's instances of launched (not closed) campaigns that are not completed."""
        query = (
            select(SchoolCampaign)
            .join(Campaign, Campaign.id == SchoolCampaign.campaign_id)
            .where(
                SchoolCampaign.school_id == school_id,
                SchoolCampaign.status == SchoolCampaignStatus.ACTIVE,
                Campaign.status == CampaignStatus.LAUNCHED,
            )
            .order_by(Campaign.launched_at)
        )
        return list((await self.session.execute(query)).scalars())

    async def history(self, school_campaign_id: uuid.UUID) -> list[PhaseTransition]:
        query = (
            select(PhaseTransition)
            .where(PhaseTransition.school_campaign_id == school_campaign_id)
            .order_by(PhaseTransition.seq)
        )
        return list((await self.session.execute(query)).scalars())

    async def reminders_sent(
        self, school_campaign_ids: Iterable[uuid.UUID]
    ) -> set[tuple[uuid.UUID, str, str, str]]:
        """``(school campaign, phase, kind, deadline ISO)`` of every reminder already sent."""
        rows = await self.session.execute(
            select(
                PhaseReminder.school_campaign_id,
                PhaseReminder.phase,
                PhaseReminder.kind,
                PhaseReminder.deadline,
            ).where(PhaseReminder.school_campaign_id.in_(list(school_campaign_ids)))
        )
        return {(sc, str(phase), str(kind), deadline.isoformat()) for sc, phase, kind, deadline in rows}

    async def facts(self, schools: dict[uuid.UUID, bool]) -> dict[uuid.UUID, Facts]:
        """:class:`Facts` of the school campaigns ``schools`` (id → whether the school boards), in one query
        however many schools there are."""
        if not schools:
            return {}
        query = select(SchoolCampaign.id, *FACT_COLUMNS).where(SchoolCampaign.id.in_(list(schools)))
        return {row[0]: facts_of(row[1:], schools[row[0]]) for row in await self.session.execute(query)}

    async def board(self, campaign_id: uuid.UUID) -> list[BoardRecord]:
        """Every school of the campaign with its phases and its :class:`Facts`, in school-code order: one
        set-based query (each school's phases as one JSON array, its facts as one scalar subquery per kind
        of deliverable, each an index probe by ``school_campaign_id``), read as plain rows."""
        phases = (
            select(
                func.jsonb_agg(
                    aggregate_order_by(
                        func.jsonb_build_array(
                            SchoolPhase.phase, SchoolPhase.status, SchoolPhase.extended_until
                        ),
                        SchoolPhase.position,
                    )
                )
            )
            .where(SchoolPhase.school_campaign_id == SchoolCampaign.id)
            .scalar_subquery()
        )
        query = (
            select(
                SchoolCampaign.id,
                School.id,
                School.code,
                School.name,
                School.boarding,
                SchoolCampaign.status,
                SchoolCampaign.current_phase,
                phases,
                *FACT_COLUMNS,
            )
            .join(School, School.id == SchoolCampaign.school_id)
            .where(SchoolCampaign.campaign_id == campaign_id)
            .order_by(School.code)
        )
        return [
            BoardRecord(
                school_campaign_id=row[0],
                school_id=row[1],
                school_code=row[2],
                school_name=row[3],
                status=row[5],
                current_phase=row[6],
                phases=[(_PHASE[p], _PHASE_STATUS[s], _date(e)) for p, s, e in row[7] or ()],
                facts=facts_of(row[8:], row[4]),
            )
            for row in await self.session.execute(query)
        ]


#: Enum members by value: a dictionary lookup, where calling the enum for each of thousands of cells costs.
_PHASE = {p.value: p for p in Phase}
_PHASE_STATUS = {s.value: s for s in PhaseStatus}


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


@dataclass(slots=True)
class BoardRecord:
    """One school's line of the county board, as read (see :meth:`SchoolCampaignRepository.board`)."""

    school_campaign_id: uuid.UUID
    school_id: uuid.UUID
    school_code: str
    school_name: str
    status: SchoolCampaignStatus
    current_phase: Phase | None
    #: ``(phase, status, extended_until)`` in phase order.
    phases: list[tuple[Phase, PhaseStatus, dt.date | None]]
    facts: Facts


def _of_campaign(model: Any) -> Any:
    """``model``'s rows of the school campaign of the enclosing query (correlated; indexed by every table)."""
    return model.school_campaign_id == SchoolCampaign.id


def _count(model: Any) -> Any:
    return select(func.count()).select_from(model).where(_of_campaign(model)).scalar_subquery()


def _texts(column: Any) -> Any:
    return select(func.array_agg(cast(column, Text))).where(_of_campaign(column.class_)).scalar_subquery()


def _present(model: Any) -> Any:
    return exists().where(_of_campaign(model))


#: What :class:`Facts` needs of a school campaign, one column each, correlated to ``SchoolCampaign``;
#: :func:`facts_of` reads them back in this order.
FACT_COLUMNS = (
    select(func.jsonb_array_length(LeadingGroup.members)).where(_of_campaign(LeadingGroup)).scalar_subquery(),
    _count(DeploymentMeeting),
    _present(ImplementationPlan),
    _count(ResponsibilityAssignment),
    _texts(AreaSignOff.area),
    _present(InvestigationReport),
    _texts(MeasureEvidence.measure),
    select(cast(InspectionResult.outcome, Text))
    .where(_of_campaign(InspectionResult))
    .order_by(InspectionResult.decided_at.desc(), InspectionResult.id.desc())
    .limit(1)
    .scalar_subquery(),
    _present(SummaryReport),
    _texts(LongTermMechanism.mechanism),
)


def facts_of(values: Sequence[Any], boarding: bool) -> Facts:
    """:class:`Facts` from the values of :data:`FACT_COLUMNS` (the latest inspection result decides)."""
    members, meetings, plan, assignments, areas, report, evidence, outcome, summary, mechanisms = values
    return Facts(
        boarding=boarding,
        leading_group_members=None if members is None else int(members),
        meetings=int(meetings),
        implementation_plan=bool(plan),
        assignments=int(assignments),
        signed_areas=set(areas or ()),
        investigation_report=bool(report),
        evidence=dict(Counter(evidence)) if evidence else {},
        inspection_outcome=None if outcome is None else InspectionOutcome(outcome),
        summary_report=bool(summary),
        mechanisms=set(mechanisms or ()),
    )


class DeliverableRepository:
    """The contents of one school campaign's deliverables (``sc``: the school campaign's id)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, model: Any, sc: uuid.UUID, *, for_update: bool = False) -> Any:
        query = select(model).where(model.school_campaign_id == sc)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def _all(self, model: Any, sc: uuid.UUID, *order: Any) -> list[Any]:
        query = select(model).where(model.school_campaign_id == sc).order_by(*order)
        return list((await self.session.execute(query)).scalars())

    async def _item(self, model: Any, sc: uuid.UUID, item_id: uuid.UUID) -> Any:
        query = select(model).where(model.school_campaign_id == sc, model.id == item_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def leading_group(self, sc: uuid.UUID, *, for_update: bool = False) -> LeadingGroup | None:
        return await self._one(LeadingGroup, sc, for_update=for_update)

    async def implementation_plan(
        self, sc: uuid.UUID, *, for_update: bool = False
    ) -> ImplementationPlan | None:
        return await self._one(ImplementationPlan, sc, for_update=for_update)

    async def summary_report(self, sc: uuid.UUID, *, for_update: bool = False) -> SummaryReport | None:
        return await self._one(SummaryReport, sc, for_update=for_update)

    async def investigation_report(
        self, sc: uuid.UUID, *, for_update: bool = False
    ) -> InvestigationReport | None:
        return await self._one(InvestigationReport, sc, for_update=for_update)

    async def meetings(self, sc: uuid.UUID) -> list[DeploymentMeeting]:
        return await self._all(DeploymentMeeting, sc, DeploymentMeeting.held_on, DeploymentMeeting.created_at)

    async def meeting(self, sc: uuid.UUID, meeting_id: uuid.UUID) -> DeploymentMeeting | None:
        return await self._item(DeploymentMeeting, sc, meeting_id)

    async def assignments(self, sc: uuid.UUID) -> list[ResponsibilityAssignment]:
        return await self._all(ResponsibilityAssignment, sc, ResponsibilityAssignment.position)

    async def sign_offs(self, sc: uuid.UUID) -> list[AreaSignOff]:
        return await self._all(AreaSignOff, sc, AreaSignOff.signed_at)

    async def sign_off(self, sc: uuid.UUID, area: str) -> AreaSignOff | None:
        query = select(AreaSignOff).where(AreaSignOff.school_campaign_id == sc, AreaSignOff.area == area)
        return (await self.session.execute(query.with_for_update())).scalar_one_or_none()

    async def evidence(self, sc: uuid.UUID) -> list[MeasureEvidence]:
        return await self._all(MeasureEvidence, sc, MeasureEvidence.created_at, MeasureEvidence.id)

    async def evidence_item(self, sc: uuid.UUID, evidence_id: uuid.UUID) -> MeasureEvidence | None:
        return await self._item(MeasureEvidence, sc, evidence_id)

    async def inspection_results(self, sc: uuid.UUID) -> list[InspectionResult]:
        return await self._all(InspectionResult, sc, InspectionResult.decided_at)

    async def mechanisms(self, sc: uuid.UUID) -> list[LongTermMechanism]:
        return await self._all(LongTermMechanism, sc, LongTermMechanism.mechanism)

    async def remove(self, row: object) -> None:
        await self.session.delete(row)  # through the ORM, so that the removal is audited

    def add(self, row: object) -> None:
        self.session.add(row)
