"""Geometry of the ranking's charts, drawn as SVG by the templates (``evaluation/_charts.html``).

Server-rendered: no script draws them, and the CSP (no inline styles) is kept by using SVG presentation
attributes and classes only. Names stay text in the template, so autoescaping covers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.domain.evaluation.common import GRADE_ORDER

WIDTH = 480
LABEL_WIDTH = 150
VALUE_WIDTH = 48
ROW_HEIGHT = 26
TOP = 28
NAME_CHARS = 11


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    grade: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class BandLine:
    grade: str
    value: float
    x: float


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    lines: list[BandLine]
    plot_left: float
    plot_right: float


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def totals_chart(rows: list[dict[str, Any]], bands: dict[str, float]) -> Chart:
    """One horizontal bar per school, in rank order, coloured by grade, with the grade bands' lines."""
    scale_max = max([100.0, *(float(r["total"]) for r in rows)])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=_short(str(row["school_name"])),
            value=float(row["total"]),
            grade=str(row["grade"]),
            x=LABEL_WIDTH,
            y=TOP + index * ROW_HEIGHT,
            width=round(plot * float(row["total"]) / scale_max, 1),
            height=ROW_HEIGHT - 8,
        )
        for index, row in enumerate(rows)
    ]
    lines = [
        BandLine(
            grade=grade,
            value=float(bands[grade]),
            x=round(LABEL_WIDTH + plot * float(bands[grade]) / scale_max, 1),
        )
        for grade in GRADE_ORDER
        if grade in bands
    ]
    return Chart(
        width=WIDTH,
        height=TOP + max(1, len(rows)) * ROW_HEIGHT + 8,
        bars=bars,
        lines=lines,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + plot,
    )


DIST_WIDTH = 320
DIST_HEIGHT = 200
DIST_BASE = 170


def distribution_chart(distribution: dict[str, int]) -> Chart:
    """One column per grade, from excellent to fail."""
    top = max([1, *distribution.values()])
    column = DIST_WIDTH / len(GRADE_ORDER)
    bars = []
    for index, grade in enumerate(GRADE_ORDER):
        count = int(distribution.get(grade, 0))
        height = round((DIST_BASE - 24) * count / top, 1)
        bars.append(
            Bar(
                label=grade,
                value=count,
                grade=grade,
                x=round(index * column + column * 0.2, 1),
                y=DIST_BASE - height,
                width=round(column * 0.6, 1),
                height=height,
            )
        )
    return Chart(
        width=DIST_WIDTH, height=DIST_HEIGHT, bars=bars, lines=[], plot_left=0, plot_right=DIST_WIDTH
    )
