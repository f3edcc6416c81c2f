"""API shapes of staff and bureau users."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from personnel.domain.staff.models import AccountStatus, Position, StaffRole, StaffStatus

PersonName = Annotated[str, Meta(min_length=1, max_length=80)]
Email = Annotated[str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
Phone = Annotated[str, Meta(max_length=32, pattern=r"^(\+?[0-9][0-9 -]{4,30})?$")]
Positions = Annotated[list[Position], Meta(max_length=6)]
Reason = Annotated[str, Meta(min_length=2, max_length=500)]


class Account(msgspec.Struct):
    status: AccountStatus
    error: str
    attempts: int


class Staff(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID | None
    role: StaffRole
    name: str
    phone: str
    email: str
    username: str
    positions: list[Position]
    status: StaffStatus
    status_reason: str
    account: Account
    created_at: dt.datetime


class StaffPage(msgspec.Struct):
    items: list[Staff]
    total: int
    limit: int
    offset: int


class StaffInvite(msgspec.Struct, forbid_unknown_fields=True):
    name: PersonName
    email: Email
    username: Username
    role: Annotated[StaffRole, Meta(description="teacher or guard")]
    phone: Phone = ""
    positions: Positions = []


class StaffUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """PATCH: contact details and positions. Username, e-mail and role are fixed once invited."""

    name: PersonName | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    positions: Positions | UnsetType = UNSET


class SelfRegistration(msgspec.Struct, forbid_unknown_fields=True):
    """The principal puts themselves on the staff list (their account comes with the school)."""

    name: PersonName
    email: Email
    phone: Phone = ""
    positions: Positions = []


class BureauUserInvite(msgspec.Struct, forbid_unknown_fields=True):
    name: PersonName
    email: Email
    username: Username
    phone: Phone = ""


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
