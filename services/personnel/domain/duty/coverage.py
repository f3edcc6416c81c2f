"""Gate-duty coverage over a period, from the school's calendar, its gates and the shifts. Pure.

A *slot* is one (school day, duty peak, active gate). It is required once its peak has ended, covered
when at least one rostered person checked in for it, and planned when anybody was rostered at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from personnel.domain.duty import schemas
from personnel.domain.duty.models import ATTENDED, ShiftStatus
from personnel.domain.school_profiles.models import Peak


@dataclass(frozen=True, slots=True)
class Calendar:
    school_weekdays: frozenset[int]
    peaks: tuple[Peak, ...]
    windows: dict[Peak, tuple[dt.time, dt.time]]
    timezone: dt.tzinfo


@dataclass(frozen=True, slots=True)
class GateRef:
    id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class ShiftRef:
    on_date: dt.date
    peak: Peak
    gate_id: uuid.UUID
    ends_at: dt.datetime
    status: ShiftStatus
    late_minutes: int = 0


def days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(
    school_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    calendar: Calendar,
    gates: Sequence[GateRef],
    shifts: Sequence[ShiftRef],
    now: dt.datetime,
) -> schemas.Coverage:
    attended_slots = {(s.on_date, s.peak, s.gate_id) for s in shifts if s.status in ATTENDED}
    planned = {(s.on_date, s.peak, s.gate_id) for s in shifts}
    required = covered = upcoming = planned_count = 0
    uncovered: list[schemas.Slot] = []
    for day in days(start, end):
        if day.weekday() not in calendar.school_weekdays:
            continue
        for peak in calendar.peaks:
            ends = dt.datetime.combine(day, calendar.windows[peak][1], tzinfo=calendar.timezone)
            for gate in gates:
                if ends > now:
                    upcoming += 1
                    continue
                key = (day, peak, gate.id)
                required += 1
                planned_count += key in planned
                if key in attended_slots:
                    covered += 1
                else:
                    uncovered.append(
                        schemas.Slot(
                            date=day, peak=peak, gate_id=gate.id, gate_name=gate.name, planned=key in planned
                        )
                    )
    ended = [s for s in shifts if s.ends_at <= now]
    attended = sum(1 for s in ended if s.status in ATTENDED)
    missed = len(ended) - attended
    return schemas.Coverage(
        school_id=school_id,
        start=start,
        end=end,
        required_slots=required,
        planned_slots=planned_count,
        covered_slots=covered,
        coverage_rate=rate(covered, required),
        upcoming_slots=upcoming,
        shifts_attended=attended,
        shifts_missed=missed,
        late_check_ins=sum(1 for s in ended if s.status in ATTENDED and s.late_minutes > 0),
        attendance_rate=rate(attended, attended + missed),
        uncovered=uncovered,
    )
