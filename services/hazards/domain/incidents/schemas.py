from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from hazards.vocabulary import IncidentKind

Place = Annotated[str, Meta(min_length=1, max_length=300)]
Text = Annotated[str, Meta(max_length=8000)]
People = Annotated[int, Meta(ge=0, le=100_000)]
PoliceReference = Annotated[str, Meta(max_length=100)]


class IncidentCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: IncidentKind
    occurred_at: dt.datetime
    place: Place
    description: Annotated[str, Meta(min_length=2, max_length=8000)]
    people_affected: People = 0
    actions_taken: Text = ""
    reported_to_police: bool = False
    police_reference: PoliceReference = ""


class IncidentUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    kind: IncidentKind | UnsetType = UNSET
    occurred_at: dt.datetime | UnsetType = UNSET
    place: Place | UnsetType = UNSET
    description: Annotated[str, Meta(min_length=2, max_length=8000)] | UnsetType = UNSET
    people_affected: People | UnsetType = UNSET
    actions_taken: Text | UnsetType = UNSET
    reported_to_police: bool | UnsetType = UNSET
    police_reference: PoliceReference | UnsetType = UNSET


class Incident(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    kind: IncidentKind
    occurred_at: dt.datetime
    place: str
    people_affected: int
    description: str
    actions_taken: str
    reported_to_police: bool
    police_reference: str
    reported_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class IncidentPage(msgspec.Struct):
    items: list[Incident]
    total: int
    limit: int
    offset: int


class MonthCount(msgspec.Struct):
    month: str
    count: int


class IncidentStatistics(msgspec.Struct):
    """Counts by kind and the monthly trend, for a school or (the bureau) the whole county."""

    total: int
    by_kind: dict[str, int]
    people_affected: int
    reported_to_police: int
    trend: list[MonthCount]
