"""API shapes of campaigns, school campaigns and their deliverables (separate from the ORM models)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from schools.domain.campaigns.models import (
    CampaignStatus,
    EvidenceKind,
    InspectionOutcome,
    PhaseStatus,
    SchoolCampaignStatus,
    TransitionAction,
)
from schools.domain.campaigns.vocabulary import Area, Deliverable, Mechanism, Phase
from schools.domain.evidence.schemas import FileRef

Title = Annotated[str, Meta(min_length=2, max_length=200)]
LongText = Annotated[str, Meta(max_length=20_000)]
Text = Annotated[str, Meta(min_length=1, max_length=20_000)]
Duties = Annotated[str, Meta(min_length=1, max_length=2_000)]
PersonName = Annotated[str, Meta(min_length=1, max_length=80)]
JobTitle = Annotated[str, Meta(max_length=80)]
Reason = Annotated[str, Meta(min_length=2, max_length=500)]
Note = Annotated[str, Meta(max_length=2_000)]


# --- the catalogue --------------------------------------------------------------------------------------
class Label(msgspec.Struct):
    key: str
    zh: str
    en: str


class CatalogueDeliverable(Label, kw_only=True):
    boarding_only: bool


class CataloguePhase(Label, kw_only=True):
    deliverables: list[CatalogueDeliverable]


class Catalogue(msgspec.Struct):
    """Every phase with the deliverables it can require (all of them by default), and the word lists."""

    phases: list[CataloguePhase]
    areas: list[Label]
    mechanisms: list[Label]


# --- county campaigns -----------------------------------------------------------------------------------
class PhasePlanInput(msgspec.Struct, forbid_unknown_fields=True):
    phase: Phase
    deadline: dt.date
    #: Left out: every deliverable of the phase (the seed's default set).
    required: Annotated[list[Deliverable], Meta(max_length=20)] | UnsetType = UNSET


Phases = Annotated[list[PhasePlanInput], Meta(min_length=5, max_length=5)]


class CampaignCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    start_date: dt.date
    #: The five phases, each with its deadline (in order, none before the start).
    phases: Phases
    description: LongText = ""
    rubric_id: uuid.UUID | None = None


class CampaignUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH: only the fields given change. Once launched, phases may change their deadlines only."""

    title: Title | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    start_date: dt.date | UnsetType = UNSET
    rubric_id: uuid.UUID | UnsetType | None = UNSET
    phases: Phases | UnsetType = UNSET


class PhasePlan(msgspec.Struct):
    phase: Phase
    deadline: dt.date
    required: list[Deliverable]


class Campaign(msgspec.Struct):
    id: uuid.UUID
    county_id: uuid.UUID
    title: str
    description: str
    start_date: dt.date
    rubric_id: uuid.UUID | None
    status: CampaignStatus
    phases: list[PhasePlan]
    created_by_name: str
    launched_at: dt.datetime | None
    launched_by_name: str
    closed_at: dt.datetime | None
    school_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CampaignLaunch(msgspec.Struct):
    campaign: Campaign
    #: Schools that got their instance now (every active school of the county).
    schools_joined: int


# --- the bureau's board ---------------------------------------------------------------------------------
class BoardCell(msgspec.Struct):
    phase: Phase
    status: PhaseStatus
    deadline: dt.date
    extended: bool
    overdue: bool
    #: Required deliverables complete, of those required (for a school without dormitories, fewer).
    required_complete: int
    required_total: int


class BoardRow(msgspec.Struct):
    school_campaign_id: uuid.UUID
    school_id: uuid.UUID
    school_code: str
    school_name: str
    status: SchoolCampaignStatus
    current_phase: Phase | None
    overdue: bool
    phases: list[BoardCell]


class PhaseCount(msgspec.Struct):
    phase: Phase
    schools: int
    overdue: int


class Board(msgspec.Struct):
    """Every school of the campaign × phase, as of ``today`` at the schools."""

    campaign: Campaign
    today: dt.date
    rows: list[BoardRow]
    by_phase: list[PhaseCount]
    completed: int
    overdue: int


