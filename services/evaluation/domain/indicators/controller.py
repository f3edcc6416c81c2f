"""HTTP for objective indicators."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath

from evaluation.domain.indicators import schemas
from evaluation.domain.indicators.service import IndicatorService
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext


class IndicatorController(Controller):
    path = "/campaigns/{campaign_id:uuid}/schools/{school_id:uuid}/indicators"
    tags = ["indicators"]

    @get("/", guards=[requires_role("bureau", "principal", "teacher")], operation_id="getSchoolIndicators")
    async def school_indicators(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        school_id: FromPath[uuid.UUID],
    ) -> schemas.SchoolIndicators:
        """The campaign rubric's objective indicators for one school (the bureau: any school of its county;
        school staff: their own), each with its points, the figures and the event they came from."""
        return await IndicatorService(db_session, request.user).for_campaign_school(campaign_id, school_id)
