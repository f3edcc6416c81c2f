"""Safety education and training sessions of a school."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class Topic(enum.StrEnum):
    FIRE = "fire"
    TRAFFIC = "traffic"
    DROWNING = "drowning"
    FOOD = "food"
    ANTI_BULLYING = "anti_bullying"
    SELF_PROTECTION = "self_protection"
    EARTHQUAKE = "earthquake"
    ELECTRICITY = "electricity"
    MENTAL_HEALTH = "mental_health"
    ANTI_FRAUD = "anti_fraud"
    SECURITY_DUTY = "security_duty"  # guards' and duty staff's training
    OTHER = "other"


class Audience(enum.StrEnum):
    STUDENTS = "students"
    TEACHERS = "teachers"
    GUARDS = "guards"
    PARENTS = "parents"


class TrainingSession(SchoolOwned, Timestamped, Base):
    __tablename__ = "training_sessions"

    topic: Mapped[Topic] = mapped_column(str_enum(Topic, "topic"))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    audience: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    participant_count: Mapped[int] = mapped_column(Integer)
    #: Staff who attended (their training hours), as staff ids.
    staff_participant_ids: Mapped[list[str]] = mapped_column(ARRAY(String(36)), default=list)
    trainer: Mapped[str] = mapped_column(String(120), default="")
    #: ``[{"title": ..., "url": ...}]``: slides, handouts, videos.
    materials: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
