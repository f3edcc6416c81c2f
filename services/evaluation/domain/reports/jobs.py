"""Generating reports in the worker (``evaluation.report.requested``), with progress the portal can show.

Rendering runs in a thread (it is CPU-bound and the worker's event loop is shared); progress is committed
in short transactions of its own so that a poll sees it while the job runs. A report that cannot be
rendered ends ``failed`` with the reason; the bureau requests it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.domain.campaigns.models import Campaign, CampaignStatus
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.inspections.models import Assignment
from evaluation.domain.rankings.models import SchoolResult
from evaluation.domain.reports import render
from evaluation.domain.reports.models import Report, ReportKind, ReportStatus
from evaluation.domain.year_end.models import YearEndResult
from evaluation.domain.year_end.service import COPIED
from evaluation.files import file_store
from kit.broker import configure_broker, worker_database
from kit.events import REPORT_REQUESTED, Event, ReportRequested, consumer
from kit.logging import get_logger
from kit.storage import object_key
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)


async def _set_progress(tenant: TenantContext, report_id: uuid.UUID, progress: int) -> None:
    async with worker_database(SERVICE).transaction(tenant) as session:
        await session.execute(
            update(Report)
            .where(Report.id == report_id, Report.status.in_([ReportStatus.QUEUED, ReportStatus.RUNNING]))
            .values(status=ReportStatus.RUNNING, progress=progress)
        )


async def gather(session: AsyncSession, tenant: TenantContext, campaign: Campaign) -> render.Inputs:
    """The campaign's results (the frozen ones once signed off), by rank."""
    rubric = await CampaignService(session, tenant).rubric(campaign)
    frozen = campaign.status is CampaignStatus.FROZEN
    model: Any = YearEndResult if frozen else SchoolResult
    rows = (
        await session.execute(
            select(model).where(model.campaign_id == campaign.id).order_by(model.rank, model.school_code)
        )
    ).scalars()
    results = []
    for row in rows:
        values: dict[str, Any] = {key: getattr(row, key) for key in COPIED}
        values["digest"] = getattr(row, "digest", None)
        results.append(values)
    return render.Inputs(
        campaign_title=campaign.title,
        year=campaign.year,
        frozen=frozen,
        rubric=rubric,
        results=results,
        calibration=list(campaign.calibration or []),
        generated_at=dt.datetime.now(dt.UTC),
    )


async def _requests(session: AsyncSession, campaign_id: uuid.UUID, school_id: uuid.UUID) -> list[str]:
    query = (
        select(Assignment.rectification_requests)
        .where(
            Assignment.campaign_id == campaign_id,
            Assignment.school_id == school_id,
            Assignment.decided_at.is_not(None),
        )
        .order_by(Assignment.decided_at.desc())
        .limit(1)
    )
    return list((await session.execute(query)).scalar_one_or_none() or [])


async def render_report(session: AsyncSession, tenant: TenantContext, report: Report) -> render.RenderedFile:
    campaign = await CampaignService(session, tenant).get(report.campaign_id)
    inputs = await gather(session, tenant, campaign)
    loop = asyncio.get_running_loop()

    def progress(value: int) -> None:  # called from the rendering thread
        asyncio.run_coroutine_threadsafe(_set_progress(tenant, report.id, value), loop)

    await _set_progress(tenant, report.id, 10)
    match report.kind:
        case ReportKind.COUNTY_PDF:
            return await asyncio.to_thread(render.county_pdf, inputs, progress)
        case ReportKind.RANKING_XLSX:
            return await asyncio.to_thread(render.ranking_xlsx, inputs)
        case ReportKind.SHEETS_XLSX:
            return await asyncio.to_thread(render.sheets_xlsx, inputs, progress)
        case ReportKind.REPORT_CARD_PDF:
            assert report.school_id is not None
            result: Mapping[str, Any] | None = next(
                (r for r in inputs.results if r["school_id"] == report.school_id), None
            )
            if result is None:
                raise LookupError("the school has no result in this campaign yet")
            requests = await _requests(session, campaign.id, report.school_id)
            return await asyncio.to_thread(render.report_card_pdf, inputs, result, requests)
    raise LookupError(f"unknown report kind {report.kind}")  # pragma: no cover


@consumer(SERVICE, REPORT_REQUESTED, time_limit=900_000, max_retries=3)
async def generate_report(session: AsyncSession, event: Event[ReportRequested]) -> None:
    # Not locked: the progress updates run in transactions of their own (a redelivery waits on the inbox).
    report = await session.get(Report, event.payload.report_id)
    if report is None or report.status in (ReportStatus.DONE, ReportStatus.FAILED):
        return
    try:
        rendered = await render_report(session, event.tenant, report)
    except LookupError as exc:
        report.status, report.error = ReportStatus.FAILED, str(exc)
        report.finished_at = dt.datetime.now(dt.UTC)
        log.warning("report_failed", report_id=str(report.id), error=str(exc))
        return
    key = object_key(SERVICE, report.county_id, report.school_id, report.id, rendered.extension)
    await file_store().put(key, rendered.data)
    campaign_year = (await CampaignService(session, event.tenant).get(report.campaign_id)).year
    report.status = ReportStatus.DONE
    report.progress = 100
    report.storage_key = key
    report.content_type = rendered.content_type
    report.size = len(rendered.data)
    report.pages = rendered.pages
    report.filename = f"{report.kind.value}-{campaign_year}{rendered.extension}"
    report.finished_at = dt.datetime.now(dt.UTC)
    log.info("report_generated", report_id=str(report.id), kind=report.kind.value, size=report.size)
