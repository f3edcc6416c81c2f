"""Investigation patrols and area sign-off: every campus area and the surroundings inspected and signed
off by a named inspector, "without leaving dead ends", then the patrol report submitted to the bureau.
Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, system_clock
from hazards.domain.patrols import schemas
from hazards.domain.patrols.models import AreaSignOff, Patrol, PatrolKind, PatrolStatus
from hazards.domain.patrols.repository import PatrolRepository
from hazards.outbox import outbox
from hazards.vocabulary import Area
from kit.audit import name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import PATROL_AREA_SIGNED_OFF, PATROL_SUBMITTED, PatrolAreaSignedOff, PatrolSubmitted
from tenants import TenantContext

ALL_AREAS = [a.value for a in Area]


class PatrolService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = PatrolRepository(session)

    async def get(self, patrol_id: uuid.UUID, *, for_update: bool = False) -> Patrol:
        patrol = await self.repository.get(patrol_id, for_update=for_update)
        if patrol is None:
            raise NotFoundError("patrol not found")
        return patrol

    async def detail(self, patrol: Patrol) -> schemas.Patrol:
        found = await self.repository.hazards_by_area(patrol.id)
        signed = {s.area.value: s for s in patrol.sign_offs}
        areas = []
        for area in patrol.areas:
            s = signed.get(area)
            areas.append(
                schemas.AreaState(
                    area=Area(area),
                    signed_off=s is not None,
                    inspector_id=s.inspector_id if s else None,
                    inspector_name=s.inspector_name if s else None,
                    findings=s.findings if s else None,
                    signed_at=s.signed_at if s else None,
                    hazards_found=found.get(area, 0),
                )
            )
        return schemas.Patrol(
            id=patrol.id,
            school_id=patrol.school_id,
            kind=patrol.kind,
            title=patrol.title,
            campaign_id=patrol.campaign_id,
            status=patrol.status,
            started_by=patrol.started_by_name,
            summary=patrol.summary,
            submitted_by=patrol.submitted_by_name,
            submitted_at=patrol.submitted_at,
            areas=areas,
            hazards_found=sum(found.values()),
            created_at=patrol.created_at,
        )

    async def page(
        self,
        *,
        kind: PatrolKind | None,
        status: PatrolStatus | None,
        school_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> schemas.PatrolPage:
        items, total = await self.repository.page(
            kind=kind, status=status, school_id=school_id, limit=limit, offset=offset
        )
        return schemas.PatrolPage(
            items=[
                schemas.PatrolSummary(
                    id=p.id,
                    school_id=p.school_id,
                    kind=p.kind,
                    title=p.title,
                    status=p.status,
                    areas_total=len(p.areas),
                    areas_signed_off=len(p.sign_offs),
                    created_at=p.created_at,
                    submitted_at=p.submitted_at,
                )
                for p in items
            ],
            total=total,
            limit=limit,
            offset=offset,
        )

    async def start(self, data: schemas.PatrolCreate) -> Patrol:
        assert self.tenant.school_id is not None  # school roles only (route guard)
        if data.kind == PatrolKind.INVESTIGATION:
            if data.areas is not None and sorted(a.value for a in data.areas) != sorted(ALL_AREAS):
                raise InvalidInputError(
                    "an investigation covers every area",
                    errors=[{"key": "areas", "message": "leave out, or list every area"}],
                )
            areas = ALL_AREAS
        else:
            if not data.areas:
                raise InvalidInputError(
                    "a daily patrol names its areas", errors=[{"key": "areas", "message": "at least one"}]
                )
            areas = [a.value for a in Area if a in set(data.areas)]
        now = self.clock()
        patrol = Patrol(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            kind=data.kind,
            title=data.title,
            campaign_id=data.campaign_id,
            areas=areas,
            status=PatrolStatus.OPEN,
            started_by=self.tenant.user_id,
            started_by_name=self.tenant.username,
            summary="",
            created_at=now,
            updated_at=now,
            sign_offs=[],
        )
        self.repository.add(patrol)
        name_action(patrol, "patrol.start")
        await self.session.flush()
        return patrol

    async def sign_off(self, patrol_id: uuid.UUID, data: schemas.SignOffCreate) -> Patrol:
        patrol = await self.get(patrol_id, for_update=True)
        if patrol.status != PatrolStatus.OPEN:
            raise ConflictError("the patrol has been submitted; its areas can no longer be signed off")
        if data.area.value not in patrol.areas:
            raise InvalidInputError(
                f"this patrol does not cover {data.area.value}",
                errors=[{"key": "area", "message": "not one of the patrol's areas"}],
            )
        if any(s.area == data.area for s in patrol.sign_offs):
            raise ConflictError(f"{data.area.value} is already signed off in this patrol")
        sign_off = AreaSignOff(
            id=uuid.uuid4(),
            county_id=patrol.county_id,
            school_id=patrol.school_id,
            patrol_id=patrol.id,
            area=data.area,
            inspector_id=self.tenant.user_id,
            inspector_name=self.tenant.username,
            findings=data.findings,
            signed_at=self.clock(),
        )
        self.repository.add_sign_off(sign_off)
        await self.session.flush()
        await self.session.refresh(patrol, ["sign_offs"])
        found = await self.repository.hazards_by_area(patrol.id)
        await outbox.add(
            self.session,
            PATROL_AREA_SIGNED_OFF,
            PatrolAreaSignedOff(
                patrol_id=patrol.id,
                school_id=patrol.school_id,
                campaign_id=patrol.campaign_id,
                kind=patrol.kind.value,
                area=data.area.value,
                inspector_id=sign_off.inspector_id,
                inspector_name=sign_off.inspector_name,
                findings=sign_off.findings,
                hazards_found=found.get(data.area.value, 0),
                areas_signed_off=len(patrol.sign_offs),
                areas_total=len(patrol.areas),
                signed_at=sign_off.signed_at,
            ),
            county_id=patrol.county_id,
            school_id=patrol.school_id,
        )
        return patrol

    async def submit(self, patrol_id: uuid.UUID, data: schemas.Submission) -> Patrol:
        """The patrol report goes to the bureau once every area is signed off."""
        patrol = await self.get(patrol_id, for_update=True)
        if patrol.status != PatrolStatus.OPEN:
            raise ConflictError("the patrol has already been submitted")
        signed = {s.area.value for s in patrol.sign_offs}
        missing = [a for a in patrol.areas if a not in signed]
        if missing:
            raise ConflictError(
                f"every area must be signed off first; missing: {', '.join(missing)}",
                errors=[{"key": "areas", "message": f"not signed off: {a}"} for a in missing],
            )
        name_action(patrol, "patrol.submit")
        patrol.status = PatrolStatus.SUBMITTED
        patrol.summary = data.summary
        patrol.submitted_by = self.tenant.user_id
        patrol.submitted_by_name = self.tenant.username
        patrol.submitted_at = self.clock()
        await self.session.flush()
        found = await self.repository.hazards_by_area(patrol.id)
        await outbox.add(
            self.session,
            PATROL_SUBMITTED,
            PatrolSubmitted(
                patrol_id=patrol.id,
                school_id=patrol.school_id,
                campaign_id=patrol.campaign_id,
                kind=patrol.kind.value,
                title=patrol.title,
                summary=patrol.summary,
                submitted_by_name=patrol.submitted_by_name,
                hazards_found=sum(found.values()),
                submitted_at=patrol.submitted_at,
            ),
            county_id=patrol.county_id,
            school_id=patrol.school_id,
        )
        return patrol
