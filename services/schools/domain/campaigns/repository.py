"""SQL of the campaign engine. Row-level security scopes every query to the caller's tenant; nothing here
filters by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schools.domain.campaigns.models import (
    AreaSignOff,
    Campaign,
    CampaignStatus,
    DeploymentMeeting,
    ImplementationPlan,
    InspectionResult,
    InvestigationReport,
    LeadingGroup,
    LongTermMechanism,
    MeasureEvidence,
    PhaseReminder,
    PhaseTransition,
    ResponsibilityAssignment,
    SchoolCampaign,
    SchoolCampaignStatus,
    SummaryReport,
)
from schools.domain.campaigns.progress import Facts
from schools.domain.schools.models import School, SchoolStatus


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: uuid.UUID, *, for_update: bool = False) -> Campaign | None:
        query = select(Campaign).where(Campaign.id == campaign_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

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
        per kind of deliverable, however many schools there are."""
        ids = list(schools)
        facts = {sc: Facts(boarding=boarding) for sc, boarding in schools.items()}
        if not ids:
            return facts

        async def each(query: Any) -> Iterable[Any]:
            return (await self.session.execute(query)).all()

        for sc, members in await each(
            select(LeadingGroup.school_campaign_id, func.jsonb_array_length(LeadingGroup.members)).where(
                LeadingGroup.school_campaign_id.in_(ids)
            )
        ):
            facts[sc].leading_group_members = int(members)
        for sc, count in await each(_counts(DeploymentMeeting, ids)):
            facts[sc].meetings = int(count)
        for (sc,) in await each(
            select(ImplementationPlan.school_campaign_id).where(
                ImplementationPlan.school_campaign_id.in_(ids)
            )
        ):
            facts[sc].implementation_plan = True
        for sc, count in await each(_counts(ResponsibilityAssignment, ids)):
            facts[sc].assignments = int(count)
        for sc, area in await each(
            select(AreaSignOff.school_campaign_id, AreaSignOff.area).where(
                AreaSignOff.school_campaign_id.in_(ids)
            )
        ):
            facts[sc].signed_areas.add(str(area))
        for (sc,) in await each(
            select(InvestigationReport.school_campaign_id).where(
                InvestigationReport.school_campaign_id.in_(ids)
            )
        ):
            facts[sc].investigation_report = True
        for sc, measure, count in await each(
            select(MeasureEvidence.school_campaign_id, MeasureEvidence.measure, func.count())
            .where(MeasureEvidence.school_campaign_id.in_(ids))
            .group_by(MeasureEvidence.school_campaign_id, MeasureEvidence.measure)
        ):
            facts[sc].evidence[measure] = int(count)
        for sc, outcome in await each(
            select(InspectionResult.school_campaign_id, InspectionResult.outcome)
            .where(InspectionResult.school_campaign_id.in_(ids))
            .order_by(InspectionResult.decided_at, InspectionResult.id)
        ):
            facts[sc].inspection_outcome = outcome  # in order: the latest result stays
        for (sc,) in await each(
            select(SummaryReport.school_campaign_id).where(SummaryReport.school_campaign_id.in_(ids))
        ):
            facts[sc].summary_report = True
        for sc, mechanism in await each(
            select(LongTermMechanism.school_campaign_id, LongTermMechanism.mechanism).where(
                LongTermMechanism.school_campaign_id.in_(ids)
            )
        ):
            facts[sc].mechanisms.add(str(mechanism))
        return facts


def _counts(model: Any, ids: list[uuid.UUID]) -> Select[Any]:
    return (
        select(model.school_campaign_id, func.count())
        .where(model.school_campaign_id.in_(ids))
        .group_by(model.school_campaign_id)
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
