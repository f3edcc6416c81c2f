"""Evidence files (photos, PDFs) of score sheets: checked by content, kept in the project's file store
(``kit.storage``); the metadata row lives in the owning feature's table under row-level security, and a
download is served only after that row was read in the caller's context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from litestar import Response

from evaluation import SERVICE
from kit.storage import IMAGE_TYPES, PDF, CheckedFile, FileStore, check_upload, object_key, store_from_env

#: Below the APIs' request body limit (1 MiB): the portal shrinks phone photos before upload.
MAX_FILE_BYTES = 1_000_000
PHOTO_TYPES = IMAGE_TYPES
EVIDENCE_TYPES = IMAGE_TYPES | {PDF}


_store: FileStore | None = None


def file_store() -> FileStore:
    """The process's file store (``kit.storage.store_from_env`` unless :func:`use_file_store` chose one)."""
    global _store
    if _store is None:
        _store = store_from_env()
    return _store


def use_file_store(store: FileStore) -> None:
    """Keep the files in ``store`` (the app factory's ``store=``, tests)."""
    global _store
    _store = store


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: uuid.UUID
    key: str
    checked: CheckedFile


async def store_upload(
    data: bytes, *, county_id: uuid.UUID, school_id: uuid.UUID, allowed: frozenset[str]
) -> StoredFile:
    """Check ``data`` (413 too large, 415 wrong kind, 422 empty) and store it. The caller then writes the
    metadata row; a failed transaction leaves an unreferenced file, never a row without its file."""
    checked = check_upload(data, allowed=allowed, max_bytes=MAX_FILE_BYTES)
    file_id = uuid.uuid4()
    key = object_key(SERVICE, county_id, school_id, file_id, checked.extension)
    await file_store().put(key, checked.data)
    return StoredFile(file_id, key, checked)


async def download(key: str, content_type: str) -> Response[bytes]:
    return Response(
        await file_store().get(key),
        media_type=content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
