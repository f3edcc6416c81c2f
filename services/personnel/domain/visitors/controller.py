"""HTTP for the gate: visits (the guard, on a phone) and vehicle authorisations (the principal)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.visitors import schemas
from personnel.domain.visitors.models import VisitStatus
from personnel.domain.visitors.service import VisitService, authorisation_to_schema, to_schema
from tenants import TenantContext

at_the_gate = [requires_role("guard", "principal")]
gate_or_host = [requires_role("guard", "principal", "teacher")]
hosts = [requires_role("principal", "teacher")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> VisitService:
    return VisitService(db_session, request.user)


class VisitController(Controller):
    path = "/visits"
    tags = ["visitors"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=at_the_gate, operation_id="listVisits")
    async def list_visits(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        q: Annotated[str | None, QueryParameter(max_length=80, description="visitor name or plate")] = None,
        plate: Annotated[str | None, QueryParameter(max_length=20)] = None,
        status: FromQuery[VisitStatus | None] = None,
        on: FromQuery[dt.date | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.VisitPage:
        """Visits of the caller's school, newest first; search by visitor name or plate."""
        return await _service(db_session, request).page(
            search=q, plate=plate, status=status, on=on, limit=limit, offset=offset
        )

    @post("/", guards=at_the_gate, operation_id="registerVisit")
    async def register(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        data: JSONBody[schemas.VisitCreate],
    ) -> Response[schemas.Visit]:
        """Register a visitor at the gate. A motor vehicle without an authorisation is refused on the spot."""
        visit = await _service(db_session, request).register(data, now)
        return Response(to_schema(visit), status_code=201, headers={"Location": f"/visits/{visit.id}"})

    @post("/search-id", guards=at_the_gate, operation_id="findVisitsByIdNumber", status_code=200)
    async def search_id(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.IdSearch],
    ) -> list[schemas.Visit]:
        """Earlier visits of the same ID number at this school (exact match; nothing after the purge)."""
        return [to_schema(v) for v in await _service(db_session, request).find_by_id_number(data.id_number)]

    @get("/awaiting-me", guards=hosts, operation_id="listVisitsAwaitingMe")
    async def awaiting_me(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.Visit]:
        """Visitors at the gate who say they come to see the caller."""
        return [to_schema(v) for v in await _service(db_session, request).awaiting_me()]

    @get("/{visit_id:uuid}", guards=at_the_gate, operation_id="getVisit")
    async def get_visit(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], visit_id: FromPath[uuid.UUID]
    ) -> schemas.Visit:
        return to_schema(await _service(db_session, request).get(visit_id))

    @post("/{visit_id:uuid}/verify", guards=gate_or_host, operation_id="verifyVisit", status_code=200)
    async def verify(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        visit_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Verification],
    ) -> schemas.Visit:
        """The host confirms the visit (in the app), or the guard records how it was confirmed."""
        return to_schema(await _service(db_session, request).verify(visit_id, data, now))

    @post("/{visit_id:uuid}/refuse", guards=gate_or_host, operation_id="refuseVisit", status_code=200)
    async def refuse(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        visit_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Refusal],
    ) -> schemas.Visit:
        return to_schema(await _service(db_session, request).refuse(visit_id, data.reason, now))

    @post("/{visit_id:uuid}/entry", guards=at_the_gate, operation_id="recordVisitEntry", status_code=200)
    async def entry(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        visit_id: FromPath[uuid.UUID],
    ) -> schemas.Visit:
        return to_schema(await _service(db_session, request).enter(visit_id, now))

    @post("/{visit_id:uuid}/exit", guards=at_the_gate, operation_id="recordVisitExit", status_code=200)
    async def exit(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        visit_id: FromPath[uuid.UUID],
    ) -> schemas.Visit:
        return to_schema(await _service(db_session, request).leave(visit_id, now))


class VehicleAuthorisationController(Controller):
    path = "/vehicle-authorisations"
    tags = ["visitors"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=at_the_gate, operation_id="listVehicleAuthorisations")
    async def list_authorisations(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        active: FromQuery[bool] = True,
    ) -> list[schemas.VehicleAuthorisation]:
        service = _service(db_session, request)
        active_on = now.astimezone(service.timezone).date() if active else None
        return [authorisation_to_schema(a) for a in await service.authorisations(active_on=active_on)]

    @post("/", guards=principal_only, operation_id="authoriseVehicle")
    async def authorise(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.VehicleAuthorisationCreate],
    ) -> Response[schemas.VehicleAuthorisation]:
        """Let a vehicle drive in (supplies, school bus, works) for a period."""
        row = await _service(db_session, request).authorise_vehicle(data)
        return Response(authorisation_to_schema(row), status_code=201)

    @post(
        "/{authorisation_id:uuid}/revoke",
        guards=principal_only,
        operation_id="revokeVehicleAuthorisation",
        status_code=200,
    )
    async def revoke(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        authorisation_id: FromPath[uuid.UUID],
    ) -> schemas.VehicleAuthorisation:
        return authorisation_to_schema(
            await _service(db_session, request).revoke_vehicle(authorisation_id, now)
        )

    @get("/check", guards=at_the_gate, operation_id="checkVehicle")
    async def check(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        plate: Annotated[str, QueryParameter(min_length=1, max_length=20)],
    ) -> schemas.VehicleCheck:
        """May this plate drive in today?"""
        return await _service(db_session, request).check_vehicle(plate, now)
