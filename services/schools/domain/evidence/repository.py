"""SQL of evidence files. Row-level security scopes every query to the caller's tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schools.domain.evidence.models import EvidenceFile


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, file_id: uuid.UUID) -> EvidenceFile | None:
        return (
            await self.session.execute(select(EvidenceFile).where(EvidenceFile.id == file_id))
        ).scalar_one_or_none()

    async def many(self, file_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, EvidenceFile]:
        ids = list(set(file_ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(EvidenceFile).where(EvidenceFile.id.in_(ids)))
        return {file.id: file for file in rows.scalars()}

    def add(self, file: EvidenceFile) -> None:
        self.session.add(file)
