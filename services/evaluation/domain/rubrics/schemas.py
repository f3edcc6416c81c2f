"""API shapes of rubrics. A rubric version's content is one :class:`RubricDefinition` document."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from evaluation.domain.rubrics.models import RubricStatus

Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Guidance = Annotated[str, Meta(max_length=1000)]
EvidenceItem = Annotated[str, Meta(min_length=1, max_length=100)]
Evidence = Annotated[list[EvidenceItem], Meta(max_length=10)]
Points = Annotated[float, Meta(gt=0, le=100)]
Percent = Annotated[float, Meta(ge=0, le=100)]
MetricKey = Annotated[str, Meta(min_length=1, max_length=64)]


class IndicatorSource(enum.StrEnum):
    #: Scored by the inspection team (and by the school in its self-assessment).
    INSPECTION = "inspection"
    #: Computed from the other services' figures (see ``evaluation.domain.indicators.metrics``).
    OBJECTIVE = "objective"


class Indicator(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    title: Title
    max_points: Points
    source: IndicatorSource = IndicatorSource.INSPECTION
    guidance: Guidance = ""
    required_evidence: Evidence = []
    #: Objective indicators only: the metric the points come from.
    metric: MetricKey | None = None
    #: Objective count metrics only: points lost per unit (default: all of them for the first one).
    deduction_per_unit: Annotated[float, Meta(gt=0, le=100)] | None = None


class Category(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    title: Title
    #: Share of the total (the weights of a rubric add up to 100).
    weight: Annotated[float, Meta(gt=0, le=100)]
    indicators: Annotated[list[Indicator], Meta(min_length=1, max_length=60)]


class BonusItem(msgspec.Struct, forbid_unknown_fields=True):
    """Extra points an inspection team may award on top of the weighted score (capped by ``bonus_cap``)."""

    code: Code
    title: Title
    max_points: Points
    guidance: Guidance = ""
    required_evidence: Evidence = []


class VetoItem(msgspec.Struct, forbid_unknown_fields=True):
    """One veto fails the school whatever its score. Triggered by the inspection team, or by an objective
    count metric reaching ``threshold``."""

    code: Code
    title: Title
    guidance: Guidance = ""
    metric: MetricKey | None = None
    threshold: Annotated[int, Meta(ge=1, le=1000)] = 1


class GradeBands(msgspec.Struct, forbid_unknown_fields=True):
    """Lowest total of each grade; below ``pass`` is ``fail``."""

    excellent: Percent = 90
    good: Percent = 75
    pass_: Percent = msgspec.field(default=60, name="pass")


class RubricDefinition(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    categories: Annotated[list[Category], Meta(min_length=1, max_length=12)]
    bonus_items: Annotated[list[BonusItem], Meta(max_length=10)] = []
    veto_items: Annotated[list[VetoItem], Meta(max_length=10)] = []
    bonus_cap: Annotated[float, Meta(ge=0, le=20)] = 5
    grade_bands: GradeBands = msgspec.field(default_factory=GradeBands)


class Rubric(msgspec.Struct):
    id: uuid.UUID
    lineage_id: uuid.UUID
    version: int
    status: RubricStatus
    title: str
    definition: RubricDefinition
    created_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    published_by: str | None


class RubricSummary(msgspec.Struct):
    id: uuid.UUID
    lineage_id: uuid.UUID
    version: int
    status: RubricStatus
    title: str
    indicators: int
    created_at: dt.datetime
    published_at: dt.datetime | None
