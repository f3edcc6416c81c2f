"""The county's standard for school security, and each school's security team."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class CountyStandard(Timestamped, Base):
    """What the bureau requires of every school of its county. A county without a row uses the defaults."""

    __tablename__ = "county_standards"

    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: One professional guard per this many students.
    students_per_guard: Mapped[int] = mapped_column(Integer, default=500)
    #: Professional guards every school needs, however small.
    min_guards_per_school: Mapped[int] = mapped_column(Integer, default=1)
    #: Professional guards per active gate.
    min_guards_per_gate: Mapped[int] = mapped_column(Integer, default=1)
    #: Night-shift members of the security team a boarding school needs.
    night_guards_boarding: Mapped[int] = mapped_column(Integer, default=2)
    #: Days after a visit when the visitor's ID number is purged.
    visitor_id_retention_days: Mapped[int] = mapped_column(Integer, default=180)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


DEFAULT_STANDARD = {
    "students_per_guard": 500,
    "min_guards_per_school": 1,
    "min_guards_per_gate": 1,
    "night_guards_boarding": 2,
    "visitor_id_retention_days": 180,
}


class TeamRole(enum.StrEnum):
    LEADER = "leader"
    MEMBER = "member"


class SecurityTeamMember(SchoolOwned, Timestamped, Base):
    __tablename__ = "security_team_members"

    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"), unique=True)
    team_role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_role"), default=TeamRole.MEMBER)
    night_shift: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The security guard's certificate (保安员证) number, when they hold one.
    certificate_no: Mapped[str] = mapped_column(String(40), default="")
    joined_on: Mapped[dt.date] = mapped_column(Date)
