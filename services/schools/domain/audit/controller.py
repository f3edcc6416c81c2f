"""HTTP for the schools service's audit trail (``kit.audit_api``): verification for the bureau, a school's
entries for the bureau and the school's principal, and the county chain (onboarding, campaigns)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit_api import audit_router
from schools import SERVICE
from schools.domain.schools.repository import SchoolRepository


async def school_visible(session: AsyncSession, school_id: uuid.UUID) -> bool:
    # A school of another county (or, for school staff, another school) is not found: RLS hides it.
    return await SchoolRepository(session).get(school_id) is not None


AuditController = audit_router(
    SERVICE,
    school_visible,
    operation_prefix="School",
    county_chain=True,
    entry_readers=("bureau", "principal"),
)
