"""HTTP for gate duty: the roster (principal), check-in and check-out on a phone (the person on duty),
and weekly coverage."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.duty import schemas
from personnel.domain.duty.service import DutyService, to_schema
from tenants import TenantContext

school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> DutyService:
    return DutyService(db_session, request.user)


class DutyController(Controller):
    path = "/duty"
    tags = ["gate duty"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/shifts", guards=school_staff, operation_id="listDutyShifts")
    async def roster(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
        staff_id: FromQuery[uuid.UUID | None] = None,
        gate_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[schemas.DutyShift]:
        """The school's gate-duty roster (default: the coming week)."""
        service = _service(db_session, request)
        start = start or service.local_date(now)
        end = end or start + dt.timedelta(days=6)
        return [to_schema(r) for r in await service.roster(start, end, staff_id=staff_id, gate_id=gate_id)]

    @post("/shifts", guards=principal_only, operation_id="planDutyShifts")
    async def plan(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        data: JSONBody[schemas.RosterCreate],
    ) -> Response[list[schemas.DutyShift]]:
        """Roster leaders, teachers and guards for the arrival, noon and dismissal peaks (all or nothing)."""
        rows = await _service(db_session, request).plan(data, now)
        return Response([to_schema(r) for r in rows], status_code=201)

    @delete("/shifts/{shift_id:uuid}", guards=principal_only, operation_id="cancelDutyShift")
    async def cancel(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], shift_id: FromPath[uuid.UUID]
    ) -> None:
        await _service(db_session, request).cancel(shift_id)

    @post(
        "/shifts/{shift_id:uuid}/check-in", guards=school_staff, operation_id="checkInDuty", status_code=200
    )
    async def check_in(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        shift_id: FromPath[uuid.UUID],
    ) -> schemas.DutyShift:
        """The person on duty checks in (from 30 minutes before the peak until it ends)."""
        return to_schema(await _service(db_session, request).check_in(shift_id, now))

    @post(
        "/shifts/{shift_id:uuid}/check-out", guards=school_staff, operation_id="checkOutDuty", status_code=200
    )
    async def check_out(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        shift_id: FromPath[uuid.UUID],
    ) -> schemas.DutyShift:
        return to_schema(await _service(db_session, request).check_out(shift_id, now))

    @get("/mine", guards=school_staff, operation_id="listMyDutyShifts")
    async def mine(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], now: Now
    ) -> list[schemas.DutyShift]:
        """The caller's shifts from today for a week (the phone's duty screen)."""
        return [to_schema(r) for r in await _service(db_session, request).mine(now)]

    @get("/coverage", guards=principal_only, operation_id="getDutyCoverage")
    async def week_coverage(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        week_of: FromQuery[dt.date | None] = None,
    ) -> schemas.Coverage:
        """Coverage of the week (Monday to Sunday) that contains ``week_of`` (default: this week)."""
        service = _service(db_session, request)
        day = week_of or service.local_date(now)
        monday = day - dt.timedelta(days=day.weekday())
        return await service.coverage(monday, monday + dt.timedelta(days=6), now)
