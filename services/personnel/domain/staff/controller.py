"""HTTP for staff (the principal's) and bureau users (the bureau's). Thin: parse, call the service, shape."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kit.auth import requires_role
from kit.db import DbSession
from personnel.domain.staff import schemas
from personnel.domain.staff.models import Position, Staff, StaffRole, StaffStatus
from personnel.domain.staff.service import StaffService, to_schema
from tenants import TenantContext

everyone = [requires_role("bureau", "principal", "teacher", "guard")]
school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]
bureau_only = [requires_role("bureau")]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> StaffService:
    return StaffService(db_session, request.user)


def _answer(staff: Staff, status_code: int = 200) -> Response[schemas.Staff]:
    # The account follows through the personnel.staff.* event written in the same transaction.
    return Response(to_schema(staff), status_code=status_code)


class StaffController(Controller):
    path = "/staff"
    tags = ["staff"]

    @get("/", guards=everyone, operation_id="listStaff")
    async def list_staff(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
        role: FromQuery[StaffRole | None] = None,
        status: FromQuery[StaffStatus | None] = None,
        position: FromQuery[Position | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=80)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.StaffPage:
        """School staff: the caller's school, or (bureau) any school of the county, filtered by ``school_id``."""
        return await _service(db_session, request).page(
            school_id=school_id,
            role=role,
            status=status,
            position=position,
            search=q,
            limit=limit,
            offset=offset,
        )

    @post("/", guards=principal_only, operation_id="inviteStaff")
    async def invite_staff(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.StaffInvite],
    ) -> Response[schemas.Staff]:
        """Invite a teacher or guard: their account is created and the initial password e-mailed."""
        staff = await _service(db_session, request).invite(data)
        return Response(to_schema(staff), status_code=201, headers={"Location": f"/staff/{staff.id}"})

    @get("/me", guards=school_staff, operation_id="getMyStaffEntry")
    async def me(self, db_session: DbSession, request: Request[TenantContext, Any, Any]) -> schemas.Staff:
        return to_schema(await _service(db_session, request).me())

    @post("/self", guards=principal_only, operation_id="registerSelfAsStaff")
    async def register_self(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.SelfRegistration],
    ) -> Response[schemas.Staff]:
        """The principal puts themselves on the staff list (for gate duty and night inspections)."""
        staff = await _service(db_session, request).register_self(data)
        return Response(to_schema(staff), status_code=201)

    @get("/{staff_id:uuid}", guards=everyone, operation_id="getStaff")
    async def get_staff(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], staff_id: FromPath[uuid.UUID]
    ) -> schemas.Staff:
        return to_schema(await _service(db_session, request).get(staff_id))

    @patch("/{staff_id:uuid}", guards=principal_only, operation_id="updateStaff")
    async def update_staff(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        staff_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StaffUpdate],
    ) -> schemas.Staff:
        return to_schema(await _service(db_session, request).update(staff_id, data))

    @post(
        "/{staff_id:uuid}/deactivate", guards=principal_only, operation_id="deactivateStaff", status_code=200
    )
    async def deactivate_staff(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        staff_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> Response[schemas.Staff]:
        """Deactivate: the account is disabled and future duty shifts are taken off the roster."""
        return _answer(await _service(db_session, request).deactivate(staff_id, data.reason))

    @post(
        "/{staff_id:uuid}/reactivate", guards=principal_only, operation_id="reactivateStaff", status_code=200
    )
    async def reactivate_staff(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        staff_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> Response[schemas.Staff]:
        return _answer(await _service(db_session, request).reactivate(staff_id, data.reason))

    @post(
        "/{staff_id:uuid}/invitation",
        guards=principal_only,
        operation_id="resendStaffInvitation",
        status_code=202,
    )
    async def resend_invitation(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], staff_id: FromPath[uuid.UUID]
    ) -> Response[schemas.Staff]:
        """Provision the account again and e-mail a fresh initial password."""
        return _answer(await _service(db_session, request).resend_invitation(staff_id), 202)


class BureauUserController(Controller):
    path = "/bureau-users"
    tags = ["staff"]

    @get("/", guards=bureau_only, operation_id="listBureauUsers")
    async def list_bureau_users(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[StaffStatus | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.StaffPage:
        return await _service(db_session, request).bureau_users(status=status, limit=limit, offset=offset)

    @post("/", guards=bureau_only, operation_id="inviteBureauUser")
    async def invite_bureau_user(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.BureauUserInvite],
    ) -> Response[schemas.Staff]:
        return _answer(await _service(db_session, request).invite_bureau_user(data), 201)

    @post(
        "/{user_id:uuid}/deactivate", guards=bureau_only, operation_id="deactivateBureauUser", status_code=200
    )
    async def deactivate_bureau_user(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> Response[schemas.Staff]:
        service = _service(db_session, request)
        return _answer(await service.deactivate(user_id, data.reason, bureau=True))

    @post(
        "/{user_id:uuid}/reactivate", guards=bureau_only, operation_id="reactivateBureauUser", status_code=200
    )
    async def reactivate_bureau_user(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.StatusChange],
    ) -> Response[schemas.Staff]:
        service = _service(db_session, request)
        return _answer(await service.reactivate(user_id, data.reason, bureau=True))

    @post(
        "/{user_id:uuid}/invitation",
        guards=bureau_only,
        operation_id="resendBureauUserInvitation",
        status_code=202,
    )
    async def resend_invitation(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], user_id: FromPath[uuid.UUID]
    ) -> Response[schemas.Staff]:
        service = _service(db_session, request)
        return _answer(await service.resend_invitation(user_id, bureau=True), 202)
