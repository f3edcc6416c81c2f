"""Evidence files: passed on to the schools API (`POST /files`) and served back from it, so that the API's
tenant rules decide who may read a file (another school's file answers 404 there, and here)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.campaign.forms import Form
from portal.i18n import N_, gettext

#: The schools API's limit; the portal reads at most one byte more.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Room for the form's other fields in a multipart body that carries a file.
UPLOAD_BODY_LIMIT = MAX_FILE_BYTES * 2 + 256 * 1024
FILE_ERRORS = {
    413: N_("The file is too large (at most 20 MB)."),
    415: N_("Only photos (JPEG, PNG, WebP, HEIC), PDF and office documents can be uploaded."),
    422: N_("The file is empty."),
}


def chosen(posted: Mapping[str, Any], name: str = "file") -> list[UploadFile]:
    """The files the user chose in a file field (a field left empty sends a nameless part)."""
    values = posted.getall(name, []) if hasattr(posted, "getall") else [posted.get(name)]
    return [value for value in values if isinstance(value, UploadFile) and value.filename]


async def upload(api: Api, form: Form, field: str, file: UploadFile) -> str | None:
    """Upload one file; its id, or ``None`` with the reason beside ``field``."""
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        form.errors[field] = gettext(FILE_ERRORS[413])
        return None
    try:
        stored = await api.post(
            "schools",
            "/files",
            files={"file": (file.filename, content, file.content_type or "application/octet-stream")},
        )
    except ApiProblem as problem:
        if problem.status not in (400, *FILE_ERRORS):
            raise
        form.errors[field] = gettext(FILE_ERRORS.get(problem.status, FILE_ERRORS[415]))
        return None
    return str(stored["id"])


class FileController(Controller):
    path = "/campaign/files"
    include_in_schema = False
    guards = [requires_role("bureau", "principal", "teacher", "guard")]

    @get("/{file_id:uuid}")
    async def download(
        self, request: Request[Any, Any, Any], api: UserApi, file_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The file's bytes as the schools API serves them to this user (404 for another tenant's)."""
        answer = await api.download("schools", f"/files/{file_id}/content")
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        }
        disposition = answer.headers.get("content-disposition")
        if disposition:
            headers["Content-Disposition"] = disposition
        return Response(
            answer.content,
            media_type=answer.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