# --- a school's campaign --------------------------------------------------------------------------------
class DeliverableState(enum.StrEnum):
    COMPLETE = "complete"
    #: Started, with something missing (``missing`` says what).
    INCOMPLETE = "incomplete"
    MISSING = "missing"
    #: Reported by another service (``waiting_for``), which has not reported (all of) it yet.
    WAITING = "waiting"
    #: Does not apply to this school (a day school has no dormitories).
    NOT_APPLICABLE = "not_applicable"


class DeliverableStatus(msgspec.Struct):
    key: Deliverable
    required: bool
    state: DeliverableState
    waiting_for: str | None
    #: What is still missing, as keys: ``members``, ``area:gate``, ``mechanism:leadership``, ``evidence``...
    missing: list[str]


class PhaseView(msgspec.Struct):
    phase: Phase
    status: PhaseStatus
    #: The deadline in force: the county's, or the extension the bureau granted.
    deadline: dt.date
    county_deadline: dt.date
    extended_until: dt.date | None
    overdue: bool
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by_name: str
    #: Open, and every required deliverable complete: the principal may close it.
    can_close: bool
    #: Required deliverables that are not complete yet.
    blocking: list[Deliverable]
    deliverables: list[DeliverableStatus]


class Transition(msgspec.Struct):
    phase: Phase
    action: TransitionAction
    from_status: PhaseStatus | None
    to_status: PhaseStatus
    deadline_before: dt.date | None
    deadline_after: dt.date | None
    reason: str
    actor_name: str
    at: dt.datetime


class SchoolCampaignSummary(msgspec.Struct):
    id: uuid.UUID
    campaign_id: uuid.UUID
    title: str
    campaign_status: CampaignStatus
    school_id: uuid.UUID
    school_name: str
    status: SchoolCampaignStatus
    current_phase: Phase | None
    current_deadline: dt.date | None
    overdue: bool


class SchoolCampaign(msgspec.Struct):
    id: uuid.UUID
    campaign_id: uuid.UUID
    title: str
    description: str
    start_date: dt.date
    rubric_id: uuid.UUID | None
    campaign_status: CampaignStatus
    school_id: uuid.UUID
    school_name: str
    boarding: bool
    status: SchoolCampaignStatus
    current_phase: Phase | None
    joined_at: dt.datetime
    completed_at: dt.datetime | None
    today: dt.date
    phases: list[PhaseView]
    history: list[Transition]


class ClosePhase(msgspec.Struct, forbid_unknown_fields=True):
    #: The phase being closed: must be the open one (a second click does not close the next phase).
    phase: Phase
    note: Note = ""


class ReopenPhase(msgspec.Struct, forbid_unknown_fields=True):
    phase: Phase
    reason: Reason


class ExtendDeadline(msgspec.Struct, forbid_unknown_fields=True):
    phase: Phase
    deadline: dt.date
    reason: Reason


# --- deliverables: input --------------------------------------------------------------------------------
class MemberRole(enum.StrEnum):
    DEPUTY_LEADER = "deputy_leader"
    MEMBER = "member"


class GroupMember(msgspec.Struct, forbid_unknown_fields=True):
    name: PersonName
    role: MemberRole
    duties: Duties
    position: JobTitle = ""


class LeadingGroupInput(msgspec.Struct, forbid_unknown_fields=True):
    """The principal leads the group (the school's principal, by name); the members are the rest."""

    leader_duties: Duties
    established_on: dt.date
    members: Annotated[list[GroupMember], Meta(min_length=1, max_length=60)]


class MeetingInput(msgspec.Struct, forbid_unknown_fields=True):
    held_on: dt.date
    title: Title
    attendees: Annotated[list[PersonName], Meta(min_length=1, max_length=300)]
    minutes: Text
    attachment_id: uuid.UUID | None = None


