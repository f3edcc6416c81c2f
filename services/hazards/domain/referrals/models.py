from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, ForeignKey, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base, Timestamped, new_id, str_enum
from hazards.vocabulary import Department


class ReferralStatus(enum.StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DECLINED = "declined"


#: A referral in one of these states is finished; its status no longer changes.
FINAL_STATUSES = frozenset({ReferralStatus.RESOLVED, ReferralStatus.DECLINED})


class Referral(Timestamped, Base):
    """A hazard beyond the school's power handed to an outside department, with its status and reply."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    department: Mapped[Department] = mapped_column(str_enum(Department, "department"))
    #: The department's own name ("长岭县公安局城区派出所").
    department_name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReferralStatus] = mapped_column(str_enum(ReferralStatus, "referral_status"))
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    referred_by: Mapped[str] = mapped_column(String(64))
    referred_by_name: Mapped[str] = mapped_column(String(120))
    referred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
