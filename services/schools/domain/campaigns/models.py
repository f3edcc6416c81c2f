"""Tables of the campaign engine.

County level (``school_id`` null: readable by the county's schools, written by the bureau): the county
campaign and its five phase plans. School level: each school's campaign instance, its phases, the history
of their transitions, and the deliverables of each phase.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kit.models import str_enum
from schools.domain.campaigns.vocabulary import Area, Mechanism, Phase
from schools.models import Base, Timestamped, new_id


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    #: Ended by the bureau: schools keep their record, nobody joins any more and reminders stop.
    CLOSED = "closed"


class Campaign(Timestamped, Base):
    """A county campaign, defined and launched by the bureau."""

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: Always null: a county-level row.
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    #: The inspection rubric (owned by the evaluation service) the acceptance phase is scored against.
    rubric_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    status: Mapped[CampaignStatus] = mapped_column(str_enum(CampaignStatus, "campaign_status"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_name: Mapped[str] = mapped_column(String(120))
    launched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    launched_by_name: Mapped[str] = mapped_column(String(120), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    phases: Mapped[list[CampaignPhase]] = relationship(
        back_populates="campaign", order_by="CampaignPhase.position", lazy="selectin"
    )

    def plan(self, phase: Phase) -> CampaignPhase:
        return next(p for p in self.phases if p.phase == phase)


class CampaignPhase(Timestamped, Base):
    """One phase of a county campaign: its deadline and the deliverables it requires."""

    __tablename__ = "campaign_phases"
    __table_args__ = (UniqueConstraint("campaign_id", "phase"),)
    #: Audited as ``campaign_plan.*``: ``campaign_phase.*`` are the phases of a school's campaign.
    __audit_type__ = "campaign_plan"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    position: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.date] = mapped_column(Date)
    #: Deliverable keys (``vocabulary.Deliverable``) that must be complete to close the phase.
    required: Mapped[list[str]] = mapped_column(ARRAY(String(40)))

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class SchoolCampaignStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class SchoolCampaign(Timestamped, Base):
    """One school's instance of a county campaign."""

    __tablename__ = "school_campaigns"
    __table_args__ = (UniqueConstraint("campaign_id", "school_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id"), index=True)
    status: Mapped[SchoolCampaignStatus] = mapped_column(
        str_enum(SchoolCampaignStatus, "school_campaign_status")
    )
    #: The open phase; null once the last phase is closed.
    current_phase: Mapped[Phase | None] = mapped_column(str_enum(Phase, "phase"), nullable=True)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    phases: Mapped[list[SchoolPhase]] = relationship(order_by="SchoolPhase.position", lazy="selectin")

    def phase(self, phase: Phase) -> SchoolPhase:
        return next(p for p in self.phases if p.phase == phase)


class PhaseStatus(enum.StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class SchoolPhase(Timestamped, Base):
    """One phase of a school's campaign. Its deadline is the county's unless the bureau extended it."""

    __tablename__ = "school_campaign_phases"
    __table_args__ = (UniqueConstraint("school_campaign_id", "phase"),)
    __audit_type__ = "campaign_phase"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[PhaseStatus] = mapped_column(str_enum(PhaseStatus, "phase_status"))
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by_name: Mapped[str] = mapped_column(String(120), default="")
    #: A deadline the bureau granted this school (later than the county's).
    extended_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    def open(self, at: dt.datetime) -> None:
        self.status, self.opened_at, self.closed_at, self.closed_by_name = PhaseStatus.OPEN, at, None, ""

    def close(self, at: dt.datetime, by: str) -> None:
        self.status, self.closed_at, self.closed_by_name = PhaseStatus.CLOSED, at, by

    def reset(self) -> None:
        """Back to pending (an earlier phase was reopened)."""
        self.status, self.opened_at, self.closed_at, self.closed_by_name = PhaseStatus.PENDING, None, None, ""


class TransitionAction(enum.StrEnum):
    OPEN = "open"
    CLOSE = "close"
    REOPEN = "reopen"
    #: A later phase set back to pending because the bureau reopened an earlier one.
    RESET = "reset"
    EXTEND = "extend"


class PhaseTransition(Base):
    """One change of a school's phase: who, when, what and why. Append-only (the app role may only insert
    and read)."""

    __tablename__ = "phase_transitions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    #: The order of the history (several changes of one request share their ``at``).
    seq: Mapped[int] = mapped_column(BigInteger, Identity())
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), index=True)
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    action: Mapped[TransitionAction] = mapped_column(str_enum(TransitionAction, "transition_action"))
    from_status: Mapped[PhaseStatus | None] = mapped_column(
        str_enum(PhaseStatus, "phase_status"), nullable=True
    )
    to_status: Mapped[PhaseStatus] = mapped_column(str_enum(PhaseStatus, "phase_status"))
    deadline_before: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    deadline_after: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_roles: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# --- deployment -----------------------------------------------------------------------------------------
