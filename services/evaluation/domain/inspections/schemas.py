"""API shapes of inspection teams, assignments and score sheets."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from evaluation.domain.inspections.models import AssignmentStatus, MemberRole
from evaluation.domain.self_assessment.schemas import SheetItem as SelfAssessmentItem

Name = Annotated[str, Meta(min_length=2, max_length=120)]
Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]
Note = Annotated[str, Meta(max_length=2000)]


class MemberInput(msgspec.Struct, forbid_unknown_fields=True):
    """An account of the county: bureau staff, or a principal or teacher of a school."""

    username: Username
    lead: bool = False


class TeamCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    members: Annotated[list[MemberInput], Meta(max_length=20)] = []


class Member(msgspec.Struct):
    id: uuid.UUID
    user_id: str
    username: str
    full_name: str
    role: MemberRole
    home_school_id: uuid.UUID | None
    lead: bool


class Team(msgspec.Struct):
    id: uuid.UUID
    campaign_id: uuid.UUID
    name: str
    members: list[Member]
    created_at: dt.datetime


class AssignmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The window is half open, ``[starts_at, ends_at)``; both times carry their time zone."""

    school_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime


class Assignment(msgspec.Struct):
    id: uuid.UUID
    campaign_id: uuid.UUID
    school_id: uuid.UUID
    school_name: str
    team_id: uuid.UUID
    team_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: AssignmentStatus
    submitted_at: dt.datetime | None
    submitted_by: str | None
    decided_at: dt.datetime | None
    decided_by: str | None
    decision_note: str
    rectification_requests: list[str]


class Severity(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class FindingInput(msgspec.Struct, forbid_unknown_fields=True):
    """A problem found on site: it becomes a hazard in the school's register when the sheet is submitted."""

    title: Annotated[str, Meta(min_length=2, max_length=200)]
    description: Note = ""
    severity: Severity = Severity.GENERAL
    #: One of the hazard register's categories (``fire``, ``electrical``, ``food_hygiene``, ...).
    category: Annotated[str, Meta(min_length=2, max_length=32, pattern=r"^[a-z_]+$")] = "other"
    location: Annotated[str, Meta(max_length=200)] = ""


class ScoreInput(msgspec.Struct, forbid_unknown_fields=True):
    """``points`` for an indicator or bonus item, ``triggered`` for a veto item."""

    points: Annotated[float, Meta(ge=0, le=100)] | None = None
    triggered: bool = False
    comment: Note = ""
    finding: FindingInput | None = None


class Photo(msgspec.Struct):
    id: uuid.UUID
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    url: str


class SheetItem(msgspec.Struct):
    code: str
    kind: str
    title: str
    category: str | None
    max_points: float
    guidance: str
    required_evidence: list[str]
    points: float | None
    triggered: bool
    comment: str
    finding: FindingInput | None
    photos: list[Photo]
    scored_by: str | None
    updated_at: dt.datetime | None
    #: What the school gave itself for this item, with its evidence (``None`` for the school's own staff).
    self_assessment: SelfAssessmentItem | None


class Caller(msgspec.Struct):
    member: bool
    lead: bool
    #: A member, inside the window, while the sheet is open.
    can_score: bool


class ScoreSheet(msgspec.Struct):
    assignment: Assignment
    team: Team
    you: Caller
    #: The school's own staff see the scores once the bureau has decided.
    scores_visible: bool
    items: list[SheetItem]


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    note: Note = ""


class Return(msgspec.Struct, forbid_unknown_fields=True):
    requests: Annotated[
        list[Annotated[str, Meta(min_length=2, max_length=500)]], Meta(min_length=1, max_length=50)
    ]
    note: Note = ""


class MyGrant(msgspec.Struct):
    school_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    active: bool
    #: Only while the grant is active (the school's rows are visible then).
    assignment_id: uuid.UUID | None = None
    school_name: str | None = None
    status: AssignmentStatus | None = None


class MyInspections(msgspec.Struct):
    teams: list[Team]
    grants: list[MyGrant]
