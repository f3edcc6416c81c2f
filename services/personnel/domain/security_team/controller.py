"""HTTP for the county standard, the security team and staffing compliance."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.security_team import schemas
from personnel.domain.security_team.service import SecurityTeamService, member_to_schema
from personnel.settings import get_personnel_settings
from tenants import TenantContext

everyone = [requires_role("bureau", "principal", "teacher", "guard")]
school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]
bureau_only = [requires_role("bureau")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SecurityTeamService:
    return SecurityTeamService(db_session, request.user)


class StandardController(Controller):
    path = "/standard"
    tags = ["security team"]

    @get("/", guards=everyone, operation_id="getCountyStandard")
    async def get_standard(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.Standard:
        """The county's standard for security staffing and visitor-data retention."""
        return await _service(db_session, request).standard()

    @put("/", guards=bureau_only, operation_id="setCountyStandard")
    async def set_standard(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.StandardUpdate],
    ) -> schemas.Standard:
        return await _service(db_session, request).set_standard(data)


class SecurityTeamController(Controller):
    path = "/security-team"
    tags = ["security team"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=school_staff, operation_id="listSecurityTeam")
    async def list_team(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.TeamMember]:
        return [member_to_schema(m, s) for m, s in await _service(db_session, request).team()]

    @post("/", guards=principal_only, operation_id="addSecurityTeamMember")
    async def add_member(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        data: JSONBody[schemas.TeamMemberCreate],
    ) -> Response[schemas.TeamMember]:
        today = now.astimezone(get_personnel_settings().timezone).date()
        member, staff = await _service(db_session, request).add_member(data, today)
        return Response(member_to_schema(member, staff), status_code=201)

    @patch("/{member_id:uuid}", guards=principal_only, operation_id="updateSecurityTeamMember")
    async def update_member(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        member_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.TeamMemberUpdate],
    ) -> schemas.TeamMember:
        return member_to_schema(*await _service(db_session, request).update_member(member_id, data))

    @delete("/{member_id:uuid}", guards=principal_only, operation_id="removeSecurityTeamMember")
    async def remove_member(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], member_id: FromPath[uuid.UUID]
    ) -> None:
        await _service(db_session, request).remove_member(member_id)


class StaffingController(Controller):
    path = "/staffing"
    tags = ["security team"]

    @get("/", guards=school_staff, operation_id="getStaffingCompliance")
    async def own_school(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.StaffingCompliance:
        """The caller's school against the county standard, with what is missing."""
        return await _service(db_session, request).compliance()

    @get("/schools", guards=bureau_only, operation_id="listStaffingCompliance")
    async def county(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.StaffingCompliance]:
        """Every school of the county, least compliant first."""
        return await _service(db_session, request).county_compliance()
