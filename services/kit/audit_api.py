"""The audit trail's HTTP API, one definition for every service that mounts it.

A service's chains are verified and read through :class:`kit.audit.AuditLog` in the caller's tenant
context; a school the caller cannot see (another county; for school staff, another school) is not found,
because the service's own school table, under row-level security, is asked first. Each service mounts
:func:`audit_router` with that check and the routes it offers (the county chain, who may read entries).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get
from litestar.params import FromPath, QueryParameter
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from kit import audit
from kit.auth import requires_role
from kit.db import DbSession
from kit.errors import InvalidInputError, NotFoundError
from tenants import TenantContext

#: ``<seq>:<hash>`` of an entry noted earlier (e.g. the head of the last verification).
ANCHOR_PATTERN = r"^[1-9][0-9]{0,17}:[0-9a-f]{64}$"

#: Whether the caller's transaction can see the school (its row in the service's own table, under RLS).
SchoolVisible = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]

ObjectType = Annotated[str | None, QueryParameter(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
ObjectId = Annotated[str | None, QueryParameter(max_length=128)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
AnchorParam = Annotated[
    str | None,
    QueryParameter(
        pattern=ANCHOR_PATTERN,
        description="<seq>:<hash> of a head noted earlier; the chain must still contain it",
    ),
]


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
    before_digest: str | None
    after_digest: str | None
    request_id: str | None
    prev_hash: str
    hash: str


class AuditPage(msgspec.Struct):
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


class ChainHead(msgspec.Struct):
    seq: int
    hash: str


class BrokenLink(msgspec.Struct):
    seq: int
    reason: str


class Verification(msgspec.Struct):
    """``ok`` is true when every entry verified; otherwise ``broken`` names the first broken link."""

    ok: bool
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    verified: int
    head: ChainHead | None
    broken: BrokenLink | None


def to_verification(result: audit.Verification) -> Verification:
    head = None
    if result.head_seq is not None and result.head_hash is not None:
        head = ChainHead(result.head_seq, result.head_hash)
    return Verification(
        ok=result.ok,
        county_id=result.county_id,
        school_id=result.school_id,
        verified=result.verified,
        head=head,
        broken=BrokenLink(result.broken.seq, result.broken.reason) if result.broken else None,
    )


def to_entry(entry: audit.AuditEntry) -> AuditEntry:
    return AuditEntry(
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


class AuditReader:
    """Verifying and reading one service's chains of the caller's county or school. Never writes."""

    def __init__(
        self, session: AsyncSession, tenant: TenantContext, service: str, school_visible: SchoolVisible
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.log = audit.AuditLog(session, service)
        self.school_visible = school_visible

    async def _check(self, school_id: uuid.UUID | None) -> None:
        if school_id is not None and not await self.school_visible(self.session, school_id):
            raise NotFoundError("school not found")

    async def verify(self, school_id: uuid.UUID | None, anchor: str | None = None) -> Verification:
        """Verify a school's chain, or the county chain (``school_id`` None)."""
        await self._check(school_id)
        try:
            expected = audit.parse_anchor(anchor)
        except ValueError as exc:
            raise InvalidInputError(str(exc), errors=[{"key": "anchor", "message": str(exc)}]) from exc
        return to_verification(await self.log.verify(self.tenant.county_id, school_id, anchor=expected))

    async def page(
        self,
        school_id: uuid.UUID | None,
        *,
        object_type: str | None,
        object_id: str | None,
        limit: int,
        offset: int,
    ) -> AuditPage:
        """Entries of a school's chain (or the county chain), newest first."""
        await self._check(school_id)
        entries, total = await self.log.page(
            self.tenant.county_id,
            school_id,
            object_type=object_type,
            object_id=object_id,
            limit=limit,
            offset=offset,
        )
        return AuditPage(
            county_id=self.tenant.county_id,
            school_id=school_id,
            items=[to_entry(e) for e in entries],
            total=total,
            limit=limit,
            offset=offset,
        )


def audit_router(
    service: str,
    school_visible: SchoolVisible,
    *,
    operation_prefix: str,
    county_chain: bool = False,
    entry_readers: Sequence[str] = ("bureau",),
) -> Router:
    """``/audit/schools/{id}/verification`` and ``/entries`` (and, with ``county_chain``, ``/audit/county/...``)
    for ``service``. Verification is the bureau's; ``entry_readers`` may read a school's entries (a principal
    only their own school's: the visibility check sees no other). ``operation_prefix`` names the operations
    (``verify<Prefix>AuditChain``) uniquely across the services' OpenAPI documents."""
    bureau_only = [requires_role("bureau")]

    def reader(db_session: AsyncSession, request: Request[TenantContext, Any, Any]) -> AuditReader:
        return AuditReader(db_session, request.user, service, school_visible)

    @get(
        "/schools/{school_id:uuid}/verification",
        guards=bureau_only,
        operation_id=f"verify{operation_prefix}AuditChain",
    )
    async def verify_school(
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        anchor: AnchorParam = None,
    ) -> Verification:
        """Recompute a school's audit chain: ``ok``, or the first broken link and why."""
        return await reader(db_session, request).verify(school_id, anchor)

    @get(
        "/schools/{school_id:uuid}/entries",
        guards=[requires_role(*entry_readers)],
        operation_id=f"list{operation_prefix}AuditEntries",
    )
    async def school_entries(
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        object_type: ObjectType = None,
        object_id: ObjectId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        """A school's audit entries, newest first: who did or read what, when (digests, never the data)."""
        return await reader(db_session, request).page(
            school_id, object_type=object_type, object_id=object_id, limit=limit, offset=offset
        )

    @get("/county/verification", guards=bureau_only, operation_id=f"verify{operation_prefix}CountyAuditChain")
    async def verify_county(
        db_session: DbSession, request: Request[TenantContext, Any, Any], anchor: AnchorParam = None
    ) -> Verification:
        """Recompute the county-level audit chain of the caller's county."""
        return await reader(db_session, request).verify(None, anchor)

    @get("/county/entries", guards=bureau_only, operation_id=f"list{operation_prefix}CountyAuditEntries")
    async def county_entries(
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        object_type: ObjectType = None,
        object_id: ObjectId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        """The county-level audit entries of the caller's county, newest first."""
        return await reader(db_session, request).page(
            None, object_type=object_type, object_id=object_id, limit=limit, offset=offset
        )

    handlers: list[ControllerRouterHandler] = [verify_school, school_entries]
    if county_chain:
        handlers += [verify_county, county_entries]
    return Router(path="/audit", route_handlers=handlers, tags=["audit"])
