"""HTTP for exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from hazards.domain.exports.service import ExportService
from hazards.guards import MANAGERS, PRINCIPAL_OR_BUREAU
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Lang = Literal["zh", "en"]


def _download(filename: str, content: bytes, media_type: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


class ExportController(Controller):
    tags = ["exports"]

    @get("/exports/register.xlsx", guards=PRINCIPAL_OR_BUREAU, operation_id="exportRegister", media_type=XLSX)
    async def register(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The register as XLSX: the school's, or (the bureau) the county's with a summary per school."""
        service = ExportService(db_session, request.user, clock=clock_of(request))
        filename, content = await service.register(school_id=school_id, year=year, lang=lang)
        return _download(filename, content, XLSX)

    @get(
        "/hazards/{hazard_id:uuid}/notice.pdf",
        guards=MANAGERS,
        operation_id="getRectificationNotice",
        media_type="application/pdf",
    )
    async def notice(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: FromPath[uuid.UUID],
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The one-page rectification notice of a hazard (PDF)."""
        service = ExportService(db_session, request.user, clock=clock_of(request))
        filename, content = await service.notice(hazard_id, lang=lang)
        return _download(filename, content, "application/pdf")
