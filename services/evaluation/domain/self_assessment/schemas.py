"""API shapes of the self-assessment."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from evaluation.domain.self_assessment.models import SelfAssessmentStatus

Note = Annotated[str, Meta(max_length=2000)]


class EntryInput(msgspec.Struct, forbid_unknown_fields=True):
    """A score for one item: ``points`` for an indicator or bonus item, ``triggered`` for a veto item."""

    points: Annotated[float, Meta(ge=0, le=100)] | None = None
    triggered: bool = False
    comment: Note = ""
    evidence_note: Note = ""


class EvidenceFile(msgspec.Struct):
    id: uuid.UUID
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    url: str


class SheetItem(msgspec.Struct):
    code: str
    kind: str
    title: str
    category: str | None
    max_points: float
    guidance: str
    required_evidence: list[str]
    points: float | None
    triggered: bool
    comment: str
    evidence_note: str
    evidence: list[EvidenceFile]
    updated_by: str | None
    updated_at: dt.datetime | None


class SelfAssessment(msgspec.Struct):
    campaign_id: uuid.UUID
    school_id: uuid.UUID
    status: SelfAssessmentStatus
    submitted_at: dt.datetime | None
    submitted_by: str | None
    #: Points the school gave itself on the people-scored indicators, as a share of their maximum (0-100).
    self_pct: float | None
    items: list[SheetItem]
