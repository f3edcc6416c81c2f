"""API shapes of school profiles and gates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.school_profiles.models import GateKind, Peak

Weekday = Annotated[int, Meta(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
GateName = Annotated[str, Meta(min_length=1, max_length=80)]


class PeakWindow(msgspec.Struct, forbid_unknown_fields=True):
    start: dt.time
    end: dt.time


class SchoolProfile(msgspec.Struct):
    school_id: uuid.UUID
    code: str
    name: str
    boarding: bool
    student_count: int
    active: bool
    #: False until the schools service's facts about the school have arrived.
    synced: bool
    school_weekdays: list[int]
    boarding_nights: list[int]
    duty_peaks: list[Peak]
    peak_times: dict[Peak, PeakWindow]


class SchoolProfileUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH: the school's own duty calendar. The facts (students, boarding) belong to the schools service."""

    school_weekdays: Annotated[list[Weekday], Meta(max_length=7)] | UnsetType = UNSET
    boarding_nights: Annotated[list[Weekday], Meta(max_length=7)] | UnsetType = UNSET
    duty_peaks: Annotated[list[Peak], Meta(max_length=3)] | UnsetType = UNSET
    peak_times: dict[Peak, PeakWindow] | UnsetType = UNSET


class Gate(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: GateKind
    active: bool


class GateCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: GateName
    kind: GateKind = GateKind.MAIN


class GateUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: GateName | UnsetType = UNSET
    kind: GateKind | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class SchoolFacts(msgspec.Struct):
    """What the schools service tells about a school (the payload of its school events)."""

    id: uuid.UUID
    county_id: uuid.UUID
    code: str
    name: str
    boarding: bool
    student_count: int
    status: str = "active"
