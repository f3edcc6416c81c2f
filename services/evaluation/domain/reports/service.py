"""Requesting reports and reading them. Generation runs in the worker (:mod:`.jobs`). Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.reports import schemas
from evaluation.domain.reports.models import Report, ReportKind, ReportStatus
from evaluation.outbox import outbox
from kit.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kit.events import REPORT_REQUESTED, ReportRequested
from tenants import TenantContext

COUNTY_KINDS = frozenset({ReportKind.COUNTY_PDF, ReportKind.RANKING_XLSX, ReportKind.SHEETS_XLSX})


def to_schema(report: Report) -> schemas.Report:
    return schemas.Report(
        id=report.id,
        campaign_id=report.campaign_id,
        school_id=report.school_id,
        kind=report.kind,
        status=report.status,
        progress=report.progress,
        error=report.error,
        filename=report.filename,
        size=report.size,
        pages=report.pages,
        requested_by=report.requested_by,
        created_at=report.created_at,
        finished_at=report.finished_at,
        url=f"/reports/{report.id}/file" if report.status is ReportStatus.DONE else None,
    )


class ReportService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant

    async def request(self, campaign_id: uuid.UUID, data: schemas.ReportRequest) -> Report:
        """Queue a report: the bureau any kind; a principal their school's report card."""
        campaign = await CampaignService(self.session, self.tenant).get(campaign_id)
        school_id = await self._school_of(data)
        report = Report(
            id=uuid.uuid4(),
            county_id=campaign.county_id,
            school_id=school_id,
            campaign_id=campaign.id,
            kind=data.kind,
            status=ReportStatus.QUEUED,
            progress=0,
            error="",
            requested_by=self.tenant.username,
        )
        self.session.add(report)
        await self.session.flush()
        await outbox.add(
            self.session,
            REPORT_REQUESTED,
            ReportRequested(report_id=report.id, campaign_id=campaign.id, kind=data.kind.value),
            county_id=report.county_id,
            school_id=school_id,
        )
        await self.session.refresh(report)
        return report

    async def _school_of(self, data: schemas.ReportRequest) -> uuid.UUID | None:
        if data.kind in COUNTY_KINDS:
            if self.tenant.school_id is not None:
                raise ForbiddenError("county reports are for the bureau")
            if data.school_id is not None:
                raise InvalidInputError(
                    "a county report is not about one school",
                    errors=[{"key": "school_id", "message": "not allowed"}],
                )
            return None
        if self.tenant.school_id is not None:  # school staff: their own report card
            if data.school_id not in (None, self.tenant.school_id):
                raise InvalidInputError(
                    "school staff request their own school's report card",
                    errors=[{"key": "school_id", "message": "not your school"}],
                )
            return self.tenant.school_id
        if data.school_id is None or await DirectoryRepository(self.session).get(data.school_id) is None:
            raise InvalidInputError(
                "a report card needs a school of the county",
                errors=[{"key": "school_id", "message": "unknown"}],
            )
        return data.school_id

    async def list(self, campaign_id: uuid.UUID) -> list[Report]:
        """The campaign's reports the caller may see, newest first (school staff: their school's)."""
        campaign = await CampaignService(self.session, self.tenant).get(campaign_id)
        query = (
            select(Report)
            .where(Report.campaign_id == campaign.id)
            .order_by(Report.created_at.desc())
            .limit(100)
        )
        return list((await self.session.execute(query)).scalars())

    async def get(self, report_id: uuid.UUID) -> Report:
        report = await self.session.get(Report, report_id)
        if report is None:
            raise NotFoundError("report not found")
        return report

    async def ready(self, report_id: uuid.UUID) -> Report:
        report = await self.get(report_id)
        if report.status is not ReportStatus.DONE or report.storage_key is None:
            raise ConflictError(f"the report is {report.status.value}, not ready yet")
        return report