class ImplementationPlanInput(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    file_id: uuid.UUID
    adopted_on: dt.date
    summary: LongText = ""


class AssignmentInput(msgspec.Struct, forbid_unknown_fields=True):
    duty: Annotated[str, Meta(min_length=1, max_length=200)]
    responsible_name: PersonName
    responsible_title: JobTitle = ""
    signed_on: dt.date | None = None
    file_id: uuid.UUID | None = None


class ResponsibilitiesInput(msgspec.Struct, forbid_unknown_fields=True):
    """The whole list (it replaces the previous one)."""

    assignments: Annotated[list[AssignmentInput], Meta(min_length=1, max_length=200)]


class RecordService(enum.StrEnum):
    SCHOOLS = "schools"
    HAZARDS = "hazards"
    PERSONNEL = "personnel"
    EVALUATION = "evaluation"


class RecordRef(msgspec.Struct, forbid_unknown_fields=True):
    """A record kept by a SafeCampus service: ``schools`` / ``drill`` / ``<id>``."""

    service: RecordService
    type: Annotated[str, Meta(min_length=2, max_length=64, pattern=r"^[a-z][a-z_]*$")]
    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


class EvidenceInput(msgspec.Struct, forbid_unknown_fields=True):
    """Evidence for one remediation measure: an uploaded ``document`` or ``photo`` (``file_id``), or a
    ``record`` of a service (``record``)."""

    measure: Deliverable
    kind: EvidenceKind
    file_id: uuid.UUID | None = None
    record: RecordRef | None = None
    note: Note = ""


class SummaryInput(msgspec.Struct, forbid_unknown_fields=True):
    summary: Text
    file_id: uuid.UUID | None = None


class MechanismInput(msgspec.Struct, forbid_unknown_fields=True):
    mechanism: Mechanism
    description: Text
    file_id: uuid.UUID | None = None


class MechanismsInput(msgspec.Struct, forbid_unknown_fields=True):
    """Mechanisms to record or replace (the others stay as they are)."""

    mechanisms: Annotated[list[MechanismInput], Meta(min_length=1, max_length=5)]


# --- deliverables: output -------------------------------------------------------------------------------
class LeadingGroup(msgspec.Struct):
    leader_name: str
    leader_duties: str
    established_on: dt.date
    members: list[GroupMember]
    updated_at: dt.datetime


class Meeting(msgspec.Struct):
    id: uuid.UUID
    held_on: dt.date
    title: str
    attendees: list[str]
    minutes: str
    attachment: FileRef | None
    created_at: dt.datetime


class ImplementationPlan(msgspec.Struct):
    title: str
    file: FileRef
    adopted_on: dt.date
    summary: str
    updated_at: dt.datetime


class Assignment(msgspec.Struct):
    duty: str
    responsible_name: str
    responsible_title: str
    signed_on: dt.date | None
    file: FileRef | None


class SignOff(msgspec.Struct):
    area: Area
    patrol_id: uuid.UUID
    inspector_name: str
    findings: str
    hazards_found: int
    signed_at: dt.datetime


class InvestigationReport(msgspec.Struct):
    patrol_id: uuid.UUID
    submitted_by_name: str
    hazards_found: int
    summary: str
    submitted_at: dt.datetime


class Evidence(msgspec.Struct):
    id: uuid.UUID
    measure: Deliverable
    kind: EvidenceKind
    file: FileRef | None
    record: RecordRef | None
    note: str
    added_by_name: str
    created_at: dt.datetime


class MeasureView(msgspec.Struct):
    measure: Deliverable
    applicable: bool
    evidence: list[Evidence]


class InspectionResult(msgspec.Struct):
    inspection_id: str
    outcome: InspectionOutcome
    score: float | None
    summary: str
    rectification_requests: list[str]
    decided_at: dt.datetime


class SummaryReport(msgspec.Struct):
    summary: str
    file: FileRef | None
    updated_at: dt.datetime


class MechanismView(msgspec.Struct):
    mechanism: Mechanism
    description: str
    file: FileRef | None
    updated_at: dt.datetime


class Deliverables(msgspec.Struct):
    """Everything a school recorded (or was reported) for its campaign, phase by phase."""

    leading_group: LeadingGroup | None
    meetings: list[Meeting]
    implementation_plan: ImplementationPlan | None
    responsibilities: list[Assignment]
    required_areas: list[Area]
    sign_offs: list[SignOff]
    investigation_report: InvestigationReport | None
    measures: list[MeasureView]
    inspection_results: list[InspectionResult]
    summary_report: SummaryReport | None
    mechanisms: list[MechanismView]
