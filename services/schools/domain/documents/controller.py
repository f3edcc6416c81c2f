"""HTTP for the management-system register. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from schools.domain.campaigns.calendar import clock_of
from schools.domain.documents import schemas
from schools.domain.documents.models import SystemKind
from schools.domain.documents.service import DocumentService
from tenants import TenantContext

everyone = [requires_role("bureau", "principal", "teacher", "guard")]
principal_only = [requires_role("principal")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> DocumentService:
    return DocumentService(db_session, request.user, clock=clock_of(request.app.state))


class ManagementDocumentController(Controller):
    path = "/management-documents"
    tags = ["management systems"]

    @get("/", guards=everyone, operation_id="listManagementDocuments")
    async def list_documents(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_id: FromQuery[uuid.UUID | None] = None,
        kind: FromQuery[SystemKind | None] = None,
    ) -> list[schemas.Document]:
        """The school's management systems with the version in force (the bureau: every school's)."""
        return await _service(db_session, request).documents(school_id=school_id, kind=kind)

    @post("/", guards=principal_only, operation_id="registerManagementDocument")
    async def register(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.DocumentCreate],
    ) -> Response[schemas.Document]:
        """Register a management system (security, dormitory, visitor management, ...) with its first version."""
        service = _service(db_session, request)
        document = await service.view(await service.create(data))
        return Response(
            document, status_code=201, headers={"Location": f"/management-documents/{document.id}"}
        )

    @get("/{document_id:uuid}", guards=everyone, operation_id="getManagementDocument")
    async def get_document(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        document_id: FromPath[uuid.UUID],
    ) -> schemas.Document:
        service = _service(db_session, request)
        return await service.view(await service.get(document_id))

    @post("/{document_id:uuid}/versions", guards=principal_only, operation_id="addManagementDocumentVersion")
    async def add_version(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        document_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.VersionInput],
    ) -> Response[schemas.Document]:
        """A new version, with its effective date and approver; earlier versions are kept."""
        service = _service(db_session, request)
        document = await service.view(await service.add_version(document_id, data))
        return Response(document, status_code=201)
