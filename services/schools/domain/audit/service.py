"""Reading and verifying the audit chains of the caller's county or school. Never writes."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit import audit
from kit.errors import InvalidInputError, NotFoundError
from schools import SERVICE
from schools.domain.audit import schemas
from schools.domain.schools.repository import SchoolRepository
from tenants import TenantContext


def to_verification(result: audit.Verification) -> schemas.Verification:
    return schemas.Verification(
        ok=result.ok,
        county_id=result.county_id,
        school_id=result.school_id,
        verified=result.verified,
        head=schemas.ChainHead(result.head_seq, result.head_hash)
        if result.head_seq is not None and result.head_hash is not None
        else None,
        broken=schemas.BrokenLink(result.broken.seq, result.broken.reason) if result.broken else None,
    )


def _to_entry(entry: audit.AuditEntry) -> schemas.AuditEntry:
    return schemas.AuditEntry(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        roles=list(entry.roles),
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        fields=list(entry.fields),
        before_digest=entry.before_digest,
        after_digest=entry.after_digest,
        request_id=entry.request_id,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


class AuditService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.log = audit.AuditLog(session, SERVICE)

    async def _visible_school(self, school_id: uuid.UUID) -> uuid.UUID:
        # A school of another county (or, for school staff, another school) is not found: RLS hides it.
        if await SchoolRepository(self.session).get(school_id) is None:
            raise NotFoundError("school not found")
        return school_id

    async def verify(self, school_id: uuid.UUID | None, anchor: str | None = None) -> schemas.Verification:
        """Verify a school's chain, or the county chain (``school_id`` None)."""
        if school_id is not None:
            await self._visible_school(school_id)
        try:
            expected = audit.parse_anchor(anchor)
        except ValueError as exc:
            raise InvalidInputError(str(exc), errors=[{"key": "anchor", "message": str(exc)}]) from exc
        result = await self.log.verify(self.tenant.county_id, school_id, anchor=expected)
        return to_verification(result)

    async def page(
        self,
        school_id: uuid.UUID | None,
        *,
        object_type: str | None,
        object_id: str | None,
        limit: int,
        offset: int,
    ) -> schemas.AuditPage:
        """Entries of a school's chain (or the county chain), newest first."""
        if school_id is not None:
            await self._visible_school(school_id)
        entries, total = await self.log.page(
            self.tenant.county_id,
            school_id,
            object_type=object_type,
            object_id=object_id,
            limit=limit,
            offset=offset,
        )
        return schemas.AuditPage(
            county_id=self.tenant.county_id,
            school_id=school_id,
            items=[_to_entry(e) for e in entries],
            total=total,
            limit=limit,
            offset=offset,
        )
