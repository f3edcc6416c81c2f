"""How a school's total, grade and rank follow from the rubric, the inspection scores and the objective
metrics. Pure functions: the recompute job, the indicator view and the tests share them.

- An inspection indicator counts the points the inspection team gave (none given: 0).
- An objective indicator counts ``max × ratio`` for a ratio metric, ``max − deduction × count`` (not
  below 0) for a count metric, and 0 while no figures have arrived.
- A category scores ``weight × points / max points`` of its indicators; the weighted total is their sum.
- Bonus points (capped by the rubric's ``bonus_cap``) are added on top.
- One triggered veto item — by the inspection team, or a count metric reaching its threshold — makes
  the grade ``fail`` whatever the total.
- Grades: ``excellent`` / ``good`` / ``pass`` from the rubric's lowest totals, else ``fail``.
- Ranks: by total, highest first, vetoed schools after all others; equal totals share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
import uuid
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evaluation.domain.indicators.metrics import METRICS, MetricKind
from evaluation.domain.rubrics.definition import Item, ItemKind, Rubric
from evaluation.domain.rubrics.schemas import IndicatorSource

#: A team whose scores sit further than this (percentage points) from the other teams' is flagged.
CALIBRATION_THRESHOLD = 5.0


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 - the grade, not a secret
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class MetricValue:
    """The latest figures of one metric for one school."""

    value: float
    figures: Mapping[str, Any]
    as_of: dt.datetime
    source_event_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """What the inspection team (or the school, in its self-assessment) gave one item."""

    points: float | None = None
    triggered: bool = False
    comment: str = ""


@dataclass(frozen=True, slots=True)
class ItemResult:
    code: str
    kind: ItemKind
    title: str
    max_points: float
    points: float
    category: str | None
    source: str
    #: ``scored``, ``not_scored``, ``computed``, ``no_data``, ``triggered``, ``clear``
    state: str
    metric: str | None = None
    value: float | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)
    as_of: dt.datetime | None = None
    source_event_id: uuid.UUID | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class CategoryResult:
    code: str
    title: str
    weight: float
    points: float
    max_points: float
    score: float


@dataclass(frozen=True, slots=True)
class VetoReason:
    code: str
    title: str
    by: str  # "inspection" or "metric"


@dataclass(frozen=True, slots=True)
class SchoolScore:
    total: float
    weighted: float
    bonus: float
    vetoed: bool
    veto_reasons: tuple[VetoReason, ...]
    grade: Grade
    categories: tuple[CategoryResult, ...]
    items: tuple[ItemResult, ...]
    #: Share of the people-scored indicators' points the team gave, and of the objective ones' (0-100).
    inspected_pct: float | None
    objective_pct: float | None


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def objective_points(item: Item, value: MetricValue | None) -> float | None:
    """Points of an objective indicator from its metric's value; ``None`` when no figures arrived yet."""
    if value is None or item.metric is None:
        return None
    metric = METRICS[item.metric]
    if metric.kind is MetricKind.RATIO:
        return item.max_points * min(1.0, max(0.0, value.value))
    deduction = item.deduction_per_unit or item.max_points
    return max(0.0, item.max_points - deduction * max(0.0, value.value))


def grade_for(total: float, vetoed: bool, rubric: Rubric) -> Grade:
    bands = rubric.definition.grade_bands
    if vetoed:
        return Grade.FAIL
    if total >= bands.excellent:
        return Grade.EXCELLENT
    if total >= bands.good:
        return Grade.GOOD
    if total >= bands.pass_:
        return Grade.PASS
    return Grade.FAIL


def _item_result(item: Item, entry: Entry | None, metrics: Mapping[str, MetricValue]) -> ItemResult:
    base = {
        "code": item.code,
        "kind": item.kind,
        "title": item.title,
        "max_points": item.max_points,
        "category": item.category,
        "metric": item.metric,
    }
    if item.kind is ItemKind.VETO:
        value = metrics.get(item.metric) if item.metric else None
        by_metric = value is not None and value.value >= item.threshold
        triggered = by_metric or bool(entry and entry.triggered)
        return ItemResult(
            **base,
            points=0.0,
            source="metric" if by_metric else "inspection",
            state="triggered" if triggered else "clear",
            value=value.value if value else None,
            figures=value.figures if value else {},
            as_of=value.as_of if value else None,
            source_event_id=value.source_event_id if value else None,
            comment=entry.comment if entry else "",
        )
    if item.source is IndicatorSource.OBJECTIVE:
        value = metrics.get(item.metric or "")
        points = objective_points(item, value)
        return ItemResult(
            **base,
            points=_round(points or 0.0),
            source="objective",
            state="no_data" if points is None else "computed",
            value=value.value if value else None,
            figures=value.figures if value else {},
            as_of=value.as_of if value else None,
            source_event_id=value.source_event_id if value else None,
        )
    scored = entry is not None and entry.points is not None
    points = min(item.max_points, max(0.0, entry.points)) if entry and entry.points is not None else 0.0
    return ItemResult(
        **base,
        points=_round(points),
        source="inspection",
        state="scored" if scored else "not_scored",
        comment=entry.comment if entry else "",
    )


