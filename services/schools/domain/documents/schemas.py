"""API shapes of the management-system register."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from schools.domain.documents.models import SystemKind
from schools.domain.evidence.schemas import FileRef

Title = Annotated[str, Meta(min_length=2, max_length=200)]
Approver = Annotated[str, Meta(min_length=1, max_length=120)]
ChangeNote = Annotated[str, Meta(max_length=2_000)]


class VersionInput(msgspec.Struct, forbid_unknown_fields=True):
    """A version of the document: the approved text (``file_id``), who approved it and when it takes effect."""

    file_id: uuid.UUID
    effective_on: dt.date
    approved_by: Approver
    approved_on: dt.date
    change_note: ChangeNote = ""


class DocumentCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: SystemKind
    title: Title
    version: VersionInput


class DocumentState(enum.StrEnum):
    #: A version is in force today.
    IN_FORCE = "in_force"
    #: Versions exist, but none has taken effect yet.
    PENDING = "pending"


class Version(msgspec.Struct):
    version: int
    file: FileRef
    effective_on: dt.date
    approved_by: str
    approved_on: dt.date
    change_note: str
    recorded_by_name: str
    created_at: dt.datetime


class Document(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    kind: SystemKind
    title: str
    state: DocumentState
    #: The version in force today (the latest one whose effective date has come).
    in_force: Version | None
    latest_version: int
    versions: list[Version]
    updated_at: dt.datetime
