"""Rules of campaigns: a published rubric is attached; it may change only before anything was scored;
a frozen campaign never changes. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns import schemas
from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.campaigns.repository import CampaignRepository
from evaluation.domain.rubrics.definition import Rubric as ParsedRubric
from evaluation.domain.rubrics.repository import RubricRepository
from evaluation.domain.rubrics.service import RubricService
from evaluation.outbox import outbox
from kit.audit import AuditLog
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import RESULTS_OUTDATED, ResultsOutdated
from tenants import TenantContext


def to_schema(campaign: Campaign) -> schemas.Campaign:
    return schemas.Campaign(
        id=campaign.id,
        title=campaign.title,
        year=campaign.year,
        rubric_id=campaign.rubric_id,
        status=campaign.status,
        results_computed_at=campaign.results_computed_at,
        results_stale=campaign.results_stale_since is not None,
        frozen_at=campaign.frozen_at,
        frozen_by=campaign.frozen_by,
        frozen_note=campaign.frozen_note,
        created_at=campaign.created_at,
    )


class CampaignService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = CampaignRepository(session)

    async def get(self, campaign_id: uuid.UUID, *, for_update: bool = False) -> Campaign:
        campaign = await self.repository.get(campaign_id, for_update=for_update)
        if campaign is None:
            raise NotFoundError("campaign not found")
        return campaign

    async def get_open(self, campaign_id: uuid.UUID) -> Campaign:
        """A campaign that can still be scored (409 once the year-end evaluation froze it)."""
        campaign = await self.get(campaign_id)
        if campaign.status is CampaignStatus.FROZEN:
            raise ConflictError("the campaign's year-end evaluation is frozen")
        return campaign

    async def rubric(self, campaign: Campaign) -> ParsedRubric:
        rubric = await RubricRepository(self.session).get(campaign.rubric_id)
        if rubric is None:  # pragma: no cover - a foreign key holds it
            raise NotFoundError("rubric not found")
        return ParsedRubric.from_document(rubric.definition)

    async def list(self) -> list[schemas.Campaign]:
        return [to_schema(c) for c in await self.repository.list()]

    async def create(self, data: schemas.CampaignCreate) -> Campaign:
        if await self.repository.get(data.campaign_id) is not None:
            raise ConflictError("this campaign already has a rubric; change it with PATCH")
        await RubricService(self.session, self.tenant).get_published(data.rubric_id)
        campaign = Campaign(
            id=data.campaign_id,
            county_id=self.tenant.county_id,
            title=data.title,
            year=data.year,
            rubric_id=data.rubric_id,
            status=CampaignStatus.OPEN,
            calibration=[],
            frozen_note="",
        )
        self.repository.add(campaign)
        await self.session.flush()
        await self.results_outdated(campaign.id)
        await self.session.refresh(campaign)
        return campaign

    async def update(self, campaign_id: uuid.UUID, data: schemas.CampaignUpdate) -> Campaign:
        campaign = await self.get(campaign_id, for_update=True)
        if campaign.status is CampaignStatus.FROZEN:
            raise ConflictError("the campaign's year-end evaluation is frozen")
        if isinstance(data.title, str):
            campaign.title = data.title
        if isinstance(data.rubric_id, uuid.UUID) and data.rubric_id != campaign.rubric_id:
            await RubricService(self.session, self.tenant).get_published(data.rubric_id)
            if await self._anything_scored(campaign.id):
                raise ConflictError(
                    "the campaign's schools have been scored; its rubric can no longer change"
                )
            campaign.rubric_id = data.rubric_id
            await self.session.flush()
            await self.results_outdated(campaign.id)
        elif not isinstance(data.title, str):
            raise InvalidInputError("nothing to change")
        await self.session.flush()
        await self.session.refresh(campaign)
        return campaign

    async def request_recompute(self, campaign_id: uuid.UUID) -> Campaign:
        """The bureau asks for the campaign's results to be recomputed now (in the background)."""
        campaign = await self.get_open(campaign_id)
        await self.results_outdated(campaign.id)
        await AuditLog(self.session, SERVICE).record(
            "campaign.recompute", object_type="campaign", object_id=campaign.id
        )
        await self.session.refresh(campaign)
        return campaign

    async def results_outdated(self, campaign_id: uuid.UUID | None = None) -> None:
        """The results of the open campaigns (or of one) no longer match their inputs: mark them and ask,
        in the same transaction, for a recompute (``evaluation.results.outdated``; one event per campaign
        until the recompute has run)."""
        for outdated in await self.repository.mark_stale(self.clock(), campaign_id):
            await outbox.add(
                self.session,
                RESULTS_OUTDATED,
                ResultsOutdated(campaign_id=outdated),
                county_id=self.tenant.county_id,
                school_id=None,
            )

    async def _anything_scored(self, campaign_id: uuid.UUID) -> bool:
        # Imported here: both features depend on campaigns, not the other way round.
        from evaluation.domain.inspections.models import Assignment
        from evaluation.domain.self_assessment.models import SelfAssessment

        query = select(
            exists().where(SelfAssessment.campaign_id == campaign_id)
            | exists().where(Assignment.campaign_id == campaign_id)
        )
        return bool((await self.session.execute(query)).scalar_one())
