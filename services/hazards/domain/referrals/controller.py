"""HTTP for referrals to outside departments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from hazards.domain.referrals import schemas
from hazards.domain.referrals.models import ReferralStatus
from hazards.domain.referrals.service import ReferralService
from hazards.guards import PRINCIPAL_OR_BUREAU
from hazards.vocabulary import Department
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> ReferralService:
    return ReferralService(db_session, request.user, clock=clock_of(request))


class ReferralController(Controller):
    tags = ["referrals"]

    @post("/hazards/{hazard_id:uuid}/referrals", guards=PRINCIPAL_OR_BUREAU, operation_id="referHazard")
    async def refer(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.ReferralCreate],
    ) -> Response[schemas.Referral]:
        """Refer a hazard beyond the school's power (vendors, illegal buildings, traffic) to a department."""
        referral = await _service(db_session, request).refer(hazard_id, data)
        return Response(referral, status_code=201, headers={"Location": f"/referrals/{referral.id}"})

    @get("/referrals", guards=PRINCIPAL_OR_BUREAU, operation_id="listReferrals")
    async def list_referrals(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[ReferralStatus | None] = None,
        department: FromQuery[Department | None] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.ReferralPage:
        """The school's referrals, or (the bureau) every referral of the county."""
        return await _service(db_session, request).page(
            status=status, department=department, school_id=school_id, limit=limit, offset=offset
        )

    @patch("/referrals/{referral_id:uuid}", guards=PRINCIPAL_OR_BUREAU, operation_id="updateReferral")
    async def update_referral(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        referral_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.ReferralUpdate],
    ) -> schemas.Referral:
        """Record the department's answer: status and reply."""
        return await _service(db_session, request).update(referral_id, data)
