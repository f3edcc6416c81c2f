from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from hazards.domain.referrals.models import ReferralStatus
from hazards.vocabulary import Department


class ReferralCreate(msgspec.Struct, forbid_unknown_fields=True):
    department: Department
    department_name: Annotated[str, Meta(max_length=200)] = ""
    contact: Annotated[str, Meta(max_length=200)] = ""
    note: Annotated[str, Meta(max_length=4000)] = ""


class ReferralUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The department's answer: a new status and, usually, its reply."""

    status: ReferralStatus
    reply: Annotated[str, Meta(max_length=4000)] = ""


class Referral(msgspec.Struct):
    id: uuid.UUID
    hazard_id: uuid.UUID
    school_id: uuid.UUID
    hazard_number: str
    department: Department
    department_name: str
    contact: str
    note: str
    status: ReferralStatus
    reply: str
    replied_at: dt.datetime | None
    referred_by: str
    referred_at: dt.datetime
    updated_at: dt.datetime


class ReferralPage(msgspec.Struct):
    items: list[Referral]
    total: int
    limit: int
    offset: int
