"""API shapes of the county standard, the security team and staffing compliance."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.security_team.models import TeamRole
from personnel.domain.staff.models import StaffRole, StaffStatus

Count = Annotated[int, Meta(ge=0, le=100)]
Certificate = Annotated[str, Meta(max_length=40)]


class Standard(msgspec.Struct):
    students_per_guard: int
    min_guards_per_school: int
    min_guards_per_gate: int
    night_guards_boarding: int
    visitor_id_retention_days: int
    #: False while the county uses the defaults.
    customised: bool


class StandardUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PUT: the whole standard."""

    students_per_guard: Annotated[int, Meta(ge=50, le=10_000)]
    min_guards_per_school: Count
    min_guards_per_gate: Count
    night_guards_boarding: Count
    visitor_id_retention_days: Annotated[int, Meta(ge=1, le=3650)]


class TeamMember(msgspec.Struct):
    id: uuid.UUID
    staff_id: uuid.UUID
    name: str
    staff_role: StaffRole
    staff_status: StaffStatus
    phone: str
    team_role: TeamRole
    night_shift: bool
    certificate_no: str
    joined_on: dt.date


class TeamMemberCreate(msgspec.Struct, forbid_unknown_fields=True):
    staff_id: uuid.UUID
    team_role: TeamRole = TeamRole.MEMBER
    night_shift: bool = False
    certificate_no: Certificate = ""
    joined_on: dt.date | None = None


class TeamMemberUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    team_role: TeamRole | UnsetType = UNSET
    night_shift: bool | UnsetType = UNSET
    certificate_no: Certificate | UnsetType = UNSET


class Requirement(msgspec.Struct):
    """One rule of the county standard as it applies to this school."""

    rule: str
    required: int
    actual: int
    missing: int
    description: str


class StaffingCompliance(msgspec.Struct):
    school_id: uuid.UUID
    school_name: str
    student_count: int
    boarding: bool
    active_gates: int
    guards: int
    night_guards: int
    team_size: int
    compliant: bool
    requirements: list[Requirement]
    #: The unmet rules, in words (empty when compliant).
    missing: list[str]
