"""The register of the school's management systems (security, dormitory, visitor management, ...): each
document keeps every version, with the date it takes effect and who approved it."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kit.models import str_enum
from schools.models import Base, Timestamped, new_id


class SystemKind(enum.StrEnum):
    """The management systems the seed asks for, and those a school usually keeps beside them."""

    SECURITY = "security"
    DORMITORY = "dormitory"
    VISITOR_MANAGEMENT = "visitor_management"
    GATE_DUTY = "gate_duty"
    FIRE_SAFETY = "fire_safety"
    FOOD_SAFETY = "food_safety"
    SAFETY_EDUCATION = "safety_education"
    HAZARD_INVESTIGATION = "hazard_investigation"
    EMERGENCY_MANAGEMENT = "emergency_management"
    ACCOUNTABILITY = "accountability"
    OTHER = "other"


class ManagementDocument(Timestamped, Base):
    __tablename__ = "management_documents"
    __table_args__ = (UniqueConstraint("school_id", "kind", "title"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[SystemKind] = mapped_column(str_enum(SystemKind, "system_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: The highest version number given out (versions are numbered 1, 2, ... per document).
    latest_version: Mapped[int] = mapped_column(Integer, default=0)

    versions: Mapped[list[DocumentVersion]] = relationship(
        order_by="DocumentVersion.version", lazy="selectin"
    )


class DocumentVersion(Base):
    """One version of a management document. Never changed once recorded: a correction is a new version."""

    __tablename__ = "management_document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("management_documents.id"))
    version: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_files.id"))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    change_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
