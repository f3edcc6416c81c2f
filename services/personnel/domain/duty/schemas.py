"""API shapes of gate duty."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from personnel.domain.duty.models import ShiftStatus
from personnel.domain.school_profiles.models import Peak
from personnel.domain.staff.models import StaffRole


class DutyShift(msgspec.Struct):
    id: uuid.UUID
    date: dt.date
    peak: Peak
    gate_id: uuid.UUID
    gate_name: str
    staff_id: uuid.UUID
    staff_name: str
    staff_role: StaffRole
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: ShiftStatus
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    late_minutes: int


class ShiftPlan(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date
    peak: Peak
    gate_id: uuid.UUID
    staff_id: uuid.UUID
    #: Local times overriding the school's peak window (a special event).
    start_time: dt.time | None = None
    end_time: dt.time | None = None


class RosterCreate(msgspec.Struct, forbid_unknown_fields=True):
    shifts: Annotated[list[ShiftPlan], Meta(min_length=1, max_length=500)]


class Slot(msgspec.Struct):
    date: dt.date
    peak: Peak
    gate_id: uuid.UUID
    gate_name: str
    #: Somebody was rostered for it (and did not come).
    planned: bool


class Coverage(msgspec.Struct):
    """Gate duty of one school over a period: every (school day, peak, active gate) slot that has ended."""

    school_id: uuid.UUID
    start: dt.date
    end: dt.date
    required_slots: int
    planned_slots: int
    covered_slots: int
    #: covered / required; ``None`` when nothing was required.
    coverage_rate: float | None
    upcoming_slots: int
    shifts_attended: int
    shifts_missed: int
    late_check_ins: int
    #: attended / (attended + missed); ``None`` when no shift has ended.
    attendance_rate: float | None
    uncovered: list[Slot]
