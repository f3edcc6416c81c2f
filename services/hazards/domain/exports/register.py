"""The hazard register as an XLSX workbook: one row per hazard (and, for a county, a summary per school)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hazards.domain.hazards.models import Hazard, Status
from hazards.domain.statistics.schemas import SchoolStatistics
from hazards.vocabulary import LOCAL_TZ, label
from kit.storage import neutralise_formulas

#: (heading zh, heading en, width)
COLUMNS: list[tuple[str, str, int]] = [
    ("隐患编号", "Number", 18),
    ("学校", "School", 24),
    ("隐患名称", "Title", 32),
    ("类别", "Category", 16),
    ("区域", "Area", 14),
    ("具体位置", "Location", 24),
    ("等级", "Severity", 10),
    ("来源", "Source", 12),
    ("状态", "Status", 16),
    ("上报人", "Reported by", 14),
    ("上报时间", "Reported at", 18),
    ("整改责任人", "Responsible", 14),
    ("整改措施", "Plan", 32),
    ("临时管控措施", "Containment", 24),
    ("整改期限", "Deadline", 12),
    ("是否逾期", "Overdue", 10),
    ("挂牌督办", "Listed", 10),
    ("督办责任人", "Supervising official", 14),
    ("督办期限", "Listing deadline", 12),
    ("整改人", "Rectified by", 14),
    ("整改完成时间", "Rectified at", 18),
    ("验收人", "Verified by", 14),
    ("教育局销号", "Bureau sign-off", 14),
    ("销号时间", "Closed at", 18),
]
SUMMARY_COLUMNS: list[tuple[str, str, int]] = [
    ("学校", "School", 24),
    ("本年上报", "Reported", 10),
    ("未销号", "Open", 10),
    ("逾期", "Overdue", 10),
    ("本年销号", "Closed", 10),
    ("按期销号", "Closed on time", 12),
    ("按期销号率", "On-time rate", 12),
    ("平均销号天数", "Avg days to close", 14),
    ("挂牌督办未销号", "Listed open", 14),
    ("重大隐患未销号", "Major open", 14),
]
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # openpyxl cannot store an offset: write the wall-clock time at the school.
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0) if value else None


def _yes(value: bool, lang: str) -> str:
    if lang == "en":
        return "yes" if value else "no"
    return "是" if value else "否"


def _header(ws: Any, columns: list[tuple[str, str, int]], lang: str) -> None:
    ws.append([en if lang == "en" else zh for zh, en, _ in columns])
    for index, (_, _, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def register_workbook(
    hazards: Sequence[Hazard],
    *,
    school_names: dict[uuid.UUID, str],
    today: dt.date,
    lang: str = "zh",
    summary: Sequence[SchoolStatistics] = (),
) -> bytes:
    """The register of ``hazards`` (and a summary sheet when ``summary`` is given) as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Register" if lang == "en" else "隐患台账"
    _header(sheet, COLUMNS, lang)
    for h in hazards:
        overdue = h.status == Status.RECTIFYING and h.deadline is not None and h.deadline < today
        sheet.append(
            [
                h.number,
                school_names.get(h.school_id, ""),
                h.title,
                label(h.category.value, lang),
                label(h.area.value, lang),
                h.location_text,
                label(h.severity.value, lang),
                label(h.source.value, lang),
                label(h.status.value, lang),
                h.reported_by_name,
                _local(h.reported_at),
                h.responsible_name,
                h.plan,
                h.containment,
                h.deadline,
                _yes(overdue, lang),
                _yes(h.listed, lang),
                h.listed_official,
                h.listed_deadline,
                h.rectified_by_name,
                _local(h.rectified_at),
                h.verified_by_name,
                h.signed_off_by_name,
                _local(h.closed_at) if h.status == Status.CLOSED else None,
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.auto_filter.ref = sheet.dimensions
    if summary:
        totals = workbook.create_sheet("Summary" if lang == "en" else "汇总")
        _header(totals, SUMMARY_COLUMNS, lang)
        for s in summary:
            totals.append(
                [
                    s.school_name or str(s.school_id),
                    s.reported,
                    s.open,
                    s.overdue,
                    s.closed,
                    s.closed_on_time,
                    s.closed_on_time_rate,
                    s.average_days_to_close,
                    s.listed_open,
                    s.major_open,
                ]
            )
    buffer = io.BytesIO()
    neutralise_formulas(workbook)  # a title typed as =HYPERLINK(...) stays text
    workbook.save(buffer)
    return buffer.getvalue()
