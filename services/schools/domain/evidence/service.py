"""Evidence files: uploads checked by content and size, stored through ``kit.storage``, read only through
their metadata row (so only users of the owning tenant ever get the bytes). Never commits."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import InvalidInputError, NotFoundError
from kit.storage import IMAGE_TYPES, OFFICE_TYPES, PDF, FileStore, check_upload, object_key
from schools import SERVICE
from schools.domain.evidence import schemas
from schools.domain.evidence.models import EvidenceFile
from schools.domain.evidence.repository import EvidenceRepository
from tenants import TenantContext

#: What may be uploaded as evidence: photos, PDF and office documents.
ACCEPTED_TYPES = IMAGE_TYPES | {PDF} | OFFICE_TYPES
#: Largest evidence file (a scanned plan or a phone photo fits easily).
MAX_FILE_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_filename(name: str) -> str:
    """The uploaded name for display and download: its last path part, without control or path characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[-200:] or "file"


def to_schema(file: EvidenceFile) -> schemas.EvidenceFile:
    return schemas.EvidenceFile(
        id=file.id,
        school_id=file.school_id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        uploaded_by_name=file.uploaded_by_name,
        created_at=file.created_at,
    )


class EvidenceService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, store: FileStore | None = None) -> None:
        self.session = session
        self.tenant = tenant
        self.store = store
        self.repository = EvidenceRepository(session)

    def _store(self) -> FileStore:
        if self.store is None:
            raise RuntimeError("no file store configured")
        return self.store

    async def upload(self, filename: str, data: bytes) -> EvidenceFile:
        """Check and keep an upload: a school user's file belongs to their school, the bureau's to the county."""
        checked = check_upload(data, allowed=ACCEPTED_TYPES, max_bytes=MAX_FILE_BYTES)
        file_id = uuid.uuid4()
        key = object_key(SERVICE, self.tenant.county_id, self.tenant.school_id, file_id, checked.extension)
        file = EvidenceFile(
            id=file_id,
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            filename=clean_filename(filename),
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            storage_key=key,
            uploaded_by=self.tenant.user_id,
            uploaded_by_name=self.tenant.username,
        )
        self.repository.add(file)
        await self.session.flush()
        # The bytes go last: if they cannot be stored the row rolls back with the request. A commit that
        # fails afterwards leaves unreachable bytes behind, never a row without its bytes.
        await self._store().put(key, checked.data)
        await self.session.refresh(file)
        return file

    async def get(self, file_id: uuid.UUID) -> EvidenceFile:
        file = await self.repository.get(file_id)
        if file is None:
            raise NotFoundError("file not found")
        return file

    async def content(self, file_id: uuid.UUID) -> tuple[EvidenceFile, bytes]:
        file = await self.get(file_id)
        return file, await self._store().get(file.storage_key)

    async def require(
        self,
        file_id: uuid.UUID,
        *,
        key: str,
        allowed: Collection[str] | None = None,
        school_id: uuid.UUID | None = None,
    ) -> EvidenceFile:
        """A file another record is about to point at: it must be one the caller can read, belong to
        ``school_id`` when given (a school's record points at the school's files), and be of ``allowed`` types.
        Otherwise 422 naming ``key``."""
        file = await self.repository.get(file_id)
        if file is None or (school_id is not None and file.school_id != school_id):
            raise InvalidInputError("no such file", errors=[{"key": key, "message": "no such file"}])
        if allowed is not None and file.content_type not in allowed:
            raise InvalidInputError(
                "this file is not of an accepted kind",
                errors=[{"key": key, "message": "accepted: " + ", ".join(sorted(allowed))}],
            )
        return file

    async def require_optional(
        self,
        file_id: uuid.UUID | None,
        *,
        key: str,
        allowed: Collection[str] | None = None,
        school_id: uuid.UUID | None = None,
    ) -> EvidenceFile | None:
        if file_id is None:
            return None
        return await self.require(file_id, key=key, allowed=allowed, school_id=school_id)
