"""HTTP for safety education and training sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.training import schemas
from personnel.domain.training.models import Topic
from personnel.domain.training.service import TrainingService, to_schema
from tenants import TenantContext

school_staff = [requires_role("principal", "teacher", "guard")]
recorders = [requires_role("principal", "teacher")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> TrainingService:
    return TrainingService(db_session, request.user)


class TrainingController(Controller):
    path = "/training-sessions"
    tags = ["training"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=school_staff, operation_id="listTrainingSessions")
    async def list_sessions(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
        topic: FromQuery[Topic | None] = None,
    ) -> list[schemas.TrainingSession]:
        """Sessions of the school (default: the last twelve months), newest first."""
        service = _service(db_session, request)
        end = end or now.astimezone(service.timezone).date()
        start = start or end - dt.timedelta(days=365)
        return [to_schema(r) for r in await service.sessions(start, end, topic)]

    @post("/", guards=recorders, operation_id="recordTrainingSession")
    async def record(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        data: JSONBody[schemas.TrainingCreate],
    ) -> Response[schemas.TrainingSession]:
        row = await _service(db_session, request).record(data, now)
        return Response(to_schema(row), status_code=201)

    @get("/summary", guards=school_staff, operation_id="summariseTraining")
    async def summary(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
    ) -> schemas.TrainingSummary:
        service = _service(db_session, request)
        end = end or now.astimezone(service.timezone).date()
        start = start or end - dt.timedelta(days=365)
        return await service.summary(start, end)

    @get("/{session_id:uuid}", guards=school_staff, operation_id="getTrainingSession")
    async def get_session(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        session_id: FromPath[uuid.UUID],
    ) -> schemas.TrainingSession:
        return to_schema(await _service(db_session, request).get(session_id))

    @patch("/{session_id:uuid}", guards=recorders, operation_id="updateTrainingSession")
    async def update(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        session_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.TrainingUpdate],
    ) -> schemas.TrainingSession:
        return to_schema(await _service(db_session, request).update(session_id, data, now))

    @delete("/{session_id:uuid}", guards=principal_only, operation_id="deleteTrainingSession")
    async def delete_session(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        session_id: FromPath[uuid.UUID],
    ) -> None:
        await _service(db_session, request).delete(session_id)
