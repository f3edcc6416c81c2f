from __future__ import annotations

import enum
import uuid

from sqlalchemy import Boolean, Computed, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kit.models import str_enum
from schools.models import Base, Timestamped, new_id


class SchoolKind(enum.StrEnum):
    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    NINE_YEAR = "nine_year"
    TWELVE_YEAR = "twelve_year"
    VOCATIONAL = "vocational"
    SPECIAL_EDUCATION = "special_education"


class SchoolStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ProvisioningStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class School(Timestamped, Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("county_id", "code"), UniqueConstraint("principal_username"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: Mirrors ``id`` so that the tenant RLS policy reads the same column on every table.
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, Computed("id", persisted=True))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SchoolKind] = mapped_column(str_enum(SchoolKind, "school_kind"))
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)
    student_count: Mapped[int] = mapped_column(Integer, default=0)
    address: Mapped[str] = mapped_column(String(300), default="")
    principal_name: Mapped[str] = mapped_column(String(80))
    principal_email: Mapped[str] = mapped_column(String(254))
    principal_username: Mapped[str] = mapped_column(String(64))
    status: Mapped[SchoolStatus] = mapped_column(
        str_enum(SchoolStatus, "school_status"), default=SchoolStatus.ACTIVE
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    provisioning_status: Mapped[ProvisioningStatus] = mapped_column(
        str_enum(ProvisioningStatus, "provisioning_status"), default=ProvisioningStatus.PENDING
    )
    provisioning_error: Mapped[str] = mapped_column(Text, default="")
    provisioning_attempts: Mapped[int] = mapped_column(Integer, default=0)
    principal_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
