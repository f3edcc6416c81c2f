from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import Timestamped, new_id, str_enum


class RubricStatus(enum.StrEnum):
    DRAFT = "draft"
    #: Immutable from now on: campaigns score against it; changes make a new version.
    PUBLISHED = "published"


class Rubric(Timestamped, Base):
    """One version of a county's rubric. Versions of the same rubric share ``lineage_id``."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("lineage_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    lineage_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[RubricStatus] = mapped_column(str_enum(RubricStatus, "rubric_status"))
    title: Mapped[str] = mapped_column(String(200))
    #: The :class:`~evaluation.domain.rubrics.schemas.RubricDefinition` document.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
