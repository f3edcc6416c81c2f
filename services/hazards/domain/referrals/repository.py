"""SQL for referrals (under the caller's RLS context)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.hazards.models import Hazard
from hazards.domain.referrals.models import Referral, ReferralStatus
from hazards.vocabulary import Department


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referral_id: uuid.UUID, *, for_update: bool = False) -> Referral | None:
        query = select(Referral).where(Referral.id == referral_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def for_hazard(self, hazard_id: uuid.UUID) -> list[tuple[Referral, str]]:
        query = (
            select(Referral, Hazard.number)
            .join(Hazard, Hazard.id == Referral.hazard_id)
            .where(Referral.hazard_id == hazard_id)
            .order_by(Referral.referred_at, Referral.id)
        )
        return [(referral, number) for referral, number in (await self.session.execute(query)).all()]

    async def page(
        self,
        *,
        status: ReferralStatus | None,
        department: Department | None,
        school_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[Referral, str]], int]:
        conditions = []
        if status is not None:
            conditions.append(Referral.status == status)
        if department is not None:
            conditions.append(Referral.department == department)
        if school_id is not None:
            conditions.append(Referral.school_id == school_id)
        total = (
            await self.session.execute(select(func.count()).select_from(Referral).where(*conditions))
        ).scalar_one()
        query = (
            select(Referral, Hazard.number)
            .join(Hazard, Hazard.id == Referral.hazard_id)
            .where(*conditions)
            .order_by(Referral.referred_at.desc(), Referral.id)
            .limit(limit)
            .offset(offset)
        )
        return [(referral, number) for referral, number in (await self.session.execute(query)).all()], int(
            total
        )

    def add(self, referral: Referral) -> None:
        self.session.add(referral)
