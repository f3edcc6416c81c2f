"""HTTP for reports: request one, follow its progress, download it."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from evaluation.domain.reports import schemas
from evaluation.domain.reports.service import ReportService, to_schema
from evaluation.files import file_store
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

requesters = [requires_role("bureau", "principal")]


class ReportController(Controller):
    tags = ["reports"]

    @post(
        "/campaigns/{campaign_id:uuid}/reports",
        guards=requesters,
        operation_id="requestReport",
        status_code=202,
    )
    async def request_report(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.ReportRequest],
    ) -> Response[schemas.Report]:
        """Queue a report (the county PDF, the ranking or score sheets XLSX, or a school's report card);
        poll ``/reports/{id}`` for its progress."""
        report = to_schema(await ReportService(db_session, request.user).request(campaign_id, data))
        return Response(report, status_code=202, headers={"Location": f"/reports/{report.id}"})

    @get("/campaigns/{campaign_id:uuid}/reports", guards=requesters, operation_id="listReports")
    async def list_reports(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> list[schemas.Report]:
        """The campaign's reports, newest first (a principal sees their school's report cards only)."""
        return [to_schema(r) for r in await ReportService(db_session, request.user).list(campaign_id)]

    @get("/reports/{report_id:uuid}", guards=requesters, operation_id="getReport")
    async def get_report(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], report_id: FromPath[uuid.UUID]
    ) -> schemas.Report:
        return to_schema(await ReportService(db_session, request.user).get(report_id))

    @get("/reports/{report_id:uuid}/file", guards=requesters, operation_id="downloadReport")
    async def download_report(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], report_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        report = await ReportService(db_session, request.user).ready(report_id)
        assert report.storage_key is not None and report.content_type is not None
        return Response(
            await file_store().get(report.storage_key),
            media_type=report.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{report.filename}"',
                "Cache-Control": "private, no-store",
            },
        )
