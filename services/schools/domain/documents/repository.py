"""SQL of the management-system register. Row-level security scopes every query to the caller's tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schools.domain.documents.models import DocumentVersion, ManagementDocument, SystemKind


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, document_id: uuid.UUID, *, for_update: bool = False) -> ManagementDocument | None:
        query = select(ManagementDocument).where(ManagementDocument.id == document_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def find(self, *, school_id: uuid.UUID | None, kind: SystemKind | None) -> list[ManagementDocument]:
        query = select(ManagementDocument).order_by(
            ManagementDocument.school_id, ManagementDocument.kind, ManagementDocument.title
        )
        if school_id is not None:
            query = query.where(ManagementDocument.school_id == school_id)
        if kind is not None:
            query = query.where(ManagementDocument.kind == kind)
        return list((await self.session.execute(query)).scalars())

    async def title_taken(self, school_id: uuid.UUID, kind: SystemKind, title: str) -> bool:
        query = select(ManagementDocument.id).where(
            ManagementDocument.school_id == school_id,
            ManagementDocument.kind == kind,
            ManagementDocument.title == title,
        )
        return (await self.session.execute(query)).first() is not None

    def add(self, row: ManagementDocument | DocumentVersion) -> None:
        self.session.add(row)
