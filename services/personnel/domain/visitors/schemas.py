"""API shapes of visits and vehicle authorisations. An ID number goes in, only its mask comes out."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from personnel.domain.visitors.models import IdType, VehicleStatus, VerificationMethod, VisitStatus

PersonName = Annotated[str, Meta(min_length=1, max_length=80)]
IdNumber = Annotated[str, Meta(min_length=4, max_length=40, pattern=r"^[0-9A-Za-z \-]+$")]
Phone = Annotated[str, Meta(max_length=32, pattern=r"^(\+?[0-9][0-9 -]{4,30})?$")]
Plate = Annotated[str, Meta(max_length=20)]
Reason = Annotated[str, Meta(min_length=2, max_length=500)]


class VisitCreate(msgspec.Struct, forbid_unknown_fields=True):
    visitor_name: PersonName
    id_type: IdType
    id_number: IdNumber
    purpose: Annotated[str, Meta(min_length=2, max_length=300)]
    phone: Phone = ""
    organisation: Annotated[str, Meta(max_length=120)] = ""
    party_size: Annotated[int, Meta(ge=1, le=50)] = 1
    #: A staff member of the school who is visited (they can confirm in the app) …
    host_staff_id: uuid.UUID | None = None
    #: … or, when the host has no account, who it is in words.
    host_name: Annotated[str, Meta(max_length=80)] = ""
    #: The plate of the motor vehicle the visitor wants to bring in, if any.
    plate: Plate = ""


class Verification(msgspec.Struct, forbid_unknown_fields=True):
    """How the guard confirmed the visit with the host (the host confirming in the app needs no method)."""

    method: VerificationMethod = VerificationMethod.PHONE_CALL
    note: Annotated[str, Meta(max_length=300)] = ""


class Refusal(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class IdSearch(msgspec.Struct, forbid_unknown_fields=True):
    """Exact search by ID number, in the body so that it never lands in a URL or an access log."""

    id_number: IdNumber


class Visit(msgspec.Struct):
    id: uuid.UUID
    visitor_name: str
    id_type: IdType
    #: Only ever masked; empty once purged after the retention period.
    id_number_masked: str
    id_purged: bool
    phone: str
    organisation: str
    purpose: str
    party_size: int
    host_staff_id: uuid.UUID | None
    host_name: str
    plate: str
    vehicle_status: VehicleStatus
    vehicle_reason: str
    status: VisitStatus
    registered_at: dt.datetime
    verified_at: dt.datetime | None
    verification_method: VerificationMethod | None
    entered_at: dt.datetime | None
    left_at: dt.datetime | None
    refused_at: dt.datetime | None
    refusal_reason: str


class VisitPage(msgspec.Struct):
    items: list[Visit]
    total: int
    limit: int
    offset: int


class VehicleAuthorisationCreate(msgspec.Struct, forbid_unknown_fields=True):
    plate: Plate
    holder: PersonName
    reason: Annotated[str, Meta(min_length=2, max_length=300)]
    valid_from: dt.date
    valid_until: dt.date


class VehicleAuthorisation(msgspec.Struct):
    id: uuid.UUID
    plate: str
    holder: str
    reason: str
    valid_from: dt.date
    valid_until: dt.date
    revoked: bool


class VehicleCheck(msgspec.Struct):
    plate: str
    authorised: bool
    authorisation: VehicleAuthorisation | None
