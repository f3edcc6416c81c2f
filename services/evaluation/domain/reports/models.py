from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from evaluation.models import Base
from kit.models import new_id, str_enum


class ReportKind(enum.StrEnum):
    #: The county report: summary, charts, ranking, calibration (PDF).
    COUNTY_PDF = "county_pdf"
    #: The county ranking (XLSX).
    RANKING_XLSX = "ranking_xlsx"
    #: Every school's score sheet, item by item, with the figures (XLSX).
    SHEETS_XLSX = "sheets_xlsx"
    #: One school's report card (PDF).
    REPORT_CARD_PDF = "report_card_pdf"


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Report(Base):
    """A report generated in the worker. County reports are county-level rows (``school_id`` null) that
    schools never see; a report card belongs to its school."""

    __tablename__ = "reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"))
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "report_status"))
    #: 0-100, updated while the job runs.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    storage_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Pages of a PDF.
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
