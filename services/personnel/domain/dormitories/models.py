"""Dormitory buildings and their night inspections; a night without an inspection is flagged."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum

#: A night runs from noon to noon (local): an inspection at 02:00 belongs to the night before.
NIGHT_STARTS = dt.timedelta(hours=12)


def night_of(moment: dt.datetime, timezone: dt.tzinfo) -> dt.date:
    return (moment.astimezone(timezone) - NIGHT_STARTS).date()


class Occupants(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    MIXED = "mixed"  # separate floors or wings


class Finding(enum.StrEnum):
    UNEXPLAINED_ABSENCE = "unexplained_absence"
    UNAUTHORISED_PERSON = "unauthorised_person"
    DOOR_UNLOCKED = "door_unlocked"
    FIRE_HAZARD = "fire_hazard"
    ELECTRICAL_HAZARD = "electrical_hazard"
    STUDENT_UNWELL = "student_unwell"
    OTHER = "other"


class Dormitory(SchoolOwned, Timestamped, Base):
    __tablename__ = "dormitories"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    name: Mapped[str] = mapped_column(String(80))
    occupants: Mapped[Occupants] = mapped_column(str_enum(Occupants, "occupants"))
    #: Boarders assigned to the building (the head count an inspection is compared with).
    roster_count: Mapped[int] = mapped_column(Integer, default=0)
    supervisor_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def houses_girls(self) -> bool:
        """Female dormitories (and mixed ones) are flagged and inspected first."""
        return self.occupants in (Occupants.FEMALE, Occupants.MIXED)


class NightInspection(SchoolOwned, Timestamped, Base):
    __tablename__ = "night_inspections"

    dormitory_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("dormitories.id"))
    night: Mapped[dt.date] = mapped_column(Date)
    inspected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    inspector_staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    #: The dormitory's roster at the time of the inspection.
    expected_count: Mapped[int] = mapped_column(Integer)
    present_count: Mapped[int] = mapped_column(Integer)
    #: Absent with permission (leave, hospital); the rest of the absentees are unexplained.
    absent_with_leave: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    notes: Mapped[str] = mapped_column(Text, default="")

    @property
    def unexplained_absences(self) -> int:
        return max(0, self.expected_count - self.present_count - self.absent_with_leave)


class MissedNightInspection(SchoolOwned, Base):
    __tablename__ = "missed_night_inspections"
    __table_args__ = (UniqueConstraint("dormitory_id", "night"),)

    dormitory_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("dormitories.id"))
    night: Mapped[dt.date] = mapped_column(Date)
    flagged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
