"""HTTP for students of concern: the principal and the responsible teacher; the bureau gets counts."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.students_of_concern import schemas
from personnel.domain.students_of_concern.models import ConcernStatus
from personnel.domain.students_of_concern.service import ConcernService, review_to_schema, to_schema
from tenants import TenantContext

carers = [requires_role("principal", "teacher")]
principal_only = [requires_role("principal")]
counters = [requires_role("bureau", "principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> ConcernService:
    return ConcernService(db_session, request.user)


class StudentOfConcernController(Controller):
    path = "/students-of-concern"
    tags = ["students of concern"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=carers, operation_id="listStudentsOfConcern")
    async def list_records(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[ConcernStatus | None] = ConcernStatus.ACTIVE,
    ) -> list[schemas.StudentOfConcern]:
        """The principal: every record of the school; a teacher: those they are responsible for. Audited."""
        return [to_schema(c) for c in await _service(db_session, request).records(status=status)]

    @post("/", guards=principal_only, operation_id="createStudentOfConcern")
    async def create(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        data: JSONBody[schemas.ConcernCreate],
    ) -> Response[schemas.StudentOfConcern]:
        concern = await _service(db_session, request).create(data, now)
        return Response(to_schema(concern), status_code=201)

    @get("/counts", guards=counters, operation_id="countStudentsOfConcern")
    async def counts(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> list[schemas.SchoolCounts]:
        """Counts per school and category: all the bureau sees."""
        return await _service(db_session, request).counts()

    @get("/{concern_id:uuid}", guards=carers, operation_id="getStudentOfConcern")
    async def get_record(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        concern_id: FromPath[uuid.UUID],
    ) -> schemas.StudentOfConcern:
        return to_schema(await _service(db_session, request).get(concern_id))

    @patch("/{concern_id:uuid}", guards=carers, operation_id="updateStudentOfConcern")
    async def update(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        concern_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.ConcernUpdate],
    ) -> schemas.StudentOfConcern:
        """The principal changes anything; the responsible teacher the care plan."""
        return to_schema(await _service(db_session, request).update(concern_id, data))

    @get("/{concern_id:uuid}/reviews", guards=carers, operation_id="listConcernReviews")
    async def reviews(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        concern_id: FromPath[uuid.UUID],
    ) -> list[schemas.Review]:
        return [review_to_schema(r) for r in await _service(db_session, request).reviews(concern_id)]

    @post("/{concern_id:uuid}/reviews", guards=carers, operation_id="addConcernReview")
    async def add_review(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        concern_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.ReviewCreate],
    ) -> Response[schemas.Review]:
        review = await _service(db_session, request).add_review(concern_id, data, now)
        return Response(review_to_schema(review), status_code=201)

    @post(
        "/{concern_id:uuid}/close",
        guards=principal_only,
        operation_id="closeStudentOfConcern",
        status_code=200,
    )
    async def close(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        concern_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Closure],
    ) -> schemas.StudentOfConcern:
        return to_schema(await _service(db_session, request).close(concern_id, data.reason, now))
