"""The ranking charts' geometry (drawn as SVG by the templates): bars in rank order, lengths in proportion
to the totals, the grade bands' lines where their totals are, columns in proportion to the counts."""

from __future__ import annotations

import portal.nav  # noqa: F401  (first: it imports every page area, which in turn imports it)
from portal.domain.evaluation.charts import (
    LABEL_WIDTH,
    VALUE_WIDTH,
    WIDTH,
    distribution_chart,
    totals_chart,
)

BANDS = {"excellent": 90.0, "good": 75.0, "pass": 60.0}


def test_bars_follow_the_ranking_and_their_length_is_in_proportion_to_the_total():
    rows = [
        {"school_name": "第一中学", "total": 96.5, "grade": "excellent"},
        {"school_name": "一个名字非常非常长的乡村小学", "total": 48.25, "grade": "fail"},
    ]
    chart = totals_chart(rows, BANDS)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    first, second = chart.bars
    assert [b.grade for b in chart.bars] == ["excellent", "fail"]
    assert first.y < second.y
    assert first.width == round(plot * 96.5 / 100, 1) and second.width == round(first.width / 2, 1)
    assert second.label.endswith("…") and len(second.label) == 11
    assert {line.grade: line.x for line in chart.lines} == {
        "excellent": LABEL_WIDTH + plot * 0.9,
        "good": LABEL_WIDTH + plot * 0.75,
        "pass": LABEL_WIDTH + plot * 0.6,
    }


def test_a_total_above_100_with_bonus_points_stretches_the_scale():
    chart = totals_chart([{"school_name": "A", "total": 104.0, "grade": "excellent"}], BANDS)
    assert chart.bars[0].width == WIDTH - LABEL_WIDTH - VALUE_WIDTH


def test_the_distribution_has_a_column_per_grade_in_proportion_to_the_counts():
    chart = distribution_chart({"excellent": 2, "good": 4, "fail": 1})
    heights = {bar.grade: bar.height for bar in chart.bars}
    assert list(heights) == ["excellent", "good", "pass", "fail"]
    assert heights["pass"] == 0 and heights["good"] == 2 * heights["excellent"] == 4 * heights["fail"]
