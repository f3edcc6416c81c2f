"""API shapes of schools (separate from the ORM model)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schools.domain.schools.models import ProvisioningStatus, SchoolKind, SchoolStatus

Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
Name = Annotated[str, Meta(min_length=2, max_length=120)]
PersonName = Annotated[str, Meta(min_length=1, max_length=80)]
Email = Annotated[str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
StudentCount = Annotated[int, Meta(ge=0, le=100_000)]
Address = Annotated[str, Meta(max_length=300)]
Reason = Annotated[str, Meta(min_length=2, max_length=500)]


class SchoolCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name
    kind: SchoolKind
    principal_name: PersonName
    principal_email: Email
    principal_username: Username
    boarding: bool = False
    student_count: StudentCount = 0
    address: Address = ""


class SchoolUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH: only the fields given change. The principal's username is fixed once onboarded."""

    name: Name | UnsetType = UNSET
    kind: SchoolKind | UnsetType = UNSET
    boarding: bool | UnsetType = UNSET
    student_count: StudentCount | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    principal_name: PersonName | UnsetType = UNSET
    principal_email: Email | UnsetType = UNSET


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class Provisioning(msgspec.Struct):
    status: ProvisioningStatus
    error: str
    attempts: int


class School(msgspec.Struct):
    id: uuid.UUID
    county_id: uuid.UUID
    code: str
    name: str
    kind: SchoolKind
    boarding: bool
    student_count: int
    address: str
    principal_name: str
    principal_email: str
    principal_username: str
    status: SchoolStatus
    status_reason: str
    provisioning: Provisioning
    created_at: dt.datetime
    updated_at: dt.datetime


class SchoolPage(msgspec.Struct):
    items: list[School]
    total: int
    limit: int
    offset: int
