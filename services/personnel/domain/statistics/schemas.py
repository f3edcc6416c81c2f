"""API and event shapes of the personnel statistics that feed the evaluation."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from personnel.domain.dormitories.schemas import NightCoverage


class StaffingFigures(msgspec.Struct):
    compliant: bool
    guards: int
    night_guards: int
    #: People missing over all rules of the county standard.
    missing: int
    unmet_rules: list[str]


class DutyFigures(msgspec.Struct):
    required_slots: int
    covered_slots: int
    coverage_rate: float | None
    shifts_attended: int
    shifts_missed: int
    attendance_rate: float | None


class VisitorFigures(msgspec.Struct):
    registered: int
    refused: int
    admitted: int
    vehicles_refused: int


class TrainingFigures(msgspec.Struct):
    sessions: int
    hours: float
    participant_hours: float


class SchoolStatistics(msgspec.Struct):
    school_id: uuid.UUID
    school_name: str
    start: dt.date
    end: dt.date
    staffing: StaffingFigures
    duty: DutyFigures
    visitors: VisitorFigures
    night_inspections: NightCoverage
    training: TrainingFigures
