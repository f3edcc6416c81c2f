from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import Timestamped, new_id, str_enum


class SelfAssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SelfAssessment(Timestamped, Base):
    """A school's own scoring against its campaign's rubric, done before the inspection. Inspectors of the
    school read it (and its evidence) during their window."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("campaign_id", "school_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"))
    status: Mapped[SelfAssessmentStatus] = mapped_column(
        str_enum(SelfAssessmentStatus, "self_assessment_status")
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class SelfAssessmentEntry(Base):
    __tablename__ = "self_assessment_entries"
    __table_args__ = (UniqueConstraint("self_assessment_id", "item_code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    self_assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("self_assessments.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    points: Mapped[float | None] = mapped_column(Float, nullable=True)
    triggered: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SelfAssessmentEvidence(Base):
    """A file (photo or PDF) the school attaches to one item of its self-assessment. The bytes are in the
    file store under ``storage_key``."""

    __tablename__ = "self_assessment_evidence"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    self_assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("self_assessments.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
