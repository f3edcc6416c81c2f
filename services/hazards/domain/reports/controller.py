"""HTTP for the reporting channel: the public form's endpoint (the one route without a token), the
school's QR link and its review queue."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from hazards.domain.reports import schemas
from hazards.domain.reports.channel import PublicChannel, RateLimitedError
from hazards.domain.reports.models import PublicReportStatus
from hazards.domain.reports.service import ReportReviewService, link_schema
from hazards.guards import PRINCIPAL, PRINCIPAL_OR_BUREAU
from hazards.web import MAX_FORM_BODY, clock_of, read_form, store_of
from kit.db import DbSession
from tenants import TenantContext

#: The routes that answer without a token. tests/test_route_matrix.py holds the same list and fails when a
#: route is excluded from authentication without being named there.
PUBLIC_ROUTES = ("POST /public/reports/{token:str}",)


class PublicReportController(Controller):
    path = "/public/reports"
    tags = ["public"]

    @post(
        "/{token:str}",
        exclude_from_auth=True,
        security=[{}],
        operation_id="submitPublicReport",
        status_code=202,
        request_max_body_size=MAX_FORM_BODY,
    )
    async def submit(self, request: Request[Any, Any, Any], token: FromPath[str]) -> schemas.Receipt:
        """Anyone with a school's QR link reports a hazard anonymously (form fields ``category``,
        ``description``, ``area``, ``place``, ``contact``, optional ``photo``). The answer is a receipt and
        nothing else; an unknown link answers 404; too many reports answer 429."""
        channel = PublicChannel(
            request.app.state.database,
            store_of(request),
            clock=clock_of(request),
            limits=request.app.state.report_limits,
        )
        client = request.client.host if request.client else "unknown"
        try:
            # Throttled and checked before the body is read: a flood costs a counter, not an upload.
            admission = await channel.admit(token, client)
            fields, photo = await read_form(request, file_field="photo")
            return await channel.submit(admission, fields, photo)
        except RateLimitedError as exc:
            raise TooManyRequestsException(exc.detail, headers={"Retry-After": str(exc.retry_after)}) from exc


class ReportLinkController(Controller):
    path = "/report-link"
    tags = ["reports"]

    @get("/", guards=PRINCIPAL, operation_id="getReportLink")
    async def current(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.ReportLink:
        """The school's public reporting link (created on first use), to print as a QR code."""
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        return link_schema(await service.current_link())

    @post("/rotate", guards=PRINCIPAL, operation_id="rotateReportLink", status_code=200)
    async def rotate(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.ReportLink:
        """A new link; the old one (and every QR code printed from it) stops working."""
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        return link_schema(await service.rotate_link())


class ReviewQueueController(Controller):
    path = "/public-reports"
    tags = ["reports"]

    @get("/", guards=PRINCIPAL_OR_BUREAU, operation_id="listPublicReports")
    async def list_reports(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[PublicReportStatus | None] = PublicReportStatus.PENDING,
        school_id: FromQuery[uuid.UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.PublicReportPage:
        """The review queue (pending reports by default)."""
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        return await service.page(status=status, school_id=school_id, limit=limit, offset=offset)

    @get("/{report_id:uuid}", guards=PRINCIPAL_OR_BUREAU, operation_id="getPublicReport")
    async def get_report(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], report_id: FromPath[uuid.UUID]
    ) -> schemas.PublicReport:
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        return await service.to_schema(await service.get(report_id))

    @post("/{report_id:uuid}/accept", guards=PRINCIPAL, operation_id="acceptPublicReport", status_code=201)
    async def accept(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        report_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Acceptance],
    ) -> Response[schemas.PublicReport]:
        """Enter the report in the register as a reported hazard (source ``public_report``)."""
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        hazard_id = await service.accept(report_id, data)
        report = await service.to_schema(await service.get(report_id))
        return Response(report, status_code=201, headers={"Location": f"/hazards/{hazard_id}"})

    @post("/{report_id:uuid}/dismiss", guards=PRINCIPAL, operation_id="dismissPublicReport", status_code=200)
    async def dismiss(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        report_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Dismissal],
    ) -> schemas.PublicReport:
        """Not a hazard, or spam: the report leaves the queue with the reason."""
        service = ReportReviewService(db_session, request.user, clock=clock_of(request))
        return await service.to_schema(await service.dismiss(report_id, data))
