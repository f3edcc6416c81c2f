from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from hazards.domain.patrols.models import PatrolKind, PatrolStatus
from hazards.vocabulary import Area


class PatrolCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: PatrolKind
    title: Annotated[str, Meta(min_length=2, max_length=200)]
    #: An investigation covers every area; a daily patrol names the areas it covers.
    areas: list[Area] | None = None
    campaign_id: uuid.UUID | None = None


class SignOffCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The inspector (the caller) signs an area off with what they found."""

    area: Area
    findings: Annotated[str, Meta(min_length=1, max_length=4000)]


class Submission(msgspec.Struct, forbid_unknown_fields=True):
    summary: Annotated[str, Meta(min_length=2, max_length=8000)]


class AreaState(msgspec.Struct):
    area: Area
    signed_off: bool
    inspector_id: str | None
    inspector_name: str | None
    findings: str | None
    signed_at: dt.datetime | None
    hazards_found: int


class Patrol(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    kind: PatrolKind
    title: str
    campaign_id: uuid.UUID | None
    status: PatrolStatus
    started_by: str
    summary: str
    submitted_by: str | None
    submitted_at: dt.datetime | None
    areas: list[AreaState]
    hazards_found: int
    created_at: dt.datetime


class PatrolSummary(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    kind: PatrolKind
    title: str
    status: PatrolStatus
    areas_total: int
    areas_signed_off: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None


class PatrolPage(msgspec.Struct):
    items: list[PatrolSummary]
    total: int
    limit: int
    offset: int
