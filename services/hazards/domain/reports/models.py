from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base, new_id, str_enum
from hazards.vocabulary import Area, Category


class ReportLink(Base):
    """A school's public reporting link (printed as a QR code). Knowing the token is the only way in; a
    rotated link stops working. Readable without a tenant only by its exact token (see the migration)."""

    __tablename__ = "report_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PublicReportStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class PublicReport(Base):
    """An anonymous report from the public link, waiting in the school's review queue."""

    __tablename__ = "public_reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report_links.id"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    area: Mapped[Area | None] = mapped_column(str_enum(Area, "area"), nullable=True)
    location_text: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    #: Optional, given by the reporter if they want to be called back.
    contact: Mapped[str] = mapped_column(String(100), default="")
    #: A keyed hash of the sender's address: enough to spot a flood, useless to identify anyone.
    client_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[PublicReportStatus] = mapped_column(str_enum(PublicReportStatus, "public_report_status"))
    spam: Mapped[bool] = mapped_column(default=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_by_name: Mapped[str] = mapped_column(String(120), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    hazard_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazards.id"), nullable=True)


class ThrottleWindow(Base):
    """Hits per rate-limit bucket and time window (a system table: buckets are keyed hashes, no tenant data)."""

    __tablename__ = "report_throttle"

    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class ChannelSecret(Base):
    """The per-deployment key that client addresses are hashed with (created by the migration)."""

    __tablename__ = "report_channel_secret"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
