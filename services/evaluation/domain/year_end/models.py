from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.domain.rankings.models import ResultColumns
from evaluation.models import Base


class YearEndResult(ResultColumns, Base):
    """A school's final result of a campaign, frozen and signed off by the bureau. The app role may insert
    and read these rows, never change or delete them: later data cannot alter a frozen result."""

    __tablename__ = "year_end_results"
    __table_args__ = (UniqueConstraint("campaign_id", "school_id"),)

    signed_off_by: Mapped[str] = mapped_column(String(80))
    signed_off_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: sha256 of the result's canonical JSON, printed on the reports.
    digest: Mapped[str] = mapped_column(String(64))
