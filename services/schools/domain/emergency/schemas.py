"""API shapes of emergency plans and drills."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schools.domain.emergency.models import PlanKind
from schools.domain.evidence.schemas import FileRef

Title = Annotated[str, Meta(min_length=2, max_length=200)]
PersonName = Annotated[str, Meta(min_length=1, max_length=80)]
LongText = Annotated[str, Meta(max_length=20_000)]


class PlanCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: PlanKind
    title: Title
    responsible_name: PersonName
    approved_on: dt.date | None = None
    file_id: uuid.UUID | None = None
    summary: LongText = ""


class PlanUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    title: Title | UnsetType = UNSET
    responsible_name: PersonName | UnsetType = UNSET
    approved_on: dt.date | UnsetType | None = UNSET
    file_id: uuid.UUID | UnsetType | None = UNSET
    summary: LongText | UnsetType = UNSET


class DrillCreate(msgspec.Struct, forbid_unknown_fields=True):
    held_on: dt.date
    scenario: Annotated[str, Meta(min_length=2, max_length=5_000)]
    participants: Annotated[int, Meta(ge=1, le=100_000)]
    participant_groups: Annotated[str, Meta(max_length=300)] = ""
    #: From the alarm until everybody is at the assembly point.
    evacuation_seconds: Annotated[int, Meta(ge=1, le=36_000)] | None = None
    findings: LongText = ""
    photo_ids: Annotated[list[uuid.UUID], Meta(max_length=20)] = msgspec.field(default_factory=list)


class Drill(msgspec.Struct):
    id: uuid.UUID
    plan_id: uuid.UUID
    held_on: dt.date
    scenario: str
    participants: int
    participant_groups: str
    evacuation_seconds: int | None
    findings: str
    photos: list[FileRef]
    recorded_by_name: str
    created_at: dt.datetime


class Plan(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    kind: PlanKind
    title: str
    responsible_name: str
    approved_on: dt.date | None
    file: FileRef | None
    summary: str
    #: The school term of today (``2026-autumn``) and whether the plan was drilled in it.
    term: str
    drilled_this_term: bool
    #: Set when the plan was not drilled this term (shown as a flag to the school and the bureau).
    flag: str | None
    last_drill_on: dt.date | None
    drill_count: int
    updated_at: dt.datetime


class PlanDetail(Plan, kw_only=True):
    drills: list[Drill]
