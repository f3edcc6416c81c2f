"""HTTP for security incidents."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from hazards.domain.incidents import schemas
from hazards.domain.incidents.service import IncidentService, to_schema
from hazards.guards import EVERYONE, PRINCIPAL, PRINCIPAL_OR_BUREAU, SCHOOL_STAFF
from hazards.vocabulary import IncidentKind
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> IncidentService:
    return IncidentService(db_session, request.user, clock=clock_of(request))


class IncidentController(Controller):
    path = "/incidents"
    tags = ["incidents"]

    @get("/", guards=EVERYONE, operation_id="listIncidents")
    async def list_incidents(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        kind: FromQuery[IncidentKind | None] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
        since: FromQuery[dt.datetime | None] = None,
        until: FromQuery[dt.datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.IncidentPage:
        return await _service(db_session, request).page(
            kind=kind, school_id=school_id, since=since, until=until, limit=limit, offset=offset
        )

    @post("/", guards=SCHOOL_STAFF, operation_id="reportIncident")
    async def report_incident(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.IncidentCreate],
    ) -> Response[schemas.Incident]:
        incident = await _service(db_session, request).report(data)
        return Response(
            to_schema(incident), status_code=201, headers={"Location": f"/incidents/{incident.id}"}
        )

    @get("/statistics", guards=PRINCIPAL_OR_BUREAU, operation_id="getIncidentStatistics")
    async def statistics(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
    ) -> schemas.IncidentStatistics:
        """Counts by type and the monthly trend of the last twelve months (the bureau: the county)."""
        return await _service(db_session, request).statistics(school_id=school_id)

    @get("/{incident_id:uuid}", guards=EVERYONE, operation_id="getIncident")
    async def get_incident(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        incident_id: FromPath[uuid.UUID],
    ) -> schemas.Incident:
        return to_schema(await _service(db_session, request).get(incident_id))

    @patch("/{incident_id:uuid}", guards=PRINCIPAL, operation_id="updateIncident")
    async def update_incident(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        incident_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.IncidentUpdate],
    ) -> schemas.Incident:
        return to_schema(await _service(db_session, request).update(incident_id, data))
