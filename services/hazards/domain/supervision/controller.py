"""HTTP for listing supervision."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from hazards.domain.hazards import schemas as hazard_schemas
from hazards.domain.supervision import schemas
from hazards.domain.supervision.service import SupervisionService
from hazards.guards import BUREAU, MANAGERS
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SupervisionService:
    return SupervisionService(db_session, request.user, clock=clock_of(request))


class SupervisionController(Controller):
    tags = ["supervision"]

    @post(
        "/hazards/{hazard_id:uuid}/listing",
        guards=BUREAU,
        operation_id="listHazardForSupervision",
        status_code=200,
    )
    async def list_hazard(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: FromPath[uuid.UUID],
        data: JSONBody[hazard_schemas.Listing],
    ) -> Response[hazard_schemas.Hazard]:
        """List a hazard for supervision (supervising official, deadline); it then needs the bureau's sign-off."""
        service = _service(db_session, request)
        hazard = await service.list_hazard(hazard_id, data)
        return Response(await service.hazards.detail(hazard))

    @get("/supervision", guards=MANAGERS, operation_id="getSupervisionList")
    async def supervision_list(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
    ) -> schemas.SupervisionList:
        """Every listed hazard not yet closed: the county's (bureau) or the caller's school's."""
        return await _service(db_session, request).supervision_list(school_id=school_id)
