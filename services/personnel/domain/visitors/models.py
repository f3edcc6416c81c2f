"""Visitors and vehicles at the gate: registration, verification with the host, entry and exit, refusals;
and the vehicles the principal has authorised to drive in."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class IdType(enum.StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证: checked against its check character
    PASSPORT = "passport"
    OTHER = "other"


class VisitStatus(enum.StrEnum):
    REGISTERED = "registered"  # at the gate, waiting for the host to confirm
    VERIFIED = "verified"  # the host confirmed
    INSIDE = "inside"
    LEFT = "left"
    REFUSED = "refused"


class VehicleStatus(enum.StrEnum):
    NONE = "none"  # came on foot
    AUTHORISED = "authorised"
    REFUSED = "refused"  # outside motor vehicles stay outside unless authorised


class VerificationMethod(enum.StrEnum):
    HOST_IN_APP = "host_in_app"
    PHONE_CALL = "phone_call"
    IN_PERSON = "in_person"


class Visit(SchoolOwned, Timestamped, Base):
    __tablename__ = "visits"
    __table_args__ = (
        # The gate screen's page in the API's order, carrying the policy's ``county_id`` (migration 0002).
        Index(
            "ix_visits_school_id_registered_at_desc",
            "school_id",
            text("registered_at DESC"),
            "id",
            postgresql_include=["county_id"],
        ),
        Index("ix_visits_school_id_plate", "school_id", "plate"),
        Index("ix_visits_school_id_id_number_digest", "school_id", "id_number_digest"),
    )

    visitor_name: Mapped[str] = mapped_column(String(80))
    id_type: Mapped[IdType] = mapped_column(str_enum(IdType, "id_type"))
    #: AES-GCM ciphertext of the ID number (``IdNumberVault``); NULL once purged.
    id_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: Keyed digest for exact search within the school; NULL once purged.
    id_number_digest: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    id_number_masked: Mapped[str] = mapped_column(String(40), default="")
    id_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    purpose: Mapped[str] = mapped_column(String(300))
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    host_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"), nullable=True)
    host_name: Mapped[str] = mapped_column(String(80))
    #: Normalised plate (upper case, no separators); empty when on foot.
    plate: Mapped[str] = mapped_column(String(16), default="")
    vehicle_status: Mapped[VehicleStatus] = mapped_column(
        str_enum(VehicleStatus, "vehicle_status"), default=VehicleStatus.NONE
    )
    vehicle_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, "visit_status"), default=VisitStatus.REGISTERED
    )
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    verified_by: Mapped[str] = mapped_column(String(64), default="")
    verification_method: Mapped[VerificationMethod | None] = mapped_column(
        str_enum(VerificationMethod, "verification_method"), nullable=True
    )
    verification_note: Mapped[str] = mapped_column(Text, default="")
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    refused_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    refused_by: Mapped[str] = mapped_column(String(64), default="")
    refusal_reason: Mapped[str] = mapped_column(Text, default="")


class VehicleAuthorisation(SchoolOwned, Timestamped, Base):
    __tablename__ = "vehicle_authorisations"
    __table_args__ = (Index("ix_vehicle_authorisations_school_id_plate", "school_id", "plate"),)

    plate: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str] = mapped_column(String(64), default="")
