from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import Timestamped, str_enum


class CampaignStatus(enum.StrEnum):
    OPEN = "open"
    #: The year-end comprehensive evaluation is signed off: results never change again.
    FROZEN = "frozen"


class Campaign(Timestamped, Base):
    """A county campaign as the evaluation service knows it: which rubric scores it, and its results'
    state. ``id`` is the campaign's id in the schools service (a loose reference: no foreign key across
    services)."""

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    rubric_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("rubrics.id"))
    status: Mapped[CampaignStatus] = mapped_column(str_enum(CampaignStatus, "campaign_status"))
    #: Set when something the results depend on changed; cleared by the recompute job.
    results_stale_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    results_computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Inspector calibration computed with the results: one entry per team.
    calibration: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    frozen_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    frozen_note: Mapped[str] = mapped_column(Text, default="")
