from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from hazards.domain.hazards.schemas import PhotoInfo
from hazards.domain.reports.models import PublicReportStatus
from hazards.vocabulary import Area, Category, Severity


class PublicReportForm(msgspec.Struct, forbid_unknown_fields=True):
    """The anonymous form behind a school's QR code. ``website`` is a trap field that people never see."""

    category: Category
    description: Annotated[str, Meta(min_length=5, max_length=2000)]
    area: Area | None = None
    place: Annotated[str, Meta(max_length=300)] = ""
    contact: Annotated[str, Meta(max_length=100)] = ""
    website: Annotated[str, Meta(max_length=500)] = ""


class Receipt(msgspec.Struct):
    """All an anonymous reporter gets back: no ids, no names, nothing of the school."""

    status: str
    reference: str


class ReportLink(msgspec.Struct):
    token: str
    #: The API path the public form posts to; the portal prints its own URL of the form as a QR code.
    path: str
    created_at: dt.datetime


class PublicReport(msgspec.Struct):
    id: uuid.UUID
    school_id: uuid.UUID
    reference: str
    received_at: dt.datetime
    category: Category
    area: Area | None
    location_text: str
    description: str
    contact: str
    status: PublicReportStatus
    spam: bool
    reviewed_by: str
    reviewed_at: dt.datetime | None
    review_note: str
    hazard_id: uuid.UUID | None
    photos: list[PhotoInfo]


class PublicReportPage(msgspec.Struct):
    items: list[PublicReport]
    total: int
    limit: int
    offset: int


class Acceptance(msgspec.Struct, forbid_unknown_fields=True):
    """Take a public report into the register (as a reported hazard, source ``public_report``)."""

    title: Annotated[str, Meta(min_length=2, max_length=200)]
    area: Area | None = None
    category: Category | None = None
    severity: Severity = Severity.GENERAL
    note: Annotated[str, Meta(max_length=2000)] = ""


class Dismissal(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=2, max_length=1000)]
    spam: bool = False
