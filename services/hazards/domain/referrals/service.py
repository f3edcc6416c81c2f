"""Referral of hazards beyond the school's power to outside departments. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, system_clock
from hazards.domain.hazards.lifecycle import Action
from hazards.domain.hazards.service import HazardService
from hazards.domain.referrals import schemas
from hazards.domain.referrals.models import FINAL_STATUSES, Referral, ReferralStatus
from hazards.domain.referrals.repository import ReferralRepository
from hazards.outbox import outbox
from hazards.vocabulary import Department
from kit.audit import name_action
from kit.errors import ConflictError, NotFoundError
from kit.events import REFERRAL_SENT, REFERRAL_UPDATED, EventType, ReferralChanged
from tenants import TenantContext


def to_schema(referral: Referral, number: str) -> schemas.Referral:
    return schemas.Referral(
        id=referral.id,
        hazard_id=referral.hazard_id,
        school_id=referral.school_id,
        hazard_number=number,
        department=referral.department,
        department_name=referral.department_name,
        contact=referral.contact,
        note=referral.note,
        status=referral.status,
        reply=referral.reply,
        replied_at=referral.replied_at,
        referred_by=referral.referred_by_name,
        referred_at=referral.referred_at,
        updated_at=referral.updated_at,
    )


class ReferralService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = ReferralRepository(session)

    def _hazards(self) -> HazardService:
        return HazardService(self.session, self.tenant, clock=self.clock)

    async def for_hazard(self, hazard_id: uuid.UUID) -> list[schemas.Referral]:
        return [to_schema(r, number) for r, number in await self.repository.for_hazard(hazard_id)]

    async def page(
        self,
        *,
        status: ReferralStatus | None,
        department: Department | None,
        school_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> schemas.ReferralPage:
        rows, total = await self.repository.page(
            status=status, department=department, school_id=school_id, limit=limit, offset=offset
        )
        return schemas.ReferralPage(
            items=[to_schema(r, number) for r, number in rows], total=total, limit=limit, offset=offset
        )

    async def refer(self, hazard_id: uuid.UUID, data: schemas.ReferralCreate) -> schemas.Referral:
        hazards = self._hazards()
        hazard = await hazards.load(hazard_id, Action.REFER)
        now = self.clock()
        referral = Referral(
            id=uuid.uuid4(),
            county_id=hazard.county_id,
            school_id=hazard.school_id,
            hazard_id=hazard.id,
            department=data.department,
            department_name=data.department_name,
            contact=data.contact,
            note=data.note,
            status=ReferralStatus.SENT,
            reply="",
            referred_by=self.tenant.user_id,
            referred_by_name=self.tenant.username,
            referred_at=now,
            created_at=now,
            updated_at=now,
        )
        self.repository.add(referral)
        await self.session.flush()
        await hazards.record(
            hazard,
            Action.REFER.value,
            from_status=hazard.status,
            reason=data.note,
            details={"referral_id": str(referral.id), "department": data.department.value},
        )
        await self._publish(REFERRAL_SENT, referral)
        return to_schema(referral, hazard.number)

    async def update(self, referral_id: uuid.UUID, data: schemas.ReferralUpdate) -> schemas.Referral:
        referral = await self.repository.get(referral_id, for_update=True)
        if referral is None:
            raise NotFoundError("referral not found")
        if referral.status in FINAL_STATUSES:
            raise ConflictError(f"the referral is {referral.status.value}; its status no longer changes")
        if data.status == ReferralStatus.SENT:
            raise ConflictError("a referral cannot go back to sent")
        hazards = self._hazards()
        hazard = await hazards.get(referral.hazard_id)
        previous = referral.status
        name_action(referral, "referral.reply")
        referral.status = data.status
        if data.reply:
            referral.reply = data.reply
            referral.replied_at = self.clock()
        referral.updated_at = self.clock()
        await self.session.flush()  # the referral's own audit entry first
        await hazards.record(
            hazard,
            "referral_update",
            from_status=hazard.status,
            reason=data.reply,
            details={"referral_id": str(referral.id), "from": previous.value, "to": data.status.value},
        )
        await self._publish(REFERRAL_UPDATED, referral)
        return to_schema(referral, hazard.number)

    async def _publish(self, event_type: EventType[ReferralChanged], referral: Referral) -> None:
        await outbox.add(
            self.session,
            event_type,
            ReferralChanged(
                referral_id=referral.id,
                hazard_id=referral.hazard_id,
                school_id=referral.school_id,
                department=referral.department.value,
                status=referral.status.value,
            ),
            county_id=referral.county_id,
            school_id=referral.school_id,
        )
