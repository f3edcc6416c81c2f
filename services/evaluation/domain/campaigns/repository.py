"""SQL for campaigns (under the caller's RLS context: the campaigns of their county)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.directory.models import SchoolEntry
from evaluation.domain.indicators.models import IndicatorValue

#: A value written just before a recompute started may commit just after it read the inputs; comparing
#: with this margin costs at most one extra recompute and never misses such a value.
INPUT_MARGIN = dt.timedelta(minutes=1)


def latest_input_change() -> Any:
    """When the county's objective figures or school directory last changed (a scalar subquery)."""
    return func.greatest(
        select(func.max(IndicatorValue.updated_at)).scalar_subquery(),
        select(func.max(SchoolEntry.updated_at)).scalar_subquery(),
    )


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: uuid.UUID, *, for_update: bool = False) -> Campaign | None:
        query = select(Campaign).where(Campaign.id == campaign_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self) -> list[Campaign]:
        query = select(Campaign).order_by(Campaign.year.desc(), Campaign.created_at.desc())
        return list((await self.session.execute(query)).scalars())

    async def open_ids(self) -> list[uuid.UUID]:
        query = select(Campaign.id).where(Campaign.status == CampaignStatus.OPEN)
        return list((await self.session.execute(query)).scalars())

    async def outdated_ids(self) -> list[uuid.UUID]:
        """Open campaigns whose results are older than their inputs: marked outdated by a change of the
        bureau's, or computed before the latest objective figures or school directory change arrived."""
        query = select(Campaign.id).where(
            Campaign.status == CampaignStatus.OPEN,
            Campaign.results_stale_since.is_not(None)
            | Campaign.results_computed_at.is_(None)
            | (Campaign.results_computed_at - INPUT_MARGIN < latest_input_change()),
        )
        return list((await self.session.execute(query)).scalars())

    async def mark_stale(self, at: dt.datetime, campaign_id: uuid.UUID | None = None) -> list[uuid.UUID]:
        """Results of the open campaigns (or of one) no longer match their inputs. Returns the campaigns
        that were up to date until now (the others already wait for a recompute)."""
        statement = (
            update(Campaign)
            .where(Campaign.status == CampaignStatus.OPEN, Campaign.results_stale_since.is_(None))
            .values(results_stale_since=at)
            .returning(Campaign.id)
        )
        if campaign_id is not None:
            statement = statement.where(Campaign.id == campaign_id)
        return list((await self.session.execute(statement)).scalars())

    async def set_results_state(
        self, campaign_id: uuid.UUID, *, computed_at: dt.datetime, calibration: list[dict[str, Any]]
    ) -> None:
        """The results were just computed (the recompute job; a Core write, not an audited change)."""
        await self.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(results_computed_at=computed_at, results_stale_since=None, calibration=calibration)
        )

    def add(self, campaign: Campaign) -> None:
        self.session.add(campaign)
