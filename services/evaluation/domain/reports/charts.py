"""Small SVG charts for the PDF reports (WeasyPrint renders inline SVG; no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

GRADE_COLOURS = {"excellent": "#2e7d32", "good": "#1565c0", "pass": "#f9a825", "fail": "#c62828"}
BAR = "#1565c0"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    maximum: float | None = None,
    colours: Sequence[str] | None = None,
    width: int = 640,
    height: int = 240,
    value_format: str = "{:g}",
) -> str:
    """A vertical bar chart with a label under and the value over each bar."""
    top = maximum if maximum is not None else max([*values, 1.0])
    top = top or 1.0
    n = max(len(values), 1)
    left, bottom, pad = 10, 40, 20
    slot = (width - 2 * left) / n
    bar_width = slot * 0.6
    plot = height - bottom - pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot * max(0.0, value) / top
        x = left + i * slot + (slot - bar_width) / 2
        y = height - bottom - h
        colour = colours[i] if colours else BAR
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" fill="{colour}"/>',
            f'<text x="{x + bar_width / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(value_format.format(value))}</text>",
            f'<text x="{x + bar_width / 2:.1f}" y="{height - bottom + 16:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def histogram(totals: Sequence[float], *, bin_size: int = 10, width: int = 640, height: int = 240) -> str:
    """How many schools scored in each band of ``bin_size`` points (0-9, 10-19, ..., 100+)."""
    bins = [0] * (100 // bin_size + 1)
    for total in totals:
        bins[min(len(bins) - 1, max(0, int(total // bin_size)))] += 1
    labels = [f"{i * bin_size}-" for i in range(len(bins))]
    return bar_chart(labels, bins, width=width, height=height, value_format="{:.0f}")
