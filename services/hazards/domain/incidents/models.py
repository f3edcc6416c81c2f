from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base, Timestamped, new_id, str_enum
from hazards.vocabulary import IncidentKind


class Incident(Timestamped, Base):
    """A security incident at or around a school."""

    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind, "incident_kind"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(300))
    people_affected: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    actions_taken: Mapped[str] = mapped_column(Text, default="")
    reported_to_police: Mapped[bool] = mapped_column(default=False)
    police_reference: Mapped[str] = mapped_column(String(100), default="")
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_by_name: Mapped[str] = mapped_column(String(120))
