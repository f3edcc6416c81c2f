"""HTTP for the personnel service's audit trail: the bureau verifies a school's chain (it holds, among the
rest, every read of a student-of-concern record) and reads its entries.

The same shape as the schools service's audit API; both wrap ``kit.audit.AuditLog``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from kit import audit
from kit.auth import requires_role
from kit.db import DbSession
from kit.errors import InvalidInputError, NotFoundError
from personnel import SERVICE
from personnel.domain.school_profiles.repository import SchoolProfileRepository
from tenants import TenantContext

ANCHOR_PATTERN = r"^[1-9][0-9]{0,17}:[0-9a-f]{64}$"


class ChainHead(msgspec.Struct):
    seq: int
    hash: str


class BrokenLink(msgspec.Struct):
    seq: int
    reason: str


class Verification(msgspec.Struct):
    """``ok`` is true when every entry verified; otherwise ``broken`` names the first broken link."""

    ok: bool
    school_id: uuid.UUID
    verified: int
    head: ChainHead | None
    broken: BrokenLink | None


class AuditEntry(msgspec.Struct):
    seq: int
    at: dt.datetime
    actor_id: str
    actor_name: str
    roles: list[str]
    action: str
    object_type: str
    object_id: str
    fields: list[str]
    request_id: str | None
    hash: str


class AuditPage(msgspec.Struct):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


async def _school(db_session: DbSession, school_id: uuid.UUID) -> uuid.UUID:
    # A school of another county is not found: RLS hides its profile.
    if await SchoolProfileRepository(db_session).get(school_id) is None:
        raise NotFoundError("school not found")
    return school_id


class AuditController(Controller):
    path = "/audit/schools"
    tags = ["audit"]
    guards = [requires_role("bureau")]

    @get("/{school_id:uuid}/verification", operation_id="verifyPersonnelAuditChain")
    async def verify(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        anchor: Annotated[str | None, QueryParameter(pattern=ANCHOR_PATTERN)] = None,
    ) -> Verification:
        """Recompute a school's personnel audit chain: ``ok``, or the first broken link and why."""
        await _school(db_session, school_id)
        try:
            expected = audit.parse_anchor(anchor)
        except ValueError as exc:
            raise InvalidInputError(str(exc), errors=[{"key": "anchor", "message": str(exc)}]) from exc
        result = await audit.AuditLog(db_session, SERVICE).verify(
            request.user.county_id, school_id, anchor=expected
        )
        return Verification(
            ok=result.ok,
            school_id=school_id,
            verified=result.verified,
            head=ChainHead(result.head_seq, result.head_hash)
            if result.head_seq is not None and result.head_hash is not None
            else None,
            broken=BrokenLink(result.broken.seq, result.broken.reason) if result.broken else None,
        )

    @get("/{school_id:uuid}/entries", operation_id="listPersonnelAuditEntries")
    async def entries(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        object_type: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
        ] = None,
        object_id: Annotated[str | None, QueryParameter(max_length=128)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> AuditPage:
        """A school's entries, newest first: who did or read what, when (digests, never the data)."""
        await _school(db_session, school_id)
        items, total = await audit.AuditLog(db_session, SERVICE).page(
            request.user.county_id,
            school_id,
            object_type=object_type,
            object_id=object_id,
            limit=limit,
            offset=offset,
        )
        return AuditPage(
            items=[
                AuditEntry(
                    seq=e.seq,
                    at=e.at,
                    actor_id=e.actor_id,
                    actor_name=e.actor_name,
                    roles=list(e.roles),
                    action=e.action,
                    object_type=e.object_type,
                    object_id=e.object_id,
                    fields=list(e.fields),
                    request_id=e.request_id,
                    hash=e.hash,
                )
                for e in items
            ],
            total=total,
            limit=limit,
            offset=offset,
        )
