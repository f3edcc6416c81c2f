"""Request plumbing for uploads: the app's file store and reading one file from a multipart form."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from kit.errors import InvalidInputError
from kit.storage import FileStore, FileTooLargeError, store_from_env

#: The multipart framing around one file.
FORM_OVERHEAD = 64 * 1024


@cache
def _default_store() -> FileStore:
    return store_from_env()


def store_of(request: Request[Any, Any, Any]) -> FileStore:
    """``app.state.store`` when the app was given one (tests), else the process's store (``SAFECAMPUS_FILES_DIR``)."""
    store: FileStore | None = getattr(request.app.state, "store", None)
    return store or _default_store()


def _form_error(message: str) -> InvalidInputError:
    return InvalidInputError(message, errors=[{"key": "file", "message": message, "source": "body"}])


async def read_upload(request: Request[Any, Any, Any], *, max_bytes: int) -> tuple[str, bytes]:
    """The name and bytes of the ``file`` part of a multipart body, read within ``max_bytes``."""
    if request.content_type[0] != "multipart/form-data":
        raise _form_error("send the file as multipart/form-data in a field named 'file'")
    try:
        form = await request.form()
    except ClientException as exc:  # a malformed multipart body
        raise _form_error("the upload could not be read") from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _form_error("no file was uploaded (field 'file')")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"the file is larger than {max_bytes // (1024 * 1024)} MiB",
            errors=[{"key": "file", "message": f"at most {max_bytes} bytes"}],
        )
    return upload.filename or "file", data
