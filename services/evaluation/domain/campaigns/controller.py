"""HTTP for campaigns. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody

from evaluation.domain.campaigns import schemas
from evaluation.domain.campaigns.service import CampaignService, to_schema
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
readers = [requires_role("bureau", "principal", "teacher")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> CampaignService:
    return CampaignService(db_session, request.user)


class CampaignController(Controller):
    path = "/campaigns"
    tags = ["campaigns"]

    @get("/", guards=readers, operation_id="listCampaigns")
    async def list_campaigns(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.Campaign]:
        """The county's campaigns and the rubric each is scored with."""
        return await _service(db_session, request).list()

    @post("/", guards=bureau_only, operation_id="attachRubricToCampaign")
    async def create_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.CampaignCreate],
    ) -> Response[schemas.Campaign]:
        """Attach a published rubric to a county campaign."""
        campaign = to_schema(await _service(db_session, request).create(data))
        return Response(campaign, status_code=201, headers={"Location": f"/campaigns/{campaign.id}"})

    @get("/{campaign_id:uuid}", guards=readers, operation_id="getCampaign")
    async def get_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Campaign:
        return to_schema(await _service(db_session, request).get(campaign_id))

    @patch("/{campaign_id:uuid}", guards=bureau_only, operation_id="updateCampaign")
    async def update_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.CampaignUpdate],
    ) -> schemas.Campaign:
        """Rename, or change the rubric before anything was scored."""
        return to_schema(await _service(db_session, request).update(campaign_id, data))
