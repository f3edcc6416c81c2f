"""HTTP for rubrics. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from evaluation.domain.rubrics import schemas
from evaluation.domain.rubrics.models import RubricStatus
from evaluation.domain.rubrics.service import RubricService, to_schema
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
readers = [requires_role("bureau", "principal", "teacher")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> RubricService:
    return RubricService(db_session, request.user)


def _created(rubric: schemas.Rubric) -> Response[schemas.Rubric]:
    return Response(rubric, status_code=201, headers={"Location": f"/rubrics/{rubric.id}"})


class RubricController(Controller):
    path = "/rubrics"
    tags = ["rubrics"]

    @get("/", guards=bureau_only, operation_id="listRubrics")
    async def list_rubrics(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[RubricStatus | None] = None,
    ) -> list[schemas.RubricSummary]:
        """Every version of the county's rubrics."""
        return await _service(db_session, request).list(status)

    @post("/", guards=bureau_only, operation_id="createRubric")
    async def create_rubric(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.RubricDefinition],
    ) -> Response[schemas.Rubric]:
        """A new rubric (version 1, draft)."""
        return _created(to_schema(await _service(db_session, request).create(data)))

    @post("/default", guards=bureau_only, operation_id="createDefaultRubric")
    async def create_default_rubric(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> Response[schemas.Rubric]:
        """A draft of the default rubric built from the campaign plan's objectives and measures."""
        return _created(to_schema(await _service(db_session, request).create_default()))

    @get("/{rubric_id:uuid}", guards=readers, operation_id="getRubric")
    async def get_rubric(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], rubric_id: FromPath[uuid.UUID]
    ) -> schemas.Rubric:
        """One rubric version with its categories, indicators, bonus and veto items."""
        return to_schema(await _service(db_session, request).get(rubric_id))

    @put("/{rubric_id:uuid}", guards=bureau_only, operation_id="replaceRubricDraft")
    async def replace_rubric(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        rubric_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.RubricDefinition],
    ) -> schemas.Rubric:
        """Replace a draft's content (a published version answers 409)."""
        return to_schema(await _service(db_session, request).replace(rubric_id, data))

    @post("/{rubric_id:uuid}/publish", guards=bureau_only, operation_id="publishRubric", status_code=200)
    async def publish_rubric(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], rubric_id: FromPath[uuid.UUID]
    ) -> schemas.Rubric:
        return to_schema(await _service(db_session, request).publish(rubric_id))

    @post("/{rubric_id:uuid}/versions", guards=bureau_only, operation_id="newRubricVersion")
    async def new_version(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], rubric_id: FromPath[uuid.UUID]
    ) -> Response[schemas.Rubric]:
        """A draft copy of this version as the rubric's next version."""
        return _created(to_schema(await _service(db_session, request).new_version(rubric_id)))
