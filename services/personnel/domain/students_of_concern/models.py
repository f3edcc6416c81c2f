"""Students of concern: restricted records that only the principal and the responsible teacher may see.

The restriction is enforced by PostgreSQL (see the migration's policies): for the role ``teacher`` a row
is visible only when ``responsible_user_id`` is the caller's ``app.user_id``; the bureau sees no row at
all and reads the ``concern_counts`` view, which holds counts per school and category and nothing else.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class ConcernCategory(enum.StrEnum):
    MENTAL_ILLNESS = "mental_illness"
    PSYCHOLOGICAL_PROBLEMS = "psychological_problems"
    INFERIORITY = "inferiority"
    RESTLESSNESS = "restlessness"
    OTHER = "other"


class ConcernStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class StudentOfConcern(SchoolOwned, Timestamped, Base):
    __tablename__ = "students_of_concern"

    student_name: Mapped[str] = mapped_column(String(80))
    class_name: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[ConcernCategory] = mapped_column(str_enum(ConcernCategory, "concern_category"))
    description: Mapped[str] = mapped_column(Text, default="")
    care_plan: Mapped[str] = mapped_column(Text, default="")
    responsible_staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    #: The responsible teacher's account id: what the RLS policy compares with ``app.user_id``.
    responsible_user_id: Mapped[str] = mapped_column(String(64))
    review_interval_days: Mapped[int] = mapped_column(Integer, default=30)
    next_review_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ConcernStatus] = mapped_column(
        str_enum(ConcernStatus, "concern_status"), default=ConcernStatus.ACTIVE
    )
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))


class ConcernReview(SchoolOwned, Timestamped, Base):
    __tablename__ = "concern_reviews"

    concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("students_of_concern.id"))
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text)
    reviewer_user_id: Mapped[str] = mapped_column(String(64))
    reviewer_name: Mapped[str] = mapped_column(String(80))
    next_review_on: Mapped[dt.date] = mapped_column(Date)


class ConcernReminder(SchoolOwned, Base):
    """A review reminder sent (one per record and due date), so that a rerun does not remind twice."""

    __tablename__ = "concern_reminders"
    __table_args__ = (UniqueConstraint("concern_id", "due_on"),)

    concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("students_of_concern.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    reminded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
