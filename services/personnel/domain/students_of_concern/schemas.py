"""API shapes of students of concern."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.students_of_concern.models import ConcernCategory, ConcernStatus

Interval = Annotated[int, Meta(ge=1, le=365)]
LongText = Annotated[str, Meta(max_length=5000)]


class StudentOfConcern(msgspec.Struct):
    id: uuid.UUID
    student_name: str
    class_name: str
    category: ConcernCategory
    description: str
    care_plan: str
    responsible_staff_id: uuid.UUID
    review_interval_days: int
    next_review_on: dt.date
    status: ConcernStatus
    closed_reason: str
    created_at: dt.datetime


class ConcernCreate(msgspec.Struct, forbid_unknown_fields=True):
    student_name: Annotated[str, Meta(min_length=1, max_length=80)]
    category: ConcernCategory
    responsible_staff_id: uuid.UUID
    class_name: Annotated[str, Meta(max_length=40)] = ""
    description: LongText = ""
    care_plan: LongText = ""
    review_interval_days: Interval = 30
    next_review_on: dt.date | None = None


class ConcernUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH. The responsible teacher may change the care plan only; the principal everything."""

    care_plan: LongText | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    category: ConcernCategory | UnsetType = UNSET
    class_name: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    responsible_staff_id: uuid.UUID | UnsetType = UNSET
    review_interval_days: Interval | UnsetType = UNSET
    next_review_on: dt.date | UnsetType = UNSET


class ReviewCreate(msgspec.Struct, forbid_unknown_fields=True):
    notes: Annotated[str, Meta(min_length=2, max_length=5000)]
    #: Default: today plus the record's review interval.
    next_review_on: dt.date | None = None


class Review(msgspec.Struct):
    id: uuid.UUID
    reviewed_on: dt.date
    notes: str
    reviewer_name: str
    next_review_on: dt.date


class Closure(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=2, max_length=500)]


class CategoryCount(msgspec.Struct):
    category: ConcernCategory
    active: int
    closed: int


class SchoolCounts(msgspec.Struct):
    """All the bureau ever learns about students of concern: how many, per category."""

    school_id: uuid.UUID
    categories: list[CategoryCount]
    active_total: int
