from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import new_id


class ResultColumns:
    """A school's result in a campaign (current, or frozen at the year-end sign-off)."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"))
    school_code: Mapped[str] = mapped_column(String(32))
    school_name: Mapped[str] = mapped_column(String(120))
    rank: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    weighted: Mapped[float] = mapped_column(Float)
    bonus: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(16))
    vetoed: Mapped[bool] = mapped_column(Boolean)
    #: ``[{"code", "title", "by"}]``
    veto_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    #: ``[{"code", "title", "weight", "points", "max_points", "score"}]``
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    #: Every rubric item's points and the figures they came from (the breakdown).
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    #: The decided inspection whose scores count (``None``: not inspected yet, its items score 0).
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: ``accepted``, ``returned`` or ``None``.
    acceptance: Mapped[str | None] = mapped_column(String(16), nullable=True)
    inspected_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    objective_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    self_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: The school's total in the county's previous frozen evaluation, and the change since.
    previous_total: Mapped[float | None] = mapped_column(Float, nullable=True)
    change: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SchoolResult(ResultColumns, Base):
    """A school's current result in a campaign: precomputed by the recompute job (never on request), so that
    the county ranking is one indexed read. The school reads its own row; only the bureau's jobs write."""

    __tablename__ = "school_results"
    __table_args__ = (
        UniqueConstraint("campaign_id", "school_id"),
        Index("ix_school_results_campaign_id_rank", "campaign_id", "rank"),
    )
