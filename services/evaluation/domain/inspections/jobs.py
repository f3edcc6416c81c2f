"""Background jobs of cross-school inspection: pushing each inspector's grants to Keycloak.

``evaluation.inspection_grants.changed`` (written with every change of a team or an assignment) is
consumed here; a periodic resync per county also pushes every inspector's grants, which removes grants
whose window is over and repairs a push that ended in the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.inspections.grants import sync_user_grants
from evaluation.domain.inspections.models import InspectionTeam, MemberRole, TeamMember
from evaluation.outbox import outbox
from kit.broker import configure_broker, worker_database
from kit.events import INSPECTION_GRANTS_CHANGED, Event, InspectionGrantsChanged, consumer
from kit.identity import admin_client, set_account_attribute
from kit.logging import get_logger
from kit.scheduler import Tenant, every, per_tenant
from kit.settings import get_settings
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


async def write_keycloak_attribute(user_id: str, name: str, values: Sequence[str]) -> bool:
    return await set_account_attribute(admin_client(get_settings()), user_id, name, values)


@consumer(SERVICE, INSPECTION_GRANTS_CHANGED)
async def push_changed_grants(session: AsyncSession, event: Event[InspectionGrantsChanged]) -> None:
    """Push the grants of the inspectors a change touched (county context). Retried while Keycloak is down."""
    for user_id in event.payload.user_ids:
        changed = await sync_user_grants(session, user_id, write_keycloak_attribute)
        log.info("inspection_grants_pushed", user_id=user_id, changed=changed)


async def inspectors_of_open_campaigns(session: AsyncSession) -> list[str]:
    """Every inspector (not bureau staff) of the county's open campaigns (county context)."""
    query = (
        select(TeamMember.user_id)
        .join(InspectionTeam, InspectionTeam.id == TeamMember.team_id)
        .join(Campaign, Campaign.id == InspectionTeam.campaign_id)
        .where(Campaign.status == CampaignStatus.OPEN, TeamMember.role != MemberRole.BUREAU)
        .distinct()
    )
    return list((await session.execute(query)).scalars())


async def counties_with_inspections(period: str) -> list[Tenant]:
    """Counties that ever changed an inspection grant (the outbox is the cross-tenant directory)."""
    async with worker_database(SERVICE).transaction(None) as session:
        return [(county, None) for county in await outbox.counties_with(session, INSPECTION_GRANTS_CHANGED)]


@per_tenant(
    SERVICE, "evaluation.inspection.resync_grants", every(minutes=15), tenants=counties_with_inspections
)
async def resync_grants(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    for user_id in await inspectors_of_open_campaigns(session):
        await sync_user_grants(session, user_id, write_keycloak_attribute)