def score_school(
    rubric: Rubric, entries: Mapping[str, Entry], metrics: Mapping[str, MetricValue]
) -> SchoolScore:
    """The school's result under ``rubric`` from the team's ``entries`` (by item code) and its ``metrics``."""
    items = tuple(_item_result(item, entries.get(item.code), metrics) for item in rubric.items)
    by_code = {r.code: r for r in items}
    categories = []
    for category in rubric.definition.categories:
        results = [by_code[i.code] for i in category.indicators]
        points = sum(r.points for r in results)
        maximum = sum(r.max_points for r in results)
        categories.append(
            CategoryResult(
                code=category.code,
                title=category.title,
                weight=category.weight,
                points=_round(points),
                max_points=_round(maximum),
                score=_round(category.weight * points / maximum),
            )
        )
    weighted = sum(c.score for c in categories)
    bonus = min(rubric.definition.bonus_cap, sum(r.points for r in items if r.kind is ItemKind.BONUS))
    vetoes = tuple(
        VetoReason(r.code, r.title, r.source)
        for r in items
        if r.kind is ItemKind.VETO and r.state == "triggered"
    )
    total = _round(weighted + bonus)
    people = [r for r in items if r.kind is ItemKind.INDICATOR and r.source == "inspection"]
    objective = [r for r in items if r.kind is ItemKind.INDICATOR and r.source == "objective"]
    return SchoolScore(
        total=total,
        weighted=_round(weighted),
        bonus=_round(bonus),
        vetoed=bool(vetoes),
        veto_reasons=vetoes,
        grade=grade_for(total, bool(vetoes), rubric),
        categories=tuple(categories),
        items=items,
        inspected_pct=_percent(people),
        objective_pct=_percent(objective),
    )


def _percent(results: Sequence[ItemResult]) -> float | None:
    maximum = sum(r.max_points for r in results)
    if not results or maximum == 0:
        return None
    return _round(100 * sum(r.points for r in results) / maximum)


def competition_ranks(scores: Iterable[tuple[Hashable, float, bool]]) -> dict[Hashable, int]:
    """Ranks of ``(key, total, vetoed)``: highest total first, vetoed last, ties share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (s[2], -s[1]))
    ranks: dict[Hashable, int] = {}
    previous: tuple[bool, float] | None = None
    rank = 0
    for position, (key, total, vetoed) in enumerate(ordered, start=1):
        if (vetoed, total) != previous:
            rank, previous = position, (vetoed, total)
        ranks[key] = rank
    return ranks


@dataclass(frozen=True, slots=True)
class SheetForCalibration:
    team_id: uuid.UUID
    team_name: str
    inspected_pct: float
    objective_pct: float | None


@dataclass(frozen=True, slots=True)
class TeamCalibration:
    team_id: uuid.UUID
    team_name: str
    schools: int
    #: Mean of (inspection % − objective %) over the team's schools.
    mean_gap: float
    #: That mean minus the same mean over every other team's schools (percentage points).
    deviation: float
    flagged: bool


def calibration(sheets: Sequence[SheetForCalibration]) -> list[TeamCalibration]:
    """How far each team's scoring sits from the other teams'.

    Schools differ, so a team's scores are not compared raw: each school's inspection percentage is
    compared with its objective percentage (the same figures for everyone), and a team's mean gap with
    the mean gap of all the other teams' schools. A team is flagged when that deviation reaches
    :data:`CALIBRATION_THRESHOLD` points. With one team there is nobody to compare with.
    """
    gaps: dict[uuid.UUID, list[float]] = {}
    names: dict[uuid.UUID, str] = {}
    for sheet in sheets:
        baseline = sheet.objective_pct if sheet.objective_pct is not None else 0.0
        gap = sheet.inspected_pct - baseline
        gaps.setdefault(sheet.team_id, []).append(gap)
        names[sheet.team_id] = sheet.team_name
    result = []
    for team_id, own in gaps.items():
        others = [g for other, values in gaps.items() if other != team_id for g in values]
        mean_gap = statistics.fmean(own)
        deviation = mean_gap - statistics.fmean(others) if others else 0.0
        result.append(
            TeamCalibration(
                team_id=team_id,
                team_name=names[team_id],
                schools=len(own),
                mean_gap=_round(mean_gap),
                deviation=_round(deviation),
                flagged=bool(others) and abs(deviation) >= CALIBRATION_THRESHOLD,
            )
        )
    return sorted(result, key=lambda t: -abs(t.deviation))
