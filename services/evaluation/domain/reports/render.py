"""Turning a campaign's results into files: PDF (WeasyPrint, with SVG charts) and XLSX (openpyxl).

Pure functions of their inputs (no database): the job gathers the inputs, these render them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.domain.reports import charts
from evaluation.domain.reports.templates import GRADE_NAMES, STYLE, county_template, report_card_template
from evaluation.domain.rubrics.definition import Rubric

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRADES = ("excellent", "good", "pass", "fail")
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Inputs:
    """What every report of a campaign is made from."""

    campaign_title: str
    year: int
    frozen: bool
    rubric: Rubric
    #: Each school's result (the columns of ``school_results`` / ``year_end_results``), by rank.
    results: Sequence[Mapping[str, Any]]
    calibration: Sequence[Mapping[str, Any]]
    generated_at: dt.datetime

    @property
    def state(self) -> str:
        return "年终评价已签批 / year-end signed off" if self.frozen else "当前结果 / current results"


@dataclass(frozen=True, slots=True)
class RenderedFile:
    data: bytes
    content_type: str
    extension: str
    pages: int | None = None


def _pdf(html: str) -> RenderedFile:
    from weasyprint import HTML  # imported here: slow to import, only the worker renders

    document = HTML(string=html).render()
    return RenderedFile(document.write_pdf() or b"", PDF, ".pdf", pages=len(document.pages))


def _category_chart(rubric: Rubric, results: Sequence[Mapping[str, Any]]) -> str:
    """Average score of each category as a percentage of its weight."""
    labels, values = [], []
    for category in rubric.definition.categories:
        scores = [c["score"] for r in results for c in r["categories"] if c["code"] == category.code]
        labels.append(category.code)
        values.append(round(100 * (sum(scores) / len(scores)) / category.weight, 1) if scores else 0.0)
    return charts.bar_chart(labels, values, maximum=100, value_format="{:.0f}%")


def county_pdf(inputs: Inputs, progress: Progress) -> RenderedFile:
    results = inputs.results
    distribution = Counter(r["grade"] for r in results)
    progress(30)
    html = county_template.render(
        title=inputs.campaign_title,
        style=STYLE,
        campaign={"title": inputs.campaign_title, "year": inputs.year},
        state=inputs.state,
        generated=inputs.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        results=results,
        average=f"{sum(r['total'] for r in results) / len(results):.2f}" if results else "—",
        distribution={g: distribution.get(g, 0) for g in GRADES},
        grade_names=GRADE_NAMES,
        vetoed=[r for r in results if r["vetoed"]],
        grade_chart=charts.bar_chart(
            [GRADE_NAMES[g].split(" / ")[1] for g in GRADES],
            [distribution.get(g, 0) for g in GRADES],
            colours=[charts.GRADE_COLOURS[g] for g in GRADES],
            value_format="{:.0f}",
        ),
        histogram=charts.histogram([r["total"] for r in results]),
        category_chart=_category_chart(inputs.rubric, results),
        categories=inputs.rubric.definition.categories,
        calibration=inputs.calibration,
    )
    progress(60)
    return _pdf(html)


def report_card_pdf(inputs: Inputs, result: Mapping[str, Any], requests: Sequence[str]) -> RenderedFile:
    html = report_card_template.render(
        title=f"{result['school_name']} · {inputs.campaign_title}",
        style=STYLE,
        campaign={"title": inputs.campaign_title, "year": inputs.year},
        state=inputs.state,
        result=result,
        schools=len(inputs.results),
        grade_names=GRADE_NAMES,
        requests=list(requests),
        digest=result.get("digest"),
        category_chart=charts.bar_chart(
            [c["code"] for c in result["categories"]],
            [c["score"] for c in result["categories"]],
            maximum=max([c["weight"] for c in result["categories"]] or [1]),
            value_format="{:.1f}",
        ),
    )
    return _pdf(html)


def _workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def _save(workbook: Any) -> RenderedFile:
    from kit.storage import neutralise_formulas

    neutralise_formulas(workbook)  # names and notes typed as =HYPERLINK(...) stay text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return RenderedFile(buffer.getvalue(), XLSX, ".xlsx")


def _header(sheet: Any, headings: Sequence[str]) -> None:
    from openpyxl.styles import Font

    sheet.append(list(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def ranking_xlsx(inputs: Inputs) -> RenderedFile:
    """One row per school, by rank."""
    workbook = _workbook()
    sheet = workbook.active
    sheet.title = "ranking"
    categories = inputs.rubric.definition.categories
    _header(
        sheet,
        [
            "名次 rank",
            "学校代码 code",
            "学校 school",
            "总分 total",
            "等级 grade",
            "一票否决 vetoed",
            "否决原因 veto reasons",
            *[f"{c.title} ({c.weight:g})" for c in categories],
            "加分 bonus",
            "验收 acceptance",
            "自评得分率 self %",
            "检查得分率 inspected %",
            "较上次 change",
        ],
    )
    for r in inputs.results:
        scores = {c["code"]: c["score"] for c in r["categories"]}
        sheet.append(
            [
                r["rank"],
                r["school_code"],
                r["school_name"],
                r["total"],
                r["grade"],
                "是 yes" if r["vetoed"] else "",
                "; ".join(v["title"] for v in r["veto_reasons"]),
                *[scores.get(c.code) for c in categories],
                r["bonus"],
                r["acceptance"] or "",
                r["self_pct"],
                r["inspected_pct"],
                r["change"],
            ]
        )
    sheet.column_dimensions["C"].width = 28
    return _save(workbook)


def sheets_xlsx(inputs: Inputs, progress: Progress) -> RenderedFile:
    """Every school's score sheet, one row per school and rubric item, with the figures it came from."""
    workbook = _workbook()
    sheet = workbook.active
    sheet.title = "score sheets"
    _header(
        sheet,
        [
            "学校代码 code",
            "学校 school",
            "指标代码 item",
            "指标 title",
            "类型 kind",
            "类别 category",
            "满分 max",
            "得分 points",
            "状态 state",
            "来源 source",
            "指标值 value",
            "数据 figures",
            "说明 comment",
        ],
    )
    total = max(len(inputs.results), 1)
    for n, r in enumerate(inputs.results, start=1):
        for item in r["items"]:
            sheet.append(
                [
                    r["school_code"],
                    r["school_name"],
                    item["code"],
                    item["title"],
                    item["kind"],
                    item.get("category") or "",
                    item["max_points"],
                    item["points"],
                    item["state"],
                    item["source"],
                    item.get("value"),
                    json.dumps(item.get("figures") or {}, ensure_ascii=False) if item.get("figures") else "",
                    item.get("comment") or "",
                ]
            )
        if n % 25 == 0:
            progress(10 + int(80 * n / total))
    return _save(workbook)
