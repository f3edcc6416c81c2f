"""HTTP for the school's profile (duty calendar) and gates."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.domain.school_profiles import schemas
from personnel.domain.school_profiles.service import SchoolProfileService, gate_to_schema, to_schema
from tenants import TenantContext

school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SchoolProfileService:
    return SchoolProfileService(db_session, request.user)


class SchoolProfileController(Controller):
    path = "/school-profile"
    tags = ["school profile"]

    @get("/", guards=school_staff, operation_id="getSchoolProfile")
    async def get_profile(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.SchoolProfile:
        """The school's facts and its duty calendar (school days, boarding nights, duty peaks)."""
        return to_schema(await _service(db_session, request).profile())

    @patch("/", guards=principal_only, operation_id="updateSchoolProfile")
    async def update_profile(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.SchoolProfileUpdate],
    ) -> schemas.SchoolProfile:
        return to_schema(await _service(db_session, request).update(data))


class GateController(Controller):
    path = "/gates"
    tags = ["school profile"]

    @get("/", guards=school_staff, operation_id="listGates")
    async def list_gates(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.Gate]:
        return [gate_to_schema(g) for g in await _service(db_session, request).gates()]

    @post("/", guards=principal_only, operation_id="addGate")
    async def add_gate(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.GateCreate],
    ) -> Response[schemas.Gate]:
        gate = await _service(db_session, request).add_gate(data)
        return Response(gate_to_schema(gate), status_code=201, headers={"Location": f"/gates/{gate.id}"})

    @patch("/{gate_id:uuid}", guards=principal_only, operation_id="updateGate")
    async def update_gate(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        gate_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.GateUpdate],
    ) -> schemas.Gate:
        return gate_to_schema(await _service(db_session, request).update_gate(gate_id, data))
