from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Integer, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from schools.models import Base, new_id


class EvidenceFile(Base):
    """An uploaded file's metadata; its bytes are in the file store under ``storage_key``. Served only
    through this row, so another tenant's file answers 404. A school's files have its ``school_id``; the
    bureau's files are county-level (``school_id`` null, readable by the county's schools)."""

    __tablename__ = "evidence_files"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    #: The uploaded name, cleaned, for display and download only (never part of the storage key).
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_by_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
