from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base, str_enum

DEFAULT_REMIND_DAYS_BEFORE = 2
DEFAULT_GRACE_DAYS = 3


class Step(enum.StrEnum):
    #: Before the deadline: remind the responsible person.
    REMIND = "remind"
    #: Past the deadline: tell the principal.
    PRINCIPAL = "principal"
    #: Past the deadline and the grace period: tell the bureau.
    BUREAU = "bureau"


class EscalationPolicy(Base):
    """A county's escalation timing, set by its bureau (a county-level row: ``school_id`` is null)."""

    __tablename__ = "escalation_policies"

    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    remind_days_before: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMIND_DAYS_BEFORE)
    grace_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_GRACE_DAYS)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class EscalationStep(Base):
    """A step taken for one hazard and one deadline. The primary key makes each step happen once, however
    often the job runs; a new deadline (reassignment, reopening) starts its own steps."""

    __tablename__ = "escalation_steps"

    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), primary_key=True)
    step: Mapped[Step] = mapped_column(str_enum(Step, "escalation_step"), primary_key=True)
    deadline: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DeadlineSchool(Base):
    """A school that has (or had) hazards with a rectification deadline: the escalation tick's work list.
    A system table holding ids only, so that the tick can fan out per school before it has a tenant."""

    __tablename__ = "deadline_schools"

    tenant_school_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
