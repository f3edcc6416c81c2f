"""Emergency plans by type and the drills that rehearse them."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ARRAY, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kit.models import str_enum
from schools.models import Base, Timestamped, new_id


class PlanKind(enum.StrEnum):
    FIRE = "fire"
    EARTHQUAKE = "earthquake"
    INTRUDER = "intruder"
    FOOD_POISONING = "food_poisoning"
    STAMPEDE = "stampede"
    FLOOD = "flood"
    TRAFFIC = "traffic"
    EPIDEMIC = "epidemic"
    SEVERE_WEATHER = "severe_weather"
    OTHER = "other"


class EmergencyPlan(Timestamped, Base):
    __tablename__ = "emergency_plans"
    __table_args__ = (UniqueConstraint("school_id", "kind", "title"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind, "plan_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: Who leads the response ("who is in charge is responsible").
    responsible_name: Mapped[str] = mapped_column(String(80))
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")

    drills: Mapped[list[Drill]] = relationship(order_by="Drill.held_on.desc()", lazy="selectin")


class Drill(Base):
    __tablename__ = "drills"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("emergency_plans.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    scenario: Mapped[str] = mapped_column(Text)
    participants: Mapped[int] = mapped_column(Integer)
    participant_groups: Mapped[str] = mapped_column(String(300), default="")
    evacuation_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings: Mapped[str] = mapped_column(Text, default="")
    #: Photos (evidence files of the school, images only).
    photo_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
