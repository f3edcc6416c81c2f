"""HTTP for schools. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kit.auth import requires_role
from kit.db import DbSession
from schools.domain.schools import schemas
from schools.domain.schools.models import SchoolStatus
from schools.domain.schools.service import SchoolService, to_schema
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
anyone = [requires_role("bureau", "principal", "teacher", "guard")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SchoolService:
    return SchoolService(db_session, request.user)


class SchoolController(Controller):
    path = "/schools"
    tags = ["schools"]

    @get("/", guards=bureau_only, operation_id="listSchools")
    async def list_schools(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[SchoolStatus | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.SchoolPage:
        """The schools of the caller's county."""
        return await _service(db_session, request).page(status=status, search=q, limit=limit, offset=offset)

    @post("/", guards=bureau_only, operation_id="onboardSchool")
    async def onboard_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.SchoolCreate],
    ) -> Response[schemas.School]:
        """Onboard a school; its principal's account is provisioned in the background."""
        school = await _service(db_session, request).onboard(data)
        return Response(to_schema(school), status_code=201, headers={"Location": f"/schools/{school.id}"})

    @get("/{school_id:uuid}", guards=anyone, operation_id="getSchool")
    async def get_school(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], school_id: FromPath[uuid.UUID]
    ) -> schemas.School:
        """One school: any school of the county for the bureau, only their own for school staff."""
        return to_schema(await _service(db_session, request).get(school_id))

    @patch("/{school_id:uuid}", guards=bureau_only, operation_id="updateSchool")
    async def update_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.SchoolUpdate],
    ) -> schemas.School:
        return to_schema(await _service(db_session, request).update(school_id, data))

    @post("/{school_id:uuid}/suspend", guards=bureau_only, operation_id="suspendSchool", status_code=200)
    async def suspend_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> schemas.School:
        return to_schema(await _service(db_session, request).suspend(school_id, data.reason))

    @post(
        "/{school_id:uuid}/reactivate", guards=bureau_only, operation_id="reactivateSchool", status_code=200
    )
    async def reactivate_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> schemas.School:
        return to_schema(await _service(db_session, request).reactivate(school_id, data.reason))

    @post(
        "/{school_id:uuid}/provisioning/retry",
        guards=bureau_only,
        operation_id="retrySchoolProvisioning",
        status_code=202,
    )
    async def retry_provisioning(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], school_id: FromPath[uuid.UUID]
    ) -> schemas.School:
        """Provision the principal's account again, after a failure; 409 once it is done."""
        return to_schema(await _service(db_session, request).retry_provisioning(school_id))


class OwnSchoolController(Controller):
    path = "/school"
    tags = ["schools"]

    @get("/", guards=[requires_role("principal", "teacher", "guard")], operation_id="getOwnSchool")
    async def own_school(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.School:
        """The caller's own school (school staff)."""
        assert request.user.school_id is not None  # school roles always carry a school
        return to_schema(await _service(db_session, request).get(request.user.school_id))
