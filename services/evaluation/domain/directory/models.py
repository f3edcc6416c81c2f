from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Computed, DateTime, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base


class SchoolEntry(Base):
    """One school of a county. ``id`` is the schools service's school id."""

    __tablename__ = "schools"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: Mirrors ``id`` so that the tenant policy reads the same column on every table.
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, Computed("id", persisted=True))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: When the schools service said so: an older event never overwrites a newer one.
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
