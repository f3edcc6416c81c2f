from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import DateTime, Float, String, UniqueConstraint, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import new_id


class IndicatorValue(Base):
    """The latest value of one objective metric for one school, with the figures it came from and the
    event that carried them. Written by the event consumers only (the school reads, never writes)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("school_id", "metric"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source_event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source_event_type: Mapped[str] = mapped_column(String(80))
    #: When the producing service computed the figures: an older event never overwrites a newer one.
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
