"""API shapes of reports."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from evaluation.domain.reports.models import ReportKind, ReportStatus


class ReportRequest(msgspec.Struct, forbid_unknown_fields=True):
    kind: ReportKind
    #: The school of a report card (school staff: their own school, which is the default).
    school_id: uuid.UUID | None = None


class Report(msgspec.Struct):
    id: uuid.UUID
    campaign_id: uuid.UUID
    school_id: uuid.UUID | None
    kind: ReportKind
    status: ReportStatus
    progress: int
    error: str
    filename: str | None
    size: int | None
    pages: int | None
    requested_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    #: Where to download it once ``done``.
    url: str | None
