"""What the evaluation pages share: the form with errors beside its fields, county time, words for the
evaluation API's codes, and reading a campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from babel.core import Locale
from babel.dates import format_datetime
from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.response import Template

from portal.api import Api, ApiProblem
from portal.i18n import N_, current_locale, gettext
from portal.web import page

#: Counties keep China Standard Time: windows are typed and shown in it.
COUNTY_TIME = ZoneInfo("Asia/Shanghai")
REQUIRED = N_("This field is required.")

STATUSES = {
    "assigned": N_("Assigned"),
    "submitted": N_("Submitted"),
    "accepted": N_("Accepted"),
    "returned": N_("Returned for rectification"),
    "cancelled": N_("Cancelled"),
}
GRADES = {
    "excellent": N_("Excellent"),
    "good": N_("Good"),
    "pass": N_("Pass"),
    "fail": N_("Fail"),
}
GRADE_ORDER = ("excellent", "good", "pass", "fail")
CAMPAIGN_STATUSES = {"open": N_("In progress"), "frozen": N_("Signed off (frozen)")}
REPORT_KINDS = {
    "county_pdf": N_("County report (PDF)"),
    "ranking_xlsx": N_("Ranking (XLSX)"),
    "sheets_xlsx": N_("Score sheets (XLSX)"),
    "report_card_pdf": N_("School report card (PDF)"),
}
REPORT_STATUSES = {
    "queued": N_("Waiting"),
    "running": N_("Being prepared"),
    "done": N_("Ready"),
    "failed": N_("Failed"),
}
ITEM_KINDS = {"indicator": N_("Indicator"), "bonus": N_("Bonus item"), "veto": N_("Veto item")}
MEMBER_ROLES = {"bureau": N_("Bureau staff"), "principal": N_("Principal"), "teacher": N_("Teacher")}
SEVERITIES = {"general": N_("General"), "major": N_("Major")}
FINDING_CATEGORIES = {
    "buildings_facilities": N_("Buildings and facilities"),
    "fire": N_("Fire safety"),
    "electrical": N_("Electrical"),
    "food_hygiene": N_("Food hygiene"),
    "traffic": N_("Traffic"),
    "dormitory": N_("Dormitory"),
    "lab_chemicals": N_("Laboratory chemicals"),
    "personnel": N_("Personnel"),
    "other": N_("Other"),
}
#: The API's field messages the pages can say in the user's language; others get the field's hint.
API_MESSAGES = {
    "required": N_("This field is required."),
    "not allowed": N_("Not allowed for this item."),
}


@dataclass
class Form:
    """What the user typed, the errors beside each field and a message above the form."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    detail: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any], names: tuple[str, ...]) -> Form:
        return cls(values={name: str(data.get(name) or "").strip() for name in names})

    def require(self, *names: str) -> bool:
        for name in names:
            if not self.values.get(name):
                self.errors[name] = gettext(REQUIRED)
        return not self.errors

    def reject(self, problem: ApiProblem, hints: Mapping[str, str], failed: str) -> None:
        """The API's verdict beside the fields it names (known keys only); the rest above the form."""
        for api_key, message in problem.field_errors().items():
            key = field_key(api_key)
            if key in hints:
                known = API_MESSAGES.get(message.strip().lower())
                self.errors[key] = gettext(known) if known else gettext(hints[key], detail=message)
        self.message = gettext(failed)
        if not self.errors:
            self.detail = problem.detail


def check_points(form: Form, kind: str) -> None:
    """Points where an indicator or bonus item needs them, as a number; a veto item takes none."""
    points = form.values["points"].replace(",", ".")
    if kind == "veto":
        return
    if not points:
        form.errors["points"] = gettext(N_("Enter the points."))
        return
    try:
        float(points)
    except ValueError:
        form.errors["points"] = gettext(N_("Enter a number, such as 4 or 4.5."))


def hint(hints: Mapping[str, str], key: str) -> str:
    """A field's hint in the user's language."""
    return gettext(hints[key])


def local_time(value: str | dt.datetime | None) -> str:
    """An API timestamp in county time and the current language."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, "medium", tzinfo=COUNTY_TIME, locale=Locale.parse(current_locale()))


def parse_local(value: str) -> dt.datetime | None:
    """A ``datetime-local`` value typed in county time; ``None`` when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=COUNTY_TIME) if moment.tzinfo is None else moment


def number(value: Any) -> str:
    """Points as people write them: 12.5, 12 (no trailing zeros)."""
    if value is None or value == "":
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


async def campaigns(api: Api) -> list[dict[str, Any]]:
    """The county's evaluation campaigns, newest year first."""
    found = await api.get("evaluation", "/campaigns")
    return sorted(found, key=lambda c: (c["year"], c["created_at"]), reverse=True)


#: Helpers every evaluation template may use.
HELPERS = {
    "local_time": local_time,
    "number": number,
    "STATUSES": STATUSES,
    "GRADES": GRADES,
    "GRADE_ORDER": GRADE_ORDER,
    "CAMPAIGN_STATUSES": CAMPAIGN_STATUSES,
    "REPORT_KINDS": REPORT_KINDS,
    "REPORT_STATUSES": REPORT_STATUSES,
    "ITEM_KINDS": ITEM_KINDS,
    "SEVERITIES": SEVERITIES,
    "MEMBER_ROLES": MEMBER_ROLES,
    "FINDING_CATEGORIES": FINDING_CATEGORIES,
}


def view(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """An evaluation page (or fragment) with the area's helpers in its context, and ``done``: what the
    action the page comes back from did (``?done=saved``), for its confirmation."""
    context.setdefault("done", request.query_params.get("done", ""))
    return page(request, template, status_code=status_code, blank=Form(), **HELPERS, **context)


#: Photos and evidence files the portal passes on (the API allows at most 1 MB too).
MAX_UPLOAD_BYTES = 1024 * 1024
#: The body limit of an upload route (a little room for the multipart wrapping).
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024


async def pass_upload(request: Request[Any, Any, Any], api: Api, name: str, path: str, refused: str) -> str:
    """Pass the file posted as ``name`` on to the evaluation API at ``path`` (raw body). Returns why it was
    not (none chosen, too large, ``refused`` when the API turns it down), or ``""``."""
    upload = (await request.form()).get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return gettext(N_("Choose a file first."))
    content = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return gettext(N_("The file is larger than 1 MB."))
    try:
        await api.post("evaluation", path, content=content)
    except ApiProblem as problem:
        if problem.status not in (400, 409, 413, 415, 422):
            raise
        return refused
    return ""


def file_response(found: httpx.Response, disposition: str = "inline") -> Response[bytes]:
    """A file the API served, passed on to the browser (never cached: who may read it is checked per read)."""
    return Response(
        found.content,
        media_type=found.headers.get("content-type", "application/octet-stream"),
        headers={
            "Content-Disposition": found.headers.get("content-disposition", disposition),
            "Cache-Control": "private, no-store",
        },
    )


def field_key(api_key: str) -> str:
    """An API field key (``finding.title``, ``$.points``) as the form field's name (``finding_title``)."""
    return api_key.removeprefix("$.").replace(".", "_")
