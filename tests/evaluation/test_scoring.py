"""Totals, vetoes, bonus, grade bands, ranks and inspector calibration, checked against hand computations on
a small constructed rubric."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from evaluation.domain.rankings.scoring import (
    Entry,
    Grade,
    MetricValue,
    SheetForCalibration,
    calibration,
    competition_ranks,
    score_school,
)
from evaluation.domain.rubrics.definition import Rubric, definition_problems
from evaluation.domain.rubrics.schemas import (
    BonusItem,
    Category,
    Indicator,
    IndicatorSource,
    RubricDefinition,
    VetoItem,
)

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def rubric() -> Rubric:
    """Two categories (60 / 40); one objective ratio, one objective count; two bonus items capped at 5; a
    veto by inspection and a veto by metric."""
    return Rubric(
        RubricDefinition(
            title="test",
            categories=[
                Category(
                    code="a",
                    title="A",
                    weight=60,
                    indicators=[
                        Indicator(code="a1", title="a1", max_points=10),
                        Indicator(code="a2", title="a2", max_points=10),
                    ],
                ),
                Category(
                    code="b",
                    title="B",
                    weight=40,
                    indicators=[
                        Indicator(
                            code="b1",
                            title="b1",
                            max_points=8,
                            source=IndicatorSource.OBJECTIVE,
                            metric="hazards.closed_on_time",
                        ),
                        Indicator(
                            code="b2",
                            title="b2",
                            max_points=2,
                            source=IndicatorSource.OBJECTIVE,
                            metric="hazards.overdue",
                            deduction_per_unit=0.5,
                        ),
                    ],
                ),
            ],
            bonus_items=[
                BonusItem(code="x1", title="x1", max_points=4),
                BonusItem(code="x2", title="x2", max_points=4),
            ],
            veto_items=[
                VetoItem(code="v1", title="concealment"),
                VetoItem(code="v2", title="major accident", metric="hazards.major_incidents", threshold=1),
            ],
            bonus_cap=5,
        )
    )


def figures(**values: float) -> dict[str, MetricValue]:
    return {key.replace("_", ".", 1): MetricValue(value, {"v": value}, NOW) for key, value in values.items()}


def test_the_constructed_rubric_is_sound():
    assert definition_problems(rubric().definition) == []


def test_total_is_the_weighted_categories_plus_capped_bonus():
    score = score_school(
        rubric(),
        {"a1": Entry(8), "a2": Entry(5), "x1": Entry(4), "x2": Entry(3)},
        figures(hazards_closed_on_time=0.75, hazards_overdue=1),
    )
    # A: 60 × 13/20 = 39; B: 40 × (8×0.75 + (2 − 0.5×1)) / 10 = 40 × 7.5/10 = 30; bonus min(5, 7) = 5
    assert [c.score for c in score.categories] == [39.0, 30.0]
    assert score.weighted == 69.0
    assert score.bonus == 5.0
    assert score.total == 74.0
    assert score.grade is Grade.PASS
    assert not score.vetoed


@pytest.mark.parametrize(
    ("a1", "a2", "grade"),
    [(10, 10, Grade.EXCELLENT), (10, 5, Grade.GOOD), (7, 3, Grade.PASS), (2, 2, Grade.FAIL)],
)
def test_grade_bands_follow_the_rubric(a1, a2, grade):
    score = score_school(
        rubric(), {"a1": Entry(a1), "a2": Entry(a2)}, figures(hazards_closed_on_time=1, hazards_overdue=0)
    )
    # A: 60 × (a1+a2)/20, B: 40 → 100 / 85 / 70 / 52
    assert score.grade is grade


def test_a_veto_by_the_inspection_team_fails_a_perfect_school():
    score = score_school(
        rubric(),
        {"a1": Entry(10), "a2": Entry(10), "v1": Entry(triggered=True, comment="瞒报")},
        figures(hazards_closed_on_time=1, hazards_overdue=0),
    )
    assert score.total == 100.0
    assert score.vetoed
    assert score.grade is Grade.FAIL
    assert [(v.code, v.by) for v in score.veto_reasons] == [("v1", "inspection")]


def test_a_veto_by_metric_triggers_at_its_threshold_and_not_below():
    entries = {"a1": Entry(10), "a2": Entry(10)}
    clear = score_school(rubric(), entries, figures(hazards_major_incidents=0))
    assert not clear.vetoed
    hit = score_school(rubric(), entries, figures(hazards_major_incidents=1))
    assert hit.vetoed and hit.grade is Grade.FAIL
    assert [(v.code, v.by) for v in hit.veto_reasons] == [("v2", "metric")]


def test_missing_figures_and_missing_scores_count_zero_and_say_so():
    score = score_school(rubric(), {"a1": Entry(10)}, {})
    states = {i.code: i.state for i in score.items}
    assert states["a2"] == "not_scored"
    assert states["b1"] == "no_data"
    assert score.total == 30.0  # 60 × 10/20


def test_a_count_metric_never_goes_below_zero_and_shows_its_figures():
    score = score_school(rubric(), {}, figures(hazards_overdue=9, hazards_closed_on_time=1))
    b2 = next(i for i in score.items if i.code == "b2")
    assert b2.points == 0.0
    assert b2.figures == {"v": 9}


def test_points_above_the_maximum_are_capped():
    score = score_school(rubric(), {"a1": Entry(50)}, {})
    assert next(i for i in score.items if i.code == "a1").points == 10.0


def test_ranks_share_ties_and_put_vetoed_schools_last():
    ranks = competition_ranks(
        [("p", 90.0, False), ("q", 80.0, False), ("r", 80.0, False), ("s", 99.0, True), ("t", 70.0, False)]
    )
    assert ranks == {"p": 1, "q": 2, "r": 2, "t": 4, "s": 5}


def test_calibration_shows_a_team_that_scores_above_the_others():
    generous, strict, fair = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sheets = [
        SheetForCalibration(generous, "generous", inspected_pct=95, objective_pct=70),  # gap +25
        SheetForCalibration(generous, "generous", inspected_pct=90, objective_pct=75),  # gap +15
        SheetForCalibration(strict, "strict", inspected_pct=70, objective_pct=72),  # gap −2
        SheetForCalibration(fair, "fair", inspected_pct=80, objective_pct=78),  # gap +2
    ]
    by_team = {t.team_name: t for t in calibration(sheets)}
    # generous: mean gap 20, others' mean gap 0 → +20; strict: −2 − (25+15+2)/3 = −16
    assert by_team["generous"].deviation == 20.0 and by_team["generous"].flagged
    assert by_team["strict"].deviation == -16.0 and by_team["strict"].flagged
    assert by_team["fair"].deviation == pytest.approx(2 - (25 + 15 - 2) / 3, abs=0.01)
    assert by_team["generous"].schools == 2


def test_a_single_team_has_nobody_to_be_compared_with():
    team = uuid.uuid4()
    (only,) = calibration([SheetForCalibration(team, "only", inspected_pct=99, objective_pct=10)])
    assert only.deviation == 0.0 and not only.flagged


def test_the_rubric_rules_reject_bad_weights_unknown_metrics_and_duplicate_codes():
    bad = RubricDefinition(
        title="bad",
        categories=[
            Category(
                code="a",
                title="A",
                weight=70,
                indicators=[
                    Indicator(
                        code="a1", title="a1", max_points=5, source=IndicatorSource.OBJECTIVE, metric="nope"
                    ),
                    Indicator(code="a1", title="again", max_points=5),
                ],
            )
        ],
        veto_items=[VetoItem(code="v", title="v", metric="hazards.closed_on_time")],
    )
    keys = {p["key"] for p in definition_problems(bad)}
    assert keys == {"categories", "categories[0].indicators[0].metric", "veto_items[0].metric", "code"}
