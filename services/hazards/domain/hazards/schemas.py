"""What the hazard register's API takes and returns."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from hazards.domain.hazards.models import PhotoStage, Status
from hazards.domain.referrals.schemas import Referral
from hazards.vocabulary import Area, Category, Severity, Source

Title = Annotated[str, Meta(min_length=2, max_length=200)]
LongText = Annotated[str, Meta(max_length=4000)]
Place = Annotated[str, Meta(max_length=300)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
PersonId = Annotated[str, Meta(min_length=1, max_length=64)]
PersonName = Annotated[str, Meta(min_length=1, max_length=120)]
Reason = Annotated[str, Meta(min_length=2, max_length=1000)]
Note = Annotated[str, Meta(max_length=2000)]
Plan = Annotated[str, Meta(min_length=2, max_length=4000)]


class HazardCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    category: Category
    area: Area
    description: LongText = ""
    location_text: Place = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    severity: Severity = Severity.GENERAL
    #: School staff: investigation, daily_patrol or staff_report; the bureau: bureau_inspection.
    source: Source | None = None
    patrol_id: uuid.UUID | None = None
    #: The bureau names the school; school staff always report for their own school.
    school_id: uuid.UUID | None = None


class QuickReport(msgspec.Struct, forbid_unknown_fields=True):
    """The phone form: what, where, a line of text (and a photo, sent alongside)."""

    category: Category
    area: Area
    place: Place = ""
    note: LongText = ""
    severity: Severity = Severity.GENERAL
    #: A title in the reporter's words; without one it is made from the category and the place.
    title: Title | None = None
    #: The patrol the hazard was found on (an open patrol of the school).
    patrol_id: uuid.UUID | None = None


class HazardUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH: only the fields given change; every change is kept in the history."""

    title: Title | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    area: Area | UnsetType = UNSET
    location_text: Place | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    severity: Severity | UnsetType = UNSET
    reason: Reason | UnsetType = UNSET


class ReasonBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class NoteBody(msgspec.Struct, forbid_unknown_fields=True):
    note: Note = ""


class Assignment(msgspec.Struct, forbid_unknown_fields=True):
    """Start rectification: who fixes it, how, by when, and (optionally) who checks the fix."""

    responsible_name: PersonName
    plan: Plan
    deadline: dt.date
    responsible_id: PersonId | None = None
    checker_id: PersonId | None = None
    checker_name: Annotated[str, Meta(max_length=120)] = ""
    containment: LongText = ""


class Reassignment(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    responsible_name: PersonName | UnsetType = UNSET
    responsible_id: PersonId | UnsetType | None = UNSET
    plan: Plan | UnsetType = UNSET
    deadline: dt.date | UnsetType = UNSET
    checker_id: PersonId | UnsetType | None = UNSET
    checker_name: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET


class Containment(msgspec.Struct, forbid_unknown_fields=True):
    measures: Annotated[str, Meta(min_length=2, max_length=4000)]


class Rectification(msgspec.Struct, forbid_unknown_fields=True):
    """The fix is done: an after-photo (uploaded before this call) or a note is required."""

    note: Note = ""


class Reopening(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    #: A new deadline; without one the old deadline stands.
    deadline: dt.date | None = None


class Listing(msgspec.Struct, forbid_unknown_fields=True):
    """The bureau lists a hazard for supervision ("listing supervision, deadlines to resolve")."""

    official: PersonName
    deadline: dt.date
    note: Note = ""


class Person(msgspec.Struct):
    id: str | None
    name: str


class Assignee(msgspec.Struct):
    """An account of the school to name as responsible person or checker."""

    id: str
    name: str
    roles: list[str]


class PhotoInfo(msgspec.Struct):
    id: uuid.UUID
    stage: PhotoStage
    content_type: str
    size: int
    url: str
    uploaded_by: str
    created_at: dt.datetime


class HistoryItem(msgspec.Struct):
    at: dt.datetime
    actor: Person
    actor_roles: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    details: dict[str, Any]


class ListingInfo(msgspec.Struct):
    listed_at: dt.datetime
    listed_by: str
    official: str
    deadline: dt.date | None
    note: str


class HazardSummary(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    number: str
    title: str
    category: Category
    area: Area
    location_text: str
    severity: Severity
    source: Source
    status: Status
    responsible_name: str
    deadline: dt.date | None
    overdue: bool
    listed: bool
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    updated_at: dt.datetime


class Hazard(msgspec.Struct):
    id: uuid.UUID
    county_id: uuid.UUID
    school_id: uuid.UUID
    school_name: str
    number: str
    title: str
    description: str
    category: Category
    area: Area
    location_text: str
    latitude: float | None
    longitude: float | None
    severity: Severity
    source: Source
    patrol_id: uuid.UUID | None
    status: Status
    status_reason: str
    reported_by: Person
    reported_at: dt.datetime
    responsible: Person | None
    checker: Person | None
    plan: str
    deadline: dt.date | None
    overdue: bool
    containment: str
    rectified_by: Person | None
    rectified_at: dt.datetime | None
    rectification_note: str
    verified_by: Person | None
    verified_at: dt.datetime | None
    signed_off_by: Person | None
    signed_off_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    needs_bureau_sign_off: bool
    listing: ListingInfo | None
    photos: list[PhotoInfo]
    history: list[HistoryItem]
    referrals: list[Referral]
    #: What the caller may do now (``confirm``, ``verify``, ...).
    allowed_actions: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class HazardPage(msgspec.Struct):
    items: list[HazardSummary]
    total: int
    limit: int
    offset: int
