"""What every hazards page shares: rendering with the area's words, the guards, file answers and uploads."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Template

from kit.auth import requires_role
from portal.domain.hazards import labels
from portal.domain.hazards.actions import today
from portal.domain.hazards.forms import Form
from portal.i18n import current_locale
from portal.web import page

EVERYONE = [requires_role("bureau", "principal", "teacher", "guard")]
SCHOOL_STAFF = [requires_role("principal", "teacher", "guard")]
PRINCIPAL = [requires_role("principal")]
BUREAU = [requires_role("bureau")]
PRINCIPAL_OR_BUREAU = [requires_role("principal", "bureau")]
MANAGERS = [requires_role("principal", "teacher", "bureau")]

#: A phone photo; the API refuses larger ones (hazards.web.MAX_PHOTO_BYTES).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
#: A form with one photo: the photo plus the text fields and the multipart framing.
MAX_FORM_BODY = MAX_PHOTO_BYTES + 64 * 1024
PAGE_SIZE = 25
#: A list's page (``?page_number=``).
PageNumber = Annotated[int, QueryParameter(ge=1, le=10_000)]
#: The file types a photo may have (the API checks the content itself).
PHOTO_PREFIX = "image/"


def render(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A hazards page, with the area's words (``hz``) and today's date (``today``) in its context."""
    return page(request, template, status_code=status_code, hz=labels, today=today(), blank=Form(), **context)


def lang_of(request: Request[Any, Any, Any]) -> str:
    """The exports' language (``zh`` or ``en``) for the page's language."""
    return "en" if current_locale() == "en" else "zh"


def passed_on(answer: httpx.Response, fallback_name: str) -> Response[bytes]:
    """A file from the API, passed to the browser as a download with the API's name and type."""
    disposition = answer.headers.get("content-disposition") or f'attachment; filename="{fallback_name}"'
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


async def photo_of(upload: Any) -> tuple[str, bytes, str] | None:
    """The uploaded photo as an httpx file tuple; ``None`` for an empty file input. Raises ``ValueError``
    for a file that is no image or too large (the API checks the content again)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read(MAX_PHOTO_BYTES + 1)
    if not content:
        return None
    if len(content) > MAX_PHOTO_BYTES:
        raise ValueError("too large")
    content_type = upload.content_type or "application/octet-stream"
    if not content_type.startswith(PHOTO_PREFIX):
        raise ValueError("not an image")
    return (upload.filename, content, content_type)
