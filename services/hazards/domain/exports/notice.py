"""The one-page rectification notice of a hazard (PDF, rendered with WeasyPrint)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import jinja2

from hazards.domain.hazards.models import Hazard
from hazards.vocabulary import LOCAL_TZ, label

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
#: Long texts are cut (and their cells clipped to a fixed height) so that the notice fits on one page.
MAX_TEXT = 400
MAX_LINE = 120
MAX_NAME = 40

TEXT = {
    "zh": {
        "title": "安全隐患整改通知书",
        "subtitle": "学校安全专项整治 · 隐患排查整改",
        "school": "学校", "number": "编号", "hazard": "隐患名称", "category": "类别", "severity": "等级",
        "location": "位置", "found": "发现", "source": "来源", "description": "隐患描述",
        "responsible": "整改责任人", "deadline": "整改期限", "plan": "整改措施", "containment": "临时管控措施",
        "checker": "验收人", "principal": "校长", "status": "当前状态", "listed": "挂牌督办",
        "official": "督办责任人", "listing_deadline": "督办期限",
        "requirement": "请责任人按整改措施在期限内完成整改，整改完成后上传整改后照片或说明，由验收人（非整改人）验收销号。",
        "bureau_sign_off": "本隐患为重大或挂牌督办隐患，验收后须经县教育局审核销号。",
        "sign_principal": "校长（签字）", "sign_responsible": "整改责任人（签字）", "sign_date": "日期",
        "generated": "生成时间",
    },
    "en": {
        "title": "Hazard Rectification Notice",
        "subtitle": "School safety special governance campaign · hazard rectification",
        "school": "School", "number": "Number", "hazard": "Hazard", "category": "Category", "severity": "Severity",
        "location": "Location", "found": "Found", "source": "Source", "description": "Description",
        "responsible": "Responsible", "deadline": "Deadline", "plan": "Rectification plan",
        "containment": "Containment", "checker": "Checker", "principal": "Principal", "status": "Status",
        "listed": "Listed for supervision", "official": "Supervising official", "listing_deadline": "Deadline",
        "requirement": "The responsible person fixes the hazard by the deadline and uploads an after-photo or a "
        "note; a checker other than the rectifier verifies and closes it.",
        "bureau_sign_off": "This hazard is major or listed: the county bureau signs off its closure.",
        "sign_principal": "Principal (signature)", "sign_responsible": "Responsible (signature)", "sign_date": "Date",
        "generated": "Generated",
    },
}  # fmt: skip


class NoticeTooLongError(RuntimeError):
    """The notice did not fit on one page (a template change broke the one-page promise)."""


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notice_html(hazard: Hazard, *, school_name: str, now: dt.datetime, lang: str = "zh") -> str:
    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else "—"

    return _TEMPLATES.get_template("notice.html").render(
        t=TEXT["en" if lang == "en" else "zh"],
        h=hazard,
        title=_cut(hazard.title, MAX_LINE),
        location=_cut(hazard.location_text, MAX_LINE),
        reported_by=_cut(hazard.reported_by_name, MAX_NAME),
        responsible=_cut(hazard.responsible_name, MAX_NAME) or "—",
        checker=_cut(hazard.checker_name, MAX_NAME),
        official=_cut(hazard.listed_official, MAX_NAME),
        school_name=_cut(school_name, MAX_NAME) or "—",
        category=label(hazard.category.value, lang),
        severity=label(hazard.severity.value, lang),
        area=label(hazard.area.value, lang),
        source=label(hazard.source.value, lang),
        status=label(hazard.status.value, lang),
        reported_on=hazard.reported_at.astimezone(LOCAL_TZ).date().isoformat(),
        description=_cut(hazard.description) or "—",
        plan=_cut(hazard.plan) or "—",
        containment=_cut(hazard.containment, MAX_LINE) or "—",
        deadline=day(hazard.deadline),
        listing_deadline=day(hazard.listed_deadline),
        sign_off=hazard.needs_bureau_sign_off,
        generated=now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
    )


def _render(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html).render()
    if len(document.pages) != 1:
        raise NoticeTooLongError(f"the notice has {len(document.pages)} pages")
    return bytes(document.write_pdf())


async def notice_pdf(hazard: Hazard, *, school_name: str, now: dt.datetime, lang: str = "zh") -> bytes:
    """The notice as PDF bytes (rendered off the event loop)."""
    return await asyncio.to_thread(_render, notice_html(hazard, school_name=school_name, now=now, lang=lang))
