"""API shapes of results, the county ranking and the dashboard."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class CategoryScore(msgspec.Struct):
    code: str
    title: str
    weight: float
    points: float
    max_points: float
    score: float


class VetoReason(msgspec.Struct):
    code: str
    title: str
    #: ``inspection`` or ``metric``
    by: str


class ItemScore(msgspec.Struct):
    code: str
    kind: str
    title: str
    category: str | None
    max_points: float
    points: float
    source: str
    state: str
    metric: str | None = None
    value: float | None = None
    figures: dict[str, Any] = {}
    as_of: dt.datetime | None = None
    source_event_id: uuid.UUID | None = None
    comment: str = ""


class SchoolResult(msgspec.Struct):
    """One school's result with its whole breakdown."""

    campaign_id: uuid.UUID
    school_id: uuid.UUID
    school_code: str
    school_name: str
    rank: int
    total: float
    weighted: float
    bonus: float
    grade: str
    vetoed: bool
    veto_reasons: list[VetoReason]
    categories: list[CategoryScore]
    items: list[ItemScore]
    assignment_id: uuid.UUID | None
    acceptance: str | None
    inspected_pct: float | None
    objective_pct: float | None
    self_pct: float | None
    previous_total: float | None
    change: float | None
    computed_at: dt.datetime
    #: ``True`` once the year-end evaluation is signed off: this result no longer changes.
    frozen: bool = False
    signed_off_by: str | None = None
    signed_off_at: dt.datetime | None = None
    digest: str | None = None


class RankingRow(msgspec.Struct):
    rank: int
    school_id: uuid.UUID
    school_code: str
    school_name: str
    total: float
    grade: str
    vetoed: bool
    veto_reasons: list[str]
    #: Weighted score of each category, by code.
    categories: dict[str, float]
    acceptance: str | None
    inspected: bool
    self_pct: float | None
    inspected_pct: float | None
    change: float | None


class CategoryHeading(msgspec.Struct):
    code: str
    title: str
    weight: float


class TeamCalibration(msgspec.Struct):
    team_id: uuid.UUID
    team_name: str
    schools: int
    mean_gap: float
    #: Percentage points above (+) or below (−) the other teams.
    deviation: float
    flagged: bool


class Ranking(msgspec.Struct):
    campaign_id: uuid.UUID
    computed_at: dt.datetime | None
    #: Inputs changed since: a recompute is on its way.
    stale: bool
    frozen: bool
    grade_bands: dict[str, float]
    distribution: dict[str, int]
    categories: list[CategoryHeading]
    rows: list[RankingRow]
    calibration: list[TeamCalibration]


class Progress(msgspec.Struct):
    schools: int
    self_assessments_submitted: int
    self_assessments_in_progress: int
    inspections: dict[str, int]


class Dashboard(msgspec.Struct):
    campaign_id: uuid.UUID
    computed_at: dt.datetime | None
    stale: bool
    progress: Progress
    average_total: float | None
    distribution: dict[str, int]
    vetoed: int
    top: list[RankingRow]
    bottom: list[RankingRow]
    flagged_teams: list[TeamCalibration]
