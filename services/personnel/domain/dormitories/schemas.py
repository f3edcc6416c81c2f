"""API shapes of dormitories and night inspections."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.dormitories.models import Finding, Occupants

Name = Annotated[str, Meta(min_length=1, max_length=80)]
HeadCount = Annotated[int, Meta(ge=0, le=5000)]


class Dormitory(msgspec.Struct):
    id: uuid.UUID
    name: str
    occupants: Occupants
    #: Female (or mixed) dormitory: flagged, and listed and inspected first.
    priority: bool
    roster_count: int
    supervisor_staff_id: uuid.UUID | None
    active: bool


class DormitoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    occupants: Occupants
    roster_count: HeadCount = 0
    supervisor_staff_id: uuid.UUID | None = None


class DormitoryUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | UnsetType = UNSET
    occupants: Occupants | UnsetType = UNSET
    roster_count: HeadCount | UnsetType = UNSET
    supervisor_staff_id: uuid.UUID | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class InspectionCreate(msgspec.Struct, forbid_unknown_fields=True):
    present_count: HeadCount
    absent_with_leave: HeadCount = 0
    findings: Annotated[list[Finding], Meta(max_length=7)] = []
    notes: Annotated[str, Meta(max_length=2000)] = ""


class NightInspection(msgspec.Struct):
    id: uuid.UUID
    dormitory_id: uuid.UUID
    dormitory_name: str
    priority: bool
    night: dt.date
    inspected_at: dt.datetime
    inspector_staff_id: uuid.UUID
    inspector_name: str
    expected_count: int
    present_count: int
    absent_with_leave: int
    unexplained_absences: int
    findings: list[Finding]
    notes: str
    has_issues: bool


class DormitoryNight(msgspec.Struct):
    """One dormitory on one night: the night-round checklist."""

    dormitory: Dormitory
    required: bool
    inspections: list[NightInspection]


class NightChecklist(msgspec.Struct):
    night: dt.date
    dormitories: list[DormitoryNight]
    #: Required dormitories not inspected yet, female first.
    outstanding: list[uuid.UUID]


class MissedNight(msgspec.Struct):
    dormitory_id: uuid.UUID
    dormitory_name: str
    priority: bool
    night: dt.date
    flagged_at: dt.datetime


class NightCoverage(msgspec.Struct):
    """Dormitory-nights that needed an inspection (past boarding nights of active dormitories) and how
    many had one; female and mixed dormitories separately."""

    start: dt.date
    end: dt.date
    required: int
    inspected: int
    coverage_rate: float | None
    priority_required: int
    priority_inspected: int
    priority_coverage_rate: float | None
    inspections_with_issues: int
