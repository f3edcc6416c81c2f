"""HTTP for the self-assessment. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody

from evaluation.domain.self_assessment import schemas
from evaluation.domain.self_assessment.service import SelfAssessmentService
from evaluation.files import download
from kit.auth import requires_role
from kit.db import DbSession
from tenants import TenantContext

principal_only = [requires_role("principal")]
school_staff = [requires_role("principal", "teacher")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SelfAssessmentService:
    return SelfAssessmentService(db_session, request.user)


class SelfAssessmentController(Controller):
    path = "/campaigns/{campaign_id:uuid}/self-assessment"
    tags = ["self-assessment"]

    @get("/", guards=school_staff, operation_id="getOwnSelfAssessment")
    async def own(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.SelfAssessment:
        """The caller's school's self-assessment for the campaign."""
        return await _service(db_session, request).own(campaign_id)

    @put("/items/{code:str}", guards=principal_only, operation_id="scoreOwnSchool")
    async def score(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        code: FromPath[str],
        data: JSONBody[schemas.EntryInput],
    ) -> schemas.SelfAssessment:
        """Score one item (idempotent: the last score wins)."""
        return await _service(db_session, request).score(campaign_id, code, data)

    @post("/items/{code:str}/evidence", guards=principal_only, operation_id="attachSelfAssessmentEvidence")
    async def attach(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[schemas.EvidenceFile]:
        """Attach a photo or PDF (the request body, at most 1 MB) to one item."""
        evidence = await _service(db_session, request).attach(campaign_id, code, await request.body())
        return Response(evidence, status_code=201, headers={"Location": evidence.url})

    @post("/submit", guards=principal_only, operation_id="submitSelfAssessment", status_code=200)
    async def submit(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.SelfAssessment:
        """Submit the self-assessment (every indicator scored); it no longer changes afterwards."""
        return await _service(db_session, request).submit(campaign_id)


class SchoolSelfAssessmentController(Controller):
    path = "/campaigns/{campaign_id:uuid}/schools/{school_id:uuid}/self-assessment"
    tags = ["self-assessment"]

    @get("/", guards=[requires_role("bureau")], operation_id="getSchoolSelfAssessment")
    async def of_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        school_id: FromPath[uuid.UUID],
    ) -> schemas.SelfAssessment:
        """One school's self-assessment (bureau)."""
        return await _service(db_session, request).of_school(campaign_id, school_id)


class SelfAssessmentEvidenceController(Controller):
    path = "/self-assessment-evidence"
    tags = ["self-assessment"]

    @get(
        "/{evidence_id:uuid}",
        guards=[requires_role("bureau", "principal", "teacher")],
        operation_id="downloadSelfAssessmentEvidence",
    )
    async def download_evidence(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        evidence_id: FromPath[uuid.UUID],
    ) -> Response[bytes]:
        """An evidence file: the school's own staff, the bureau, and an inspector of the school during the
        inspection window."""
        row = await _service(db_session, request).evidence_file(evidence_id)
        return await download(row.storage_key, row.content_type)
