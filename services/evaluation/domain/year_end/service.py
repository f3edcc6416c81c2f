"""The year-end comprehensive evaluation: the bureau signs off the campaign's final results, which are then
frozen — copied into ``year_end_results`` (which the app role can never update or delete) while the
campaign stops being recomputed. Never commits."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.rankings.models import ResultColumns, SchoolResult
from evaluation.domain.rankings.service import GRADES, ResultService, ranking_row
from evaluation.domain.year_end import schemas
from evaluation.domain.year_end.models import YearEndResult
from evaluation.outbox import outbox
from kit.audit import AuditLog, digest, name_action
from kit.errors import ConflictError, NotFoundError
from kit.events import YEAR_END_SIGNED_OFF, YearEndSignedOff
from tenants import TenantContext

#: The columns a frozen result copies from the current one.
COPIED = [c.key for c in SchoolResult.__table__.columns if c.key != "id"]


def frozen_digest(row: ResultColumns) -> str:
    """sha256 of the result's canonical JSON (what the reports print next to it)."""
    value = digest({key: getattr(row, key) for key in COPIED})
    assert value is not None
    return value


class YearEndService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.campaigns = CampaignService(session, tenant, clock)

    async def sign_off(self, campaign_id: uuid.UUID, data: schemas.SignOff) -> schemas.YearEnd:
        """Recompute the results one last time with everything known now, freeze them and sign them off."""
        campaign = await self.campaigns.get(campaign_id, for_update=True)
        if campaign.status is CampaignStatus.FROZEN:
            raise ConflictError("the year-end evaluation is already signed off")
        await ResultService(self.session, self.tenant, self.clock).recompute(campaign.id)
        now = self.clock()
        current = (
            await self.session.execute(select(SchoolResult).where(SchoolResult.campaign_id == campaign.id))
        ).scalars()
        frozen = [
            {
                **{key: getattr(row, key) for key in COPIED},
                "id": uuid.uuid4(),
                "signed_off_by": self.tenant.username,
                "signed_off_at": now,
                "digest": frozen_digest(row),
            }
            for row in current
        ]
        if frozen:
            await self.session.execute(insert(YearEndResult), frozen)
        # One entry for the whole sign-off (the rows are written in bulk, past the ORM's audit hook); its
        # digest covers every frozen result's digest, in rank order.
        await AuditLog(self.session, SERVICE).record(
            "year_end.sign_off",
            object_type="campaign",
            object_id=campaign.id,
            after=sorted((r["rank"], str(r["school_id"]), r["digest"]) for r in frozen),
        )
        name_action(campaign, "campaign.freeze")
        campaign.status = CampaignStatus.FROZEN
        campaign.frozen_at = now
        campaign.frozen_by = self.tenant.username
        campaign.frozen_note = data.note
        campaign.results_stale_since = None
        await self.session.flush()
        result = await self.view(campaign)
        await outbox.add(
            self.session,
            YEAR_END_SIGNED_OFF,
            YearEndSignedOff(
                campaign_id=campaign.id,
                year=campaign.year,
                schools=len(result.rows),
                signed_off_by=self.tenant.username,
            ),
            county_id=campaign.county_id,
            school_id=None,
        )
        return result

    async def get(self, campaign_id: uuid.UUID) -> schemas.YearEnd:
        campaign = await self.campaigns.get(campaign_id)
        if campaign.status is not CampaignStatus.FROZEN:
            raise NotFoundError("the year-end evaluation of this campaign is not signed off yet")
        return await self.view(campaign)

    async def view(self, campaign: Campaign) -> schemas.YearEnd:
        rows = list(
            (
                await self.session.execute(
                    select(YearEndResult)
                    .where(YearEndResult.campaign_id == campaign.id)
                    .order_by(YearEndResult.rank, YearEndResult.school_code)
                )
            ).scalars()
        )
        counts = Counter(r.grade for r in rows)
        assert campaign.frozen_at is not None and campaign.frozen_by is not None
        return schemas.YearEnd(
            campaign_id=campaign.id,
            year=campaign.year,
            signed_off_by=campaign.frozen_by,
            signed_off_at=campaign.frozen_at,
            note=campaign.frozen_note,
            distribution={g: counts.get(g, 0) for g in GRADES},
            rows=[schemas.FrozenRow(result=ranking_row(r), digest=r.digest) for r in rows],
        )