class LeadingGroup(Timestamped, Base):
    """The school's leading group: the principal leads it; ``members`` are ``{name, position, role, duties}``
    with role ``deputy_leader`` or ``member``."""

    __tablename__ = "leading_groups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), unique=True)
    leader_name: Mapped[str] = mapped_column(String(80))
    leader_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    leader_duties: Mapped[str] = mapped_column(Text)
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    established_on: Mapped[dt.date] = mapped_column(Date)


class DeploymentMeeting(Timestamped, Base):
    __tablename__ = "deployment_meetings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[list[str]] = mapped_column(ARRAY(String(80)))
    minutes: Mapped[str] = mapped_column(Text)
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)


class ImplementationPlan(Timestamped, Base):
    __tablename__ = "implementation_plans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_files.id"))
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")


class ResponsibilityAssignment(Timestamped, Base):
    """ "Who is in charge is responsible": one duty and the person answerable for it."""

    __tablename__ = "responsibility_assignments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    duty: Mapped[str] = mapped_column(String(200))
    responsible_name: Mapped[str] = mapped_column(String(80))
    responsible_title: Mapped[str] = mapped_column(String(80), default="")
    #: When the responsibility letter was signed, and its scan.
    signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)


# --- investigation (reported by the hazards service) ----------------------------------------------------
class AreaSignOff(Base):
    """An area of the school's investigation signed off in a hazards-service patrol (the latest one wins)."""

    __tablename__ = "area_sign_offs"
    __table_args__ = (UniqueConstraint("school_campaign_id", "area"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"))
    area: Mapped[Area] = mapped_column(str_enum(Area, "area"))
    patrol_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    inspector_name: Mapped[str] = mapped_column(String(120))
    findings: Mapped[str] = mapped_column(Text, default="")
    hazards_found: Mapped[int] = mapped_column(Integer, default=0)
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class InvestigationReport(Base):
    """The investigation patrol's report, submitted to the bureau in the hazards service."""

    __tablename__ = "investigation_reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), unique=True)
    patrol_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    submitted_by_name: Mapped[str] = mapped_column(String(120), default="")
    hazards_found: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)


# --- remediation ----------------------------------------------------------------------------------------
class EvidenceKind(enum.StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"
    #: A record kept elsewhere (a duty roster in personnel, a drill here, a hazard in hazards, ...).
    RECORD = "record"


class MeasureEvidence(Base):
    """One piece of evidence that a remediation measure is in place."""

    __tablename__ = "measure_evidence"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), index=True)
    measure: Mapped[str] = mapped_column(String(40))
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)
    record_service: Mapped[str | None] = mapped_column(String(32), nullable=True)
    record_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(64))
    added_by_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- acceptance (reported by the evaluation service) ----------------------------------------------------
class InspectionOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"


class InspectionResult(Base):
    """A county inspection's result for the school; the latest one decides the acceptance phase."""

    __tablename__ = "inspection_results"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), index=True)
    inspection_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[InspectionOutcome] = mapped_column(str_enum(InspectionOutcome, "inspection_outcome"))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    rectification_requests: Mapped[list[str]] = mapped_column(ARRAY(Text))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)


# --- consolidation --------------------------------------------------------------------------------------
class SummaryReport(Timestamped, Base):
    __tablename__ = "summary_reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text)
    file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)


class LongTermMechanism(Timestamped, Base):
    __tablename__ = "long_term_mechanisms"
    __table_args__ = (UniqueConstraint("school_campaign_id", "mechanism"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"))
    mechanism: Mapped[Mechanism] = mapped_column(str_enum(Mechanism, "mechanism"))
    description: Mapped[str] = mapped_column(Text)
    file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)


# --- reminders ------------------------------------------------------------------------------------------
class ReminderKind(enum.StrEnum):
    #: To the principal, before the deadline of the open phase.
    DUE_SOON = "due_soon"
    #: To the bureau, once a phase is past its deadline.
    OVERDUE = "overdue"


class PhaseReminder(Base):
    """A reminder sent (once per phase, kind and deadline: an extension earns a new one)."""

    __tablename__ = "phase_reminders"
    __table_args__ = (UniqueConstraint("school_campaign_id", "phase", "kind", "deadline"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_campaigns.id"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, "reminder_kind"))
    deadline: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
