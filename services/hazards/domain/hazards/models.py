from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base, Timestamped, new_id, str_enum
from hazards.vocabulary import Area, Category, Severity, Source


class Status(enum.StrEnum):
    """Where a hazard is in its life cycle (see :mod:`hazards.domain.hazards.lifecycle`)."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    RECTIFYING = "rectifying"
    RECTIFIED = "rectified"
    #: Verified by the school's checker; a major or listed hazard waits here for the bureau's sign-off.
    VERIFIED = "verified"
    CLOSED = "closed"


class PhotoStage(enum.StrEnum):
    BEFORE = "before"
    AFTER = "after"


class Hazard(Timestamped, Base):
    __tablename__ = "hazards"
    __table_args__ = (UniqueConstraint("school_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: Human-readable, per school and year: ``CL01-2026-0007``.
    number: Mapped[str] = mapped_column(String(48))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    area: Mapped[Area] = mapped_column(str_enum(Area, "area"))
    location_text: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, "severity"))
    source: Mapped[Source] = mapped_column(str_enum(Source, "source"))
    patrol_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrols.id"), nullable=True)
    status: Mapped[Status] = mapped_column(str_enum(Status, "hazard_status"))
    #: The reason given with the last transition (rejection, reopening, ...); the history keeps them all.
    status_reason: Mapped[str] = mapped_column(Text, default="")

    reported_by: Mapped[str] = mapped_column(String(64))
    reported_by_name: Mapped[str] = mapped_column(String(120))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # rectification
    responsible_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    responsible_name: Mapped[str] = mapped_column(String(120), default="")
    checker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    checker_name: Mapped[str] = mapped_column(String(120), default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    containment: Mapped[str] = mapped_column(Text, default="")
    rectified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rectified_by_name: Mapped[str] = mapped_column(String(120), default="")
    rectified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rectification_note: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verified_by_name: Mapped[str] = mapped_column(String(120), default="")
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    signed_off_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_off_by_name: Mapped[str] = mapped_column(String(120), default="")
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    # listing supervision by the bureau
    listed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    listed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    listed_by_name: Mapped[str] = mapped_column(String(120), default="")
    listed_official: Mapped[str] = mapped_column(String(120), default="")
    listed_deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    listed_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def listed(self) -> bool:
        return self.listed_at is not None

    @property
    def needs_bureau_sign_off(self) -> bool:
        """Major and listed hazards close only with the bureau's sign-off."""
        return self.severity == Severity.MAJOR or self.listed


class HistoryEntry(Base):
    """One change of a hazard: who, when, what and why. Append-only (the app role may not update or delete)."""

    __tablename__ = "hazard_history"
    #: The change it describes is audited on the hazard itself (``hazard.<action>``); no second entry.
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_roles: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class HazardCounter(Base):
    """The last number given out per school and year (numbers are gap-free and never reused)."""

    __tablename__ = "hazard_counters"

    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Photo(Base):
    """A photo's metadata; its bytes are in the file store under ``storage_key``. Served only through this
    row, so another tenant's photo answers 404."""

    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazards.id"), nullable=True, index=True)
    public_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("public_reports.id"), nullable=True, index=True
    )
    stage: Mapped[PhotoStage] = mapped_column(str_enum(PhotoStage, "photo_stage"))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_by_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
