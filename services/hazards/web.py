"""Request plumbing shared by the hazards controllers: the app's clock and file store, form uploads."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from hazards.clock import Clock
from kit.errors import InvalidInputError
from kit.storage import FileStore, FileTooLargeError

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: A phone photo; larger ones are refused (the portal scales photos down before sending them).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
#: The whole multipart body: one photo plus the form's fields and framing.
MAX_FORM_BODY = MAX_PHOTO_BYTES + 64 * 1024


def clock_of(request: Request[Any, Any, Any]) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def store_of(request: Request[Any, Any, Any]) -> FileStore:
    store: FileStore = request.app.state.store
    return store


async def read_form(
    request: Request[Any, Any, Any], *, file_field: str, max_file_bytes: int = MAX_PHOTO_BYTES
) -> tuple[dict[str, str], bytes | None]:
    """The text fields and the (optional) file of a form post; the file is read within ``max_file_bytes``."""
    if request.content_type[0] not in FORM_TYPES:
        raise InvalidInputError(
            "send the form as multipart/form-data",
            errors=[{"key": "content-type", "message": "multipart/form-data", "source": "header"}],
        )
    try:
        form = await request.form()
    except ClientException as exc:  # a malformed body
        raise InvalidInputError("the form could not be read") from exc
    fields: dict[str, str] = {}
    data: bytes | None = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key != file_field or data is not None:
                raise InvalidInputError(
                    f"only one file is accepted, in the field {file_field!r}",
                    errors=[{"key": key, "message": "unexpected file", "source": "body"}],
                )
            data = await value.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                raise FileTooLargeError(
                    f"the file is larger than {max_file_bytes // (1024 * 1024)} MiB",
                    errors=[{"key": key, "message": f"at most {max_file_bytes} bytes"}],
                )
            if not data:
                data = None  # an empty file input: no photo
        elif isinstance(value, str):
            fields[key] = value
    return fields, data
