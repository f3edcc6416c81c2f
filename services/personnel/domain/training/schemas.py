"""API shapes of training sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.training.models import Audience, Topic

Title = Annotated[str, Meta(min_length=2, max_length=200)]
Minutes = Annotated[int, Meta(ge=5, le=24 * 60)]
Participants = Annotated[int, Meta(ge=1, le=100_000)]


class Material(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    url: Annotated[str, Meta(max_length=2000, pattern=r"^(https?://\S+)?$")] = ""


Audiences = Annotated[list[Audience], Meta(min_length=1, max_length=4)]
Materials = Annotated[list[Material], Meta(max_length=20)]
StaffIds = Annotated[list[uuid.UUID], Meta(max_length=500)]


class TrainingSession(msgspec.Struct):
    id: uuid.UUID
    topic: Topic
    title: str
    held_on: dt.date
    duration_minutes: int
    audience: list[Audience]
    participant_count: int
    staff_participant_ids: list[uuid.UUID]
    trainer: str
    materials: list[Material]
    notes: str


class TrainingCreate(msgspec.Struct, forbid_unknown_fields=True):
    topic: Topic
    title: Title
    held_on: dt.date
    duration_minutes: Minutes
    audience: Audiences
    participant_count: Participants
    staff_participant_ids: StaffIds = []
    trainer: Annotated[str, Meta(max_length=120)] = ""
    materials: Materials = []
    notes: Annotated[str, Meta(max_length=5000)] = ""


class TrainingUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    topic: Topic | UnsetType = UNSET
    title: Title | UnsetType = UNSET
    held_on: dt.date | UnsetType = UNSET
    duration_minutes: Minutes | UnsetType = UNSET
    audience: Audiences | UnsetType = UNSET
    participant_count: Participants | UnsetType = UNSET
    staff_participant_ids: StaffIds | UnsetType = UNSET
    trainer: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET
    materials: Materials | UnsetType = UNSET
    notes: Annotated[str, Meta(max_length=5000)] | UnsetType = UNSET


class TrainingSummary(msgspec.Struct):
    start: dt.date
    end: dt.date
    sessions: int
    #: Sum of the sessions' durations.
    hours: float
    #: Sum over sessions of duration × participants.
    participant_hours: float
    by_topic: dict[Topic, int]
