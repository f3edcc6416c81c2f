"""HTTP for dormitories and night inspections."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.dormitories import schemas
from personnel.domain.dormitories.models import night_of
from personnel.domain.dormitories.service import DormitoryService, dormitory_to_schema, inspection_to_schema
from tenants import TenantContext

school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> DormitoryService:
    return DormitoryService(db_session, request.user)


class DormitoryController(Controller):
    path = "/dormitories"
    tags = ["dormitories"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=school_staff, operation_id="listDormitories")
    async def list_dormitories(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.Dormitory]:
        """The school's dormitories, female (and mixed) first."""
        return [dormitory_to_schema(d) for d in await _service(db_session, request).dormitories()]

    @post("/", guards=principal_only, operation_id="addDormitory")
    async def add(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.DormitoryCreate],
    ) -> Response[schemas.Dormitory]:
        dorm = await _service(db_session, request).add(data)
        return Response(dormitory_to_schema(dorm), status_code=201)

    @patch("/{dormitory_id:uuid}", guards=principal_only, operation_id="updateDormitory")
    async def update(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        dormitory_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.DormitoryUpdate],
    ) -> schemas.Dormitory:
        return dormitory_to_schema(await _service(db_session, request).update(dormitory_id, data))

    @post("/{dormitory_id:uuid}/inspections", guards=school_staff, operation_id="recordNightInspection")
    async def inspect(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        dormitory_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.InspectionCreate],
    ) -> Response[schemas.NightInspection]:
        """The caller inspected this dormitory now: head count against the roster, and what they found."""
        row = await _service(db_session, request).inspect(dormitory_id, data, now)
        return Response(inspection_to_schema(row), status_code=201)


class NightInspectionController(Controller):
    path = "/night-inspections"
    tags = ["dormitories"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=school_staff, operation_id="listNightInspections")
    async def list_inspections(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
        dormitory_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[schemas.NightInspection]:
        """Inspections by night (default: the last seven nights)."""
        service = _service(db_session, request)
        end = end or night_of(now, service.timezone)
        start = start or end - dt.timedelta(days=6)
        return [inspection_to_schema(r) for r in await service.inspections(start, end, dormitory_id)]

    @get("/tonight", guards=school_staff, operation_id="getNightChecklist")
    async def tonight(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], now: Now
    ) -> schemas.NightChecklist:
        """Tonight's round: every dormitory (female first) and whether it has been inspected."""
        return await _service(db_session, request).checklist(now)

    @get("/missed", guards=principal_only, operation_id="listMissedNightInspections")
    async def missed(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
    ) -> list[schemas.MissedNight]:
        """Nights a dormitory went uninspected (default: the last 30 nights)."""
        service = _service(db_session, request)
        end = end or night_of(now, service.timezone)
        start = start or end - dt.timedelta(days=29)
        return await service.missed(start, end)
