"""Staff of a school (principal, teachers, guards) and bureau users of a county, with their accounts."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, Timestamped, new_id, str_enum


class StaffRole(enum.StrEnum):
    """The realm role the staff member's account carries."""

    PRINCIPAL = "principal"
    TEACHER = "teacher"
    GUARD = "guard"
    BUREAU = "bureau"


class Position(enum.StrEnum):
    """What a staff member does besides their role (a person may hold several)."""

    SCHOOL_LEADER = "school_leader"
    CLASS_LEADER = "class_leader"
    DORMITORY_SUPERVISOR = "dormitory_supervisor"
    SECURITY_TEAM_MEMBER = "security_team_member"
    SAFETY_OFFICER = "safety_officer"
    PSYCHOLOGICAL_COUNSELOR = "psychological_counselor"


class StaffStatus(enum.StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class AccountStatus(enum.StrEnum):
    """Where the Keycloak account stands. ``status`` on the staff row is what it should be."""

    PENDING = "pending"  # to be created (or its password reset) and the invitation e-mailed
    READY = "ready"
    FAILED = "failed"
    DISABLED = "disabled"


class Staff(Timestamped, Base):
    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: ``None`` for bureau users (county-level rows).
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    positions: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    status: Mapped[StaffStatus] = mapped_column(
        str_enum(StaffStatus, "staff_status"), default=StaffStatus.ACTIVE
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    account_status: Mapped[AccountStatus] = mapped_column(
        str_enum(AccountStatus, "account_status"), default=AccountStatus.PENDING
    )
    account_error: Mapped[str] = mapped_column(Text, default="")
    account_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The Keycloak user id (the ``sub`` of their tokens), once the account exists.
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    invited_by: Mapped[str] = mapped_column(String(64), default="")

    @property
    def is_active(self) -> bool:
        return self.status == StaffStatus.ACTIVE
