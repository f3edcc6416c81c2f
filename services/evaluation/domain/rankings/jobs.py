"""Recomputing results (the ranking is never computed on request):

- ``evaluation.results.outdated``, written with the bureau's changes (a rubric attached or changed, an
  inspection decided, a recompute asked for), is consumed here at once;
- the scheduler's ``evaluation.results.refresh`` runs every two minutes per county and recomputes each
  campaign whose inputs are newer than its results: objective figures arriving from the hazards,
  personnel and schools services (their events are handled in the school's context, which cannot mark a
  county-level campaign) and schools joining.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.campaigns.repository import CampaignRepository
from evaluation.domain.rankings.service import ResultService
from evaluation.outbox import outbox
from kit.broker import configure_broker, worker_database
from kit.events import RESULTS_OUTDATED, Event, ResultsOutdated, consumer
from kit.logging import get_logger
from kit.scheduler import Tenant, every, per_tenant
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


@consumer(SERVICE, RESULTS_OUTDATED, time_limit=600_000)
async def recompute_outdated(session: AsyncSession, event: Event[ResultsOutdated]) -> None:
    """Recompute the campaign unless a recompute already ran since it became outdated."""
    campaign = await CampaignRepository(session).get(event.payload.campaign_id)
    if campaign is None or campaign.results_stale_since is None:
        return
    await ResultService(session, event.tenant).recompute(campaign.id)
    log.info("results_recomputed", campaign_id=str(campaign.id))


async def counties_with_campaigns(period: str) -> list[Tenant]:
    """Counties with evaluation campaigns (each campaign's creation wrote ``evaluation.results.outdated``)."""
    async with worker_database(SERVICE).transaction(None) as session:
        return [(county, None) for county in await outbox.counties_with(session, RESULTS_OUTDATED)]


@per_tenant(SERVICE, "evaluation.results.refresh", every(minutes=2), tenants=counties_with_campaigns)
async def refresh_outdated_results(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Recompute each open campaign of the county whose inputs changed since its last computation: new
    figures from the other services' events, a school joining, or a lost ``evaluation.results.outdated``."""
    for campaign_id in await CampaignRepository(session).outdated_ids():
        await ResultService(session, tenant).recompute(campaign_id)
        log.info("results_refreshed", campaign_id=str(campaign_id), period=period)
