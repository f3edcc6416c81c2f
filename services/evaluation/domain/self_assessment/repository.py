"""SQL for self-assessments (under the caller's RLS context)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.self_assessment.models import (
    SelfAssessment,
    SelfAssessmentEntry,
    SelfAssessmentEvidence,
)


class SelfAssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(
        self, campaign_id: uuid.UUID, school_id: uuid.UUID, *, for_update: bool = False
    ) -> SelfAssessment | None:
        query = select(SelfAssessment).where(
            SelfAssessment.campaign_id == campaign_id, SelfAssessment.school_id == school_id
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def entries(self, self_assessment_id: uuid.UUID) -> list[SelfAssessmentEntry]:
        query = select(SelfAssessmentEntry).where(
            SelfAssessmentEntry.self_assessment_id == self_assessment_id
        )
        return list((await self.session.execute(query)).scalars())

    async def entry(self, self_assessment_id: uuid.UUID, code: str) -> SelfAssessmentEntry | None:
        query = select(SelfAssessmentEntry).where(
            SelfAssessmentEntry.self_assessment_id == self_assessment_id,
            SelfAssessmentEntry.item_code == code,
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def evidence(self, self_assessment_id: uuid.UUID) -> list[SelfAssessmentEvidence]:
        query = (
            select(SelfAssessmentEvidence)
            .where(SelfAssessmentEvidence.self_assessment_id == self_assessment_id)
            .order_by(SelfAssessmentEvidence.uploaded_at)
        )
        return list((await self.session.execute(query)).scalars())

    async def evidence_file(self, evidence_id: uuid.UUID) -> SelfAssessmentEvidence | None:
        return await self.session.get(SelfAssessmentEvidence, evidence_id)

    def add(self, row: SelfAssessment | SelfAssessmentEntry | SelfAssessmentEvidence) -> None:
        self.session.add(row)
