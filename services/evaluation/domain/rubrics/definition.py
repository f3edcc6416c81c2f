"""Reading a rubric version: its rules (checked before it is saved) and its items by code."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import msgspec

from evaluation.domain.indicators.metrics import METRICS, MetricKind
from evaluation.domain.rubrics.schemas import IndicatorSource, RubricDefinition

MAX_ITEMS = 200


class ItemKind(enum.StrEnum):
    INDICATOR = "indicator"
    BONUS = "bonus"
    VETO = "veto"


@dataclass(frozen=True, slots=True)
class Item:
    """Anything a score sheet can hold an entry for."""

    code: str
    kind: ItemKind
    title: str
    #: 0 for a veto item.
    max_points: float
    guidance: str
    required_evidence: tuple[str, ...]
    category: str | None = None
    source: IndicatorSource | None = None
    metric: str | None = None
    deduction_per_unit: float | None = None
    threshold: int = 1

    @property
    def scored_by_people(self) -> bool:
        """Inspectors (and the school's self-assessment) give it an entry; objective indicators are computed."""
        return self.source is not IndicatorSource.OBJECTIVE


class Rubric:
    """A parsed rubric version."""

    def __init__(self, definition: RubricDefinition) -> None:
        self.definition = definition
        items: list[Item] = []
        for category in definition.categories:
            items += [
                Item(
                    code=i.code,
                    kind=ItemKind.INDICATOR,
                    title=i.title,
                    max_points=i.max_points,
                    guidance=i.guidance,
                    required_evidence=tuple(i.required_evidence),
                    category=category.code,
                    source=i.source,
                    metric=i.metric,
                    deduction_per_unit=i.deduction_per_unit,
                )
                for i in category.indicators
            ]
        items += [
            Item(b.code, ItemKind.BONUS, b.title, b.max_points, b.guidance, tuple(b.required_evidence))
            for b in definition.bonus_items
        ]
        items += [
            Item(v.code, ItemKind.VETO, v.title, 0, v.guidance, (), metric=v.metric, threshold=v.threshold)
            for v in definition.veto_items
        ]
        self.items = items
        self.by_code = {item.code: item for item in items}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Rubric:
        return cls(msgspec.convert(document, RubricDefinition))

    def item(self, code: str) -> Item | None:
        return self.by_code.get(code)

    def indicators(self, category: str | None = None) -> list[Item]:
        return [
            i
            for i in self.items
            if i.kind is ItemKind.INDICATOR and (category is None or i.category == category)
        ]


def definition_problems(definition: RubricDefinition) -> list[dict[str, str]]:
    """What breaks the rules of a rubric (empty when it is sound), as ``{"key", "message"}`` items."""
    problems: list[dict[str, str]] = []
    weights = sum(c.weight for c in definition.categories)
    if abs(weights - 100) > 0.01:
        problems.append({"key": "categories", "message": f"the weights add up to {weights:g}, not 100"})
    codes: list[str] = [c.code for c in definition.categories]
    for ci, category in enumerate(definition.categories):
        for ii, indicator in enumerate(category.indicators):
            key = f"categories[{ci}].indicators[{ii}]"
            codes.append(indicator.code)
            if indicator.source is IndicatorSource.OBJECTIVE:
                metric = METRICS.get(indicator.metric or "")
                if metric is None:
                    problems.append(
                        {"key": f"{key}.metric", "message": "an objective indicator needs a known metric"}
                    )
                elif indicator.deduction_per_unit is not None and metric.kind is not MetricKind.COUNT:
                    problems.append(
                        {"key": f"{key}.deduction_per_unit", "message": "only count metrics deduct per unit"}
                    )
            elif indicator.metric is not None or indicator.deduction_per_unit is not None:
                problems.append(
                    {"key": f"{key}.metric", "message": "only objective indicators have a metric"}
                )
    codes += [b.code for b in definition.bonus_items]
    for vi, veto in enumerate(definition.veto_items):
        codes.append(veto.code)
        if veto.metric is not None:
            metric = METRICS.get(veto.metric)
            if metric is None or metric.kind is not MetricKind.COUNT:
                problems.append(
                    {"key": f"veto_items[{vi}].metric", "message": "a veto needs a known count metric"}
                )
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problems.append({"key": "code", "message": "codes used twice: " + ", ".join(duplicates)})
    if len(codes) > MAX_ITEMS:
        problems.append({"key": "categories", "message": f"at most {MAX_ITEMS} items in a rubric"})
    bands = definition.grade_bands
    if not bands.excellent > bands.good > bands.pass_:
        problems.append({"key": "grade_bands", "message": "excellent > good > pass is required"})
    return problems
