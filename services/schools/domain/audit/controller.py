"""HTTP for the audit trail: verification for the bureau, entries for the bureau and a school's principal."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from kit.auth import requires_role
from kit.db import DbSession
from schools.domain.audit import schemas
from schools.domain.audit.service import AuditService
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
ObjectType = Annotated[str | None, QueryParameter(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
ObjectId = Annotated[str | None, QueryParameter(max_length=128)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
AnchorParam = Annotated[
    str | None,
    QueryParameter(
        pattern=schemas.ANCHOR_PATTERN,
        description="<seq>:<hash> of a head noted earlier; the chain must still contain it",
    ),
]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> AuditService:
    return AuditService(db_session, request.user)


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/schools/{school_id:uuid}/verification", guards=bureau_only, operation_id="verifySchoolAuditChain")
    async def verify_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        anchor: AnchorParam = None,
    ) -> schemas.Verification:
        """Recompute a school's audit chain: ``ok``, or the first broken link and why."""
        return await _service(db_session, request).verify(school_id, anchor)

    @get("/county/verification", guards=bureau_only, operation_id="verifyCountyAuditChain")
    async def verify_county(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], anchor: AnchorParam = None
    ) -> schemas.Verification:
        """Recompute the county-level audit chain of the caller's county."""
        return await _service(db_session, request).verify(None, anchor)

    @get(
        "/schools/{school_id:uuid}/entries",
        guards=[requires_role("bureau", "principal")],
        operation_id="listSchoolAuditEntries",
    )
    async def school_entries(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        object_type: ObjectType = None,
        object_id: ObjectId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.AuditPage:
        """A school's audit entries, newest first: any school of the county for the bureau, their own for a
        principal."""
        return await _service(db_session, request).page(
            school_id, object_type=object_type, object_id=object_id, limit=limit, offset=offset
        )

    @get("/county/entries", guards=bureau_only, operation_id="listCountyAuditEntries")
    async def county_entries(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        object_type: ObjectType = None,
        object_id: ObjectId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.AuditPage:
        """The county-level audit entries of the caller's county, newest first."""
        return await _service(db_session, request).page(
            None, object_type=object_type, object_id=object_id, limit=limit, offset=offset
        )
