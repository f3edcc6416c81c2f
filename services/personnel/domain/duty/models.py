"""Gate duty: who stands at which gate for which daily peak, and whether they came."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from personnel.domain.school_profiles.models import Peak
from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class ShiftStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"  # checked in and out
    MISSED = "missed"  # the peak ended without a check-in (set by the missed-duty job)


ATTENDED = frozenset({ShiftStatus.CHECKED_IN, ShiftStatus.COMPLETED})


class DutyShift(SchoolOwned, Timestamped, Base):
    __tablename__ = "duty_shifts"
    __table_args__ = (UniqueConstraint("staff_id", "on_date", "peak"),)

    gate_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("gates.id"))
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    on_date: Mapped[dt.date] = mapped_column(Date)
    peak: Mapped[Peak] = mapped_column(str_enum(Peak, "peak"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[ShiftStatus] = mapped_column(
        str_enum(ShiftStatus, "shift_status"), default=ShiftStatus.SCHEDULED
    )
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    checked_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    assigned_by: Mapped[str] = mapped_column(String(64), default="")
