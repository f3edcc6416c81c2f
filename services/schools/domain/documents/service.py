"""The register of management systems: each document keeps every version with its effective date and
approver; the version in force is the latest one whose effective date has come. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit import name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from schools.domain.campaigns.calendar import Clock, local_date, system_clock
from schools.domain.documents import schemas
from schools.domain.documents.models import DocumentVersion, ManagementDocument, SystemKind
from schools.domain.documents.repository import DocumentRepository
from schools.domain.evidence.repository import EvidenceRepository
from schools.domain.evidence.schemas import FileRef
from schools.domain.evidence.service import EvidenceService
from tenants import TenantContext


def in_force(document: ManagementDocument, today: dt.date) -> DocumentVersion | None:
    """The latest version (by number) that has taken effect by ``today``."""
    effective = [v for v in document.versions if v.effective_on <= today]
    return max(effective, key=lambda v: v.version) if effective else None


class DocumentService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = DocumentRepository(session)
        self.files = EvidenceService(session, tenant)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    async def get(self, document_id: uuid.UUID, *, for_update: bool = False) -> ManagementDocument:
        document = await self.repository.get(document_id, for_update=for_update)
        if document is None:
            raise NotFoundError("document not found")
        return document

    async def documents(
        self, *, school_id: uuid.UUID | None, kind: SystemKind | None
    ) -> list[schemas.Document]:
        return await self.views(await self.repository.find(school_id=school_id, kind=kind))

    async def create(self, data: schemas.DocumentCreate) -> ManagementDocument:
        """Register a management system with its first version (principal of the school)."""
        assert self.tenant.school_id is not None  # school roles only (route guard)
        if await self.repository.title_taken(self.tenant.school_id, data.kind, data.title):
            raise ConflictError(
                "the school already has this document; add a version to it",
                errors=[{"key": "title", "message": "already registered"}],
            )
        document = ManagementDocument(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            kind=data.kind,
            title=data.title,
            latest_version=0,
        )
        self.repository.add(document)
        await self.session.flush()
        await self._add_version(document, data.version, key="version")
        await self.session.refresh(document, ["versions", "updated_at"])
        return document

    async def add_version(self, document_id: uuid.UUID, data: schemas.VersionInput) -> ManagementDocument:
        """A new version (a revision, or a correction): versions are never changed once recorded."""
        document = await self.get(document_id, for_update=True)
        await self._add_version(document, data, key="")
        await self.session.refresh(document, ["versions", "updated_at"])
        return document

    async def _add_version(self, document: ManagementDocument, data: schemas.VersionInput, key: str) -> None:
        prefix = f"{key}." if key else ""
        if data.approved_on > self.today:
            raise InvalidInputError(
                "the approval date is in the future",
                errors=[{"key": f"{prefix}approved_on", "message": "in the future"}],
            )
        if data.effective_on < data.approved_on:
            raise InvalidInputError(
                "a version takes effect on or after its approval",
                errors=[{"key": f"{prefix}effective_on", "message": "before the approval date"}],
            )
        file = await self.files.require(data.file_id, key=f"{prefix}file_id", school_id=document.school_id)
        document.latest_version += 1
        name_action(document, "management_document.add_version")
        self.repository.add(
            DocumentVersion(
                id=uuid.uuid4(),
                county_id=document.county_id,
                school_id=document.school_id,
                document_id=document.id,
                version=document.latest_version,
                file_id=file.id,
                effective_on=data.effective_on,
                approved_by=data.approved_by,
                approved_on=data.approved_on,
                change_note=data.change_note,
                recorded_by=self.tenant.user_id,
                recorded_by_name=self.tenant.username,
            )
        )
        await self.session.flush()

    async def views(self, documents: list[ManagementDocument]) -> list[schemas.Document]:
        files = await EvidenceRepository(self.session).many(v.file_id for d in documents for v in d.versions)
        today = self.today

        def version(v: DocumentVersion) -> schemas.Version:
            file = files[v.file_id]
            return schemas.Version(
                version=v.version,
                file=FileRef(
                    id=file.id, filename=file.filename, content_type=file.content_type, size=file.size
                ),
                effective_on=v.effective_on,
                approved_by=v.approved_by,
                approved_on=v.approved_on,
                change_note=v.change_note,
                recorded_by_name=v.recorded_by_name,
                created_at=v.created_at,
            )

        views = []
        for document in documents:
            current = in_force(document, today)
            views.append(
                schemas.Document(
                    id=document.id,
                    school_id=document.school_id,
                    kind=document.kind,
                    title=document.title,
                    state=schemas.DocumentState.IN_FORCE if current else schemas.DocumentState.PENDING,
                    in_force=version(current) if current else None,
                    latest_version=document.latest_version,
                    versions=[version(v) for v in document.versions],
                    updated_at=document.updated_at,
                )
            )
        return views

    async def view(self, document: ManagementDocument) -> schemas.Document:
        return (await self.views([document]))[0]
