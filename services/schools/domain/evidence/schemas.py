"""API shapes of evidence files."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class EvidenceFile(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_name: str
    created_at: dt.datetime


class FileRef(msgspec.Struct):
    """A file as another record shows it (download: ``GET /files/{id}/content``)."""

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
