"""Listing supervision: the bureau lists serious hazards with a supervising official and a deadline, and
its supervision list holds every listed hazard of every school of the county until it is closed."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, local_date, system_clock
from hazards.domain.directory import DirectoryRepository
from hazards.domain.hazards import schemas as hazard_schemas
from hazards.domain.hazards.lifecycle import Action
from hazards.domain.hazards.models import Hazard, Status
from hazards.domain.hazards.service import HazardService
from hazards.domain.supervision import schemas
from kit.errors import ConflictError
from tenants import TenantContext

#: The list shows at most this many rows (a county has far fewer listed hazards).
MAX_LISTED = 2_000


class SupervisionService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.hazards = HazardService(session, tenant, clock=clock)

    async def list_hazard(self, hazard_id: uuid.UUID, data: hazard_schemas.Listing) -> Hazard:
        hazard = await self.hazards.load(hazard_id, Action.LIST)
        if hazard.listed:
            raise ConflictError(f"hazard {hazard.number} is already listed for supervision")
        self.hazards.check_deadline(data.deadline)
        hazard.listed_at = self.clock()
        hazard.listed_by = self.tenant.user_id
        hazard.listed_by_name = self.tenant.username
        hazard.listed_official = data.official
        hazard.listed_deadline = data.deadline
        hazard.listed_note = data.note
        await self.hazards.record(
            hazard,
            Action.LIST.value,
            from_status=hazard.status,
            reason=data.note,
            details={"official": data.official, "deadline": data.deadline.isoformat()},
            event="listed",
        )
        return hazard

    async def supervision_list(self, *, school_id: uuid.UUID | None = None) -> schemas.SupervisionList:
        """Every listed hazard not yet closed (the bureau: the whole county; school staff: their school)."""
        query = (
            select(Hazard)
            .where(Hazard.listed_at.is_not(None), Hazard.status != Status.CLOSED)
            .order_by(Hazard.listed_deadline.nulls_last(), Hazard.listed_at, Hazard.id)
            .limit(MAX_LISTED)
        )
        if school_id is not None:
            query = query.where(Hazard.school_id == school_id)
        hazards = list((await self.session.execute(query)).scalars())
        names = await DirectoryRepository(self.session).names(h.school_id for h in hazards)
        today = local_date(self.clock())
        items = []
        for h in hazards:
            assert h.listed_at is not None
            entry = names.get(h.school_id)
            items.append(
                schemas.SupervisedHazard(
                    hazard_id=h.id,
                    school_id=h.school_id,
                    school_name=entry.name if entry else "",
                    number=h.number,
                    title=h.title,
                    category=h.category,
                    severity=h.severity,
                    status=h.status,
                    official=h.listed_official,
                    listed_at=h.listed_at,
                    listed_by=h.listed_by_name,
                    listing_deadline=h.listed_deadline,
                    rectification_deadline=h.deadline,
                    listing_overdue=h.listed_deadline is not None and h.listed_deadline < today,
                    responsible_name=h.responsible_name,
                )
            )
        return schemas.SupervisionList(
            items=items, total=len(items), overdue=sum(1 for i in items if i.listing_overdue)
        )
