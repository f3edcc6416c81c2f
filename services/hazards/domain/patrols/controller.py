"""HTTP for investigation patrols and area sign-off."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from hazards.domain.patrols import schemas
from hazards.domain.patrols.models import PatrolKind, PatrolStatus
from hazards.domain.patrols.service import PatrolService
from hazards.guards import EVERYONE, PRINCIPAL, PRINCIPAL_OR_TEACHER, SCHOOL_STAFF
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext

PatrolId = FromPath[uuid.UUID]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> PatrolService:
    return PatrolService(db_session, request.user, clock=clock_of(request))


class PatrolController(Controller):
    path = "/patrols"
    tags = ["patrols"]

    @get("/", guards=EVERYONE, operation_id="listPatrols")
    async def list_patrols(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        kind: FromQuery[PatrolKind | None] = None,
        status: FromQuery[PatrolStatus | None] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.PatrolPage:
        """Patrols of the caller's school, or (the bureau) of the county."""
        return await _service(db_session, request).page(
            kind=kind, status=status, school_id=school_id, limit=limit, offset=offset
        )

    @post("/", guards=PRINCIPAL_OR_TEACHER, operation_id="startPatrol")
    async def start_patrol(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.PatrolCreate],
    ) -> Response[schemas.Patrol]:
        """Start an investigation (every area) or a daily patrol (the areas named)."""
        service = _service(db_session, request)
        patrol = await service.start(data)
        return Response(
            await service.detail(patrol), status_code=201, headers={"Location": f"/patrols/{patrol.id}"}
        )

    @get("/{patrol_id:uuid}", guards=EVERYONE, operation_id="getPatrol")
    async def get_patrol(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], patrol_id: PatrolId
    ) -> schemas.Patrol:
        """A patrol with every area's sign-off and the hazards found in it."""
        service = _service(db_session, request)
        return await service.detail(await service.get(patrol_id))

    @post(
        "/{patrol_id:uuid}/sign-offs", guards=SCHOOL_STAFF, operation_id="signOffPatrolArea", status_code=200
    )
    async def sign_off_area(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        patrol_id: PatrolId,
        data: JSONBody[schemas.SignOffCreate],
    ) -> schemas.Patrol:
        """The caller, as the named inspector, signs one area off with the findings."""
        service = _service(db_session, request)
        return await service.detail(await service.sign_off(patrol_id, data))

    @post("/{patrol_id:uuid}/submit", guards=PRINCIPAL, operation_id="submitPatrol", status_code=200)
    async def submit_patrol(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        patrol_id: PatrolId,
        data: JSONBody[schemas.Submission],
    ) -> schemas.Patrol:
        """Submit the patrol report to the bureau once every area is signed off."""
        service = _service(db_session, request)
        return await service.detail(await service.submit(patrol_id, data))
