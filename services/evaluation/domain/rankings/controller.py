"""HTTP for results, the county ranking and the dashboard."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from evaluation.domain.campaigns.schemas import Campaign
from evaluation.domain.campaigns.service import CampaignService, to_schema
from evaluation.domain.rankings import schemas
from evaluation.domain.rankings.service import ResultService
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

bureau_only = [requires_role("bureau")]


class RankingController(Controller):
    path = "/campaigns/{campaign_id:uuid}"
    tags = ["rankings"]

    @get("/ranking", guards=bureau_only, operation_id="getCountyRanking")
    async def ranking(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Ranking:
        """The county ranking with grade bands, distribution, category scores, change since the previous
        evaluation and inspector calibration, as last computed (``stale``: a recompute is on its way)."""
        return await ResultService(db_session, request.user).ranking(campaign_id)

    @post("/ranking/recompute", guards=bureau_only, operation_id="recomputeRanking", status_code=202)
    async def recompute(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> Response[Campaign]:
        """Ask for the results to be recomputed now (in the background)."""
        campaign = await CampaignService(db_session, request.user).request_recompute(campaign_id)
        return Response(to_schema(campaign), status_code=202)

    @get(
        "/results/{school_id:uuid}",
        guards=[requires_role("bureau", "principal", "teacher")],
        operation_id="getSchoolResult",
    )
    async def result(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        school_id: FromPath[uuid.UUID],
    ) -> schemas.SchoolResult:
        """One school's result and its breakdown (the bureau: any school of the county; school staff: their
        own). Frozen once the year-end evaluation is signed off."""
        return await ResultService(db_session, request.user).result(campaign_id, school_id)

    @get("/dashboard", guards=bureau_only, operation_id="getCountyDashboard")
    async def dashboard(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Dashboard:
        """Progress of self-assessments and inspections, averages, grade distribution, top and bottom
        schools, and flagged inspection teams."""
        return await ResultService(db_session, request.user).dashboard(campaign_id)
