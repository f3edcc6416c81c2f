from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import Timestamped, new_id, str_enum


class MemberRole(enum.StrEnum):
    """Who an inspector is at home: bureau staff, or a principal or teacher of another school."""

    BUREAU = "bureau"
    PRINCIPAL = "principal"
    TEACHER = "teacher"


class AssignmentStatus(enum.StrEnum):
    #: The team inspects during its window.
    ASSIGNED = "assigned"
    #: The team lead submitted the score sheet; the bureau decides.
    SUBMITTED = "submitted"
    #: The bureau accepted the school (its scores count in the ranking).
    ACCEPTED = "accepted"
    #: The bureau returned the school with rectification requests (its scores count in the ranking).
    RETURNED = "returned"
    CANCELLED = "cancelled"


#: While an assignment is in one of these states its members hold an inspection grant (during the window).
GRANTING = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)
#: States whose scores count in the results.
DECIDED = (AssignmentStatus.ACCEPTED, AssignmentStatus.RETURNED)


class InspectionTeam(Timestamped, Base):
    """A county inspection team of one campaign (county-level)."""

    __tablename__ = "inspection_teams"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"))
    name: Mapped[str] = mapped_column(String(120))


class TeamMember(Base):
    """A member of a team: an account of the county (read from Keycloak when added)."""

    __tablename__ = "inspection_team_members"
    __audit_type__ = "inspection_team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("inspection_teams.id"), index=True)
    #: The account's id (the token's ``sub``).
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))
    #: The member's own school (never inspected by them); ``None`` for bureau staff.
    home_school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assignment(Timestamped, Base):
    """A team assigned to inspect one school in a time window: the score sheet's header. A row of the
    inspected school; its inspectors reach it through their grant."""

    __tablename__ = "inspection_assignments"
    __audit_type__ = "inspection_assignment"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: Copied from the directory when assigned: inspectors cannot read the directory of another school.
    school_name: Mapped[str] = mapped_column(String(120))
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("inspection_teams.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus, "assignment_status"))
    assigned_by: Mapped[str] = mapped_column(String(80))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    rectification_requests: Mapped[list[str]] = mapped_column(JSONB, default=list)


class InspectionScore(Base):
    """The team's score of one rubric item, with a comment and, optionally, a finding for the school's
    hazard register."""

    __tablename__ = "inspection_scores"
    __table_args__ = (UniqueConstraint("assignment_id", "item_code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("inspection_assignments.id"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(32))
    points: Mapped[float | None] = mapped_column(Float, nullable=True)
    triggered: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    #: ``{"title", "description", "severity", "category", "location"}`` or ``None``.
    finding: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    scored_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class InspectionPhoto(Base):
    """A photo an inspector took for one item; the bytes are in the file store under ``storage_key``."""

    __tablename__ = "inspection_photos"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("inspection_assignments.id"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
