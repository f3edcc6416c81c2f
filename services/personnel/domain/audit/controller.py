"""HTTP for the personnel service's audit trail (``kit.audit_api``): the bureau verifies a school's chain
(it holds, among the rest, every read of a student-of-concern record) and reads its entries."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit_api import audit_router
from personnel import SERVICE
from personnel.domain.school_profiles.repository import SchoolProfileRepository


async def school_visible(session: AsyncSession, school_id: uuid.UUID) -> bool:
    # A school of another county is not found: RLS hides its profile.
    return await SchoolProfileRepository(session).get(school_id) is not None


AuditController = audit_router(SERVICE, school_visible, operation_prefix="Personnel")
