"""HTTP for evidence files: upload, metadata, download. Another tenant's file answers 404."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from kit.auth import requires_role
from kit.db import DbSession
from kit.storage import IMAGE_TYPES, PDF
from schools.domain.evidence import schemas
from schools.domain.evidence.service import MAX_FILE_BYTES, EvidenceService, to_schema
from schools.domain.evidence.web import FORM_OVERHEAD, read_upload, store_of
from tenants import TenantContext

#: Every user of the tenant reads its files (a guard reads the visitor-management rules, say).
everyone = [requires_role("bureau", "principal", "teacher", "guard")]
uploaders = [requires_role("bureau", "principal", "teacher")]


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> EvidenceService:
    return EvidenceService(db_session, request.user, store_of(request))


def _disposition(filename: str, content_type: str) -> str:
    kind = "inline" if content_type in IMAGE_TYPES or content_type == PDF else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class EvidenceFileController(Controller):
    path = "/files"
    tags = ["evidence"]

    @post(
        "/",
        guards=uploaders,
        operation_id="uploadEvidenceFile",
        request_max_body_size=MAX_FILE_BYTES + FORM_OVERHEAD,
    )
    async def upload(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> Response[schemas.EvidenceFile]:
        """Upload a photo, PDF or office document (multipart field ``file``, at most 20 MiB). The type is
        checked by the content. A school's file is readable by its school and the bureau; the bureau's by the
        county's schools."""
        filename, data = await read_upload(request, max_bytes=MAX_FILE_BYTES)
        file = await _service(db_session, request).upload(filename, data)
        return Response(to_schema(file), status_code=201, headers={"Location": f"/files/{file.id}"})

    @get("/{file_id:uuid}", guards=everyone, operation_id="getEvidenceFile")
    async def get_file(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], file_id: FromPath[uuid.UUID]
    ) -> schemas.EvidenceFile:
        return to_schema(await _service(db_session, request).get(file_id))

    @get("/{file_id:uuid}/content", guards=everyone, operation_id="downloadEvidenceFile")
    async def download(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], file_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The file's bytes, as uploaded."""
        file, data = await _service(db_session, request).content(file_id)
        return Response(
            data,
            media_type=file.content_type,
            headers={
                "Content-Disposition": _disposition(file.filename, file.content_type),
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private, no-store",
            },
        )
