"""HTTP for bulk onboarding: the bureau uploads a CSV or XLSX file and gets a per-row report.

Each row is its own transaction (the importer commits row by row), so the request boundary's session is
not used. A row is onboarded through the same service as a single onboarding, so its
``schools.school.onboarded`` event is written in the row's transaction and its principal is provisioned
from it in the same way.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from kit.auth import requires_role
from kit.db import Database
from kit.errors import InvalidInputError
from schools.domain.schools.importer import ImportFileError, import_schools
from tenants import TenantContext

#: Largest file accepted (a county's few hundred schools fit in far less).
MAX_IMPORT_BYTES = 5 * 1024 * 1024
#: The whole multipart body: the file plus the form's framing.
MAX_IMPORT_BODY = MAX_IMPORT_BYTES + 64 * 1024


class ImportRow(msgspec.Struct):
    line: int
    code: str
    ok: bool
    message: str
    school_id: uuid.UUID | None


class ImportReport(msgspec.Struct):
    filename: str
    total: int
    succeeded: int
    failed: int
    rows: list[ImportRow]


def _file_error(message: str) -> InvalidInputError:
    return InvalidInputError(message, errors=[{"key": "file", "message": message, "source": "body"}])


async def _uploaded_file(request: Request[TenantContext, Any, Any]) -> tuple[str, bytes]:
    """The ``file`` part of a multipart body, read within :data:`MAX_IMPORT_BYTES`."""
    if request.content_type[0] != "multipart/form-data":
        raise _file_error("send the file as multipart/form-data in a field named 'file'")
    try:
        form = await request.form()
    except ClientException as exc:
        if exc.status_code == 413:  # over the route's body limit: answered as such
            raise
        raise _file_error("the upload could not be read") from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise _file_error("no file was uploaded (field 'file')")
    raw = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise _file_error(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
    if not raw:
        raise _file_error("the file is empty")
    return upload.filename, raw


class SchoolImportController(Controller):
    path = "/schools/imports"
    tags = ["schools"]

    @post(
        "/",
        guards=[requires_role("bureau")],
        operation_id="importSchools",
        status_code=200,
        request_max_body_size=MAX_IMPORT_BODY,
    )
    async def import_file(self, request: Request[TenantContext, Any, Any]) -> ImportReport:
        """Onboard the schools of a CSV or XLSX file (multipart field ``file``; Chinese or English headings).

        Every row is committed or reported on its own; the answer lists every row."""
        filename, raw = await _uploaded_file(request)
        database: Database = request.app.state.database
        try:
            report = await import_schools(database, request.user, filename, raw)
        except ImportFileError as exc:
            raise _file_error(str(exc)) from exc
        rows = [
            ImportRow(line=r.line, code=r.code, ok=r.ok, message=r.message, school_id=r.school_id)
            for r in report.rows
        ]
        return ImportReport(
            filename=filename, total=len(rows), succeeded=report.succeeded, failed=report.failed, rows=rows
        )
