from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models import Base


class SchoolEntry(Base):
    """What the hazards service knows of a school (a read model of the schools service, fed by its events):
    the code that prefixes hazard numbers and the name printed on exports and notices."""

    __tablename__ = "school_directory"

    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
