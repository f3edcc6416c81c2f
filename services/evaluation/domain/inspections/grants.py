"""Pushing inspection grants to Keycloak: each inspector's ``inspection_grants`` attribute holds exactly the
grants of their current assignments, ``<school id>|<start>|<end>`` (see ``tenants.context``).

The attribute is recomputed from the database every time (desired state), so the push is idempotent and
any number of retries or concurrent runs converge; runs for one user are serialised by an advisory lock.
A grant reaches the inspector's *token* when it is next issued: granting and revoking take effect within
the realm's access-token lifetime (5 minutes), and the window itself is enforced at every request from
the times inside the grant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.clock import Clock, system_clock
from evaluation.domain.inspections.repository import InspectionRepository
from tenants.context import INSPECTION_GRANTS_CLAIM, InspectionGrant

#: Sets a user attribute to exactly these values (``kit.identity.set_account_attribute`` bound to an admin
#: client, in production). Returns whether anything changed.
AttributeWriter = Callable[[str, str, Sequence[str]], Awaitable[bool]]


async def desired_grants(session: AsyncSession, user_id: str, clock: Clock = system_clock) -> list[str]:
    """The encoded grants ``user_id`` should hold now (county context: every assignment of the county)."""
    assignments = await InspectionRepository(session).granting_for_user(user_id, clock())
    grants = {InspectionGrant(a.school_id, a.starts_at, a.ends_at).encode() for a in assignments}
    return sorted(grants)


async def sync_user_grants(
    session: AsyncSession, user_id: str, write: AttributeWriter, clock: Clock = system_clock
) -> bool:
    """Make the account's grants match its assignments. Returns whether Keycloak was changed."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"grants:{user_id}"}
    )
    return await write(user_id, INSPECTION_GRANTS_CLAIM, await desired_grants(session, user_id, clock))
