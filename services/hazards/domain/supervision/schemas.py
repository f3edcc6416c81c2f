from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from hazards.domain.hazards.models import Status
from hazards.vocabulary import Category, Severity


class SupervisedHazard(msgspec.Struct):
    """One row of the county's supervision list."""

    hazard_id: uuid.UUID
    school_id: uuid.UUID
    school_name: str
    number: str
    title: str
    category: Category
    severity: Severity
    status: Status
    official: str
    listed_at: dt.datetime
    listed_by: str
    #: The bureau's deadline for resolving it.
    listing_deadline: dt.date | None
    #: The school's rectification deadline.
    rectification_deadline: dt.date | None
    listing_overdue: bool
    responsible_name: str


class SupervisionList(msgspec.Struct):
    items: list[SupervisedHazard]
    total: int
    overdue: int
