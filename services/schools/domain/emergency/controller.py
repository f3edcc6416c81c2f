"""HTTP for emergency plans and drills. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from schools.domain.campaigns.calendar import clock_of
from schools.domain.emergency import schemas
from schools.domain.emergency.models import PlanKind
from schools.domain.emergency.service import EmergencyService
from tenants import TenantContext

everyone = [requires_role("bureau", "principal", "teacher", "guard")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> EmergencyService:
    return EmergencyService(db_session, request.user, clock=clock_of(request.app.state))


class EmergencyPlanController(Controller):
    path = "/emergency-plans"
    tags = ["emergency plans"]

    @get("/", guards=everyone, operation_id="listEmergencyPlans")
    async def list_plans(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
        kind: FromQuery[PlanKind | None] = None,
        undrilled: FromQuery[bool] = False,
    ) -> list[schemas.Plan]:
        """The school's plans (the bureau: every school's), each flagged when not drilled this term;
        ``undrilled=true`` lists the flagged ones only."""
        return await _service(db_session, request).plans(
            school_id=school_id, kind=kind, undrilled_only=undrilled
        )

    @post("/", guards=principal_only, operation_id="createEmergencyPlan")
    async def create_plan(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.PlanCreate],
    ) -> Response[schemas.PlanDetail]:
        service = _service(db_session, request)
        plan = await service.detail(await service.create(data))
        return Response(plan, status_code=201, headers={"Location": f"/emergency-plans/{plan.id}"})

    @get("/{plan_id:uuid}", guards=everyone, operation_id="getEmergencyPlan")
    async def get_plan(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], plan_id: FromPath[uuid.UUID]
    ) -> schemas.PlanDetail:
        """A plan with its drills, newest first."""
        service = _service(db_session, request)
        return await service.detail(await service.get(plan_id))

    @patch("/{plan_id:uuid}", guards=principal_only, operation_id="updateEmergencyPlan")
    async def update_plan(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        plan_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.PlanUpdate],
    ) -> schemas.PlanDetail:
        service = _service(db_session, request)
        return await service.detail(await service.update(plan_id, data))

    @post(
        "/{plan_id:uuid}/drills",
        guards=[requires_role("principal", "teacher")],
        operation_id="recordEmergencyDrill",
    )
    async def record_drill(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        plan_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.DrillCreate],
    ) -> Response[schemas.PlanDetail]:
        """A drill of the plan: date, scenario, participants, evacuation time, findings and photos."""
        service = _service(db_session, request)
        await service.record_drill(plan_id, data)
        return Response(await service.detail(await service.get(plan_id)), status_code=201)
