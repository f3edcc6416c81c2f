from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ARRAY, DateTime, ForeignKey, String, Text, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.models import Base, Timestamped, new_id, str_enum
from hazards.vocabulary import Area


class PatrolKind(enum.StrEnum):
    #: The campaign's systematic investigation ("check the bottom"): every area, reported to the bureau.
    INVESTIGATION = "investigation"
    #: A routine patrol of some areas.
    DAILY = "daily"


class PatrolStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Patrol(Timestamped, Base):
    __tablename__ = "patrols"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[PatrolKind] = mapped_column(str_enum(PatrolKind, "patrol_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: The school's campaign instance (schools service) this investigation belongs to, when known.
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The areas this patrol must cover (all of them for an investigation).
    areas: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    status: Mapped[PatrolStatus] = mapped_column(str_enum(PatrolStatus, "patrol_status"))
    started_by: Mapped[str] = mapped_column(String(64))
    started_by_name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_by_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    sign_offs: Mapped[list[AreaSignOff]] = relationship(
        back_populates="patrol", order_by="AreaSignOff.signed_at", lazy="selectin"
    )


class AreaSignOff(Base):
    """One area of a patrol inspected and signed off by a named inspector, with the findings."""

    __tablename__ = "area_sign_offs"
    __table_args__ = (UniqueConstraint("patrol_id", "area"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    patrol_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrols.id"))
    area: Mapped[Area] = mapped_column(str_enum(Area, "area"))
    inspector_id: Mapped[str] = mapped_column(String(64))
    inspector_name: Mapped[str] = mapped_column(String(120))
    findings: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    patrol: Mapped[Patrol] = relationship(back_populates="sign_offs")
