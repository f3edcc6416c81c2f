"""HTTP for the year-end comprehensive evaluation."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from evaluation.domain.year_end import schemas
from evaluation.domain.year_end.service import YearEndService
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

bureau_only = [requires_role("bureau")]


class YearEndController(Controller):
    path = "/campaigns/{campaign_id:uuid}/year-end"
    tags = ["year-end"]

    @post("/", guards=bureau_only, operation_id="signOffYearEnd")
    async def sign_off(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.SignOff],
    ) -> Response[schemas.YearEnd]:
        """Freeze and sign off the campaign's final results; later data never changes them."""
        result = await YearEndService(db_session, request.user).sign_off(campaign_id, data)
        return Response(result, status_code=201)

    @get("/", guards=bureau_only, operation_id="getYearEnd")
    async def get_year_end(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.YearEnd:
        return await YearEndService(db_session, request.user).get(campaign_id)
