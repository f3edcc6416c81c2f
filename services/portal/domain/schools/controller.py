"""The bureau's schools: the list with provisioning status and retry, onboarding one school, bulk upload."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import ApiProblem, UserApi
from portal.domain.schools.forms import OnboardingForm
from portal.domain.schools.labels import KINDS
from portal.i18n import gettext
from portal.web import is_htmx, page, status_message

PAGE_SIZE = 25
#: The largest upload the portal passes on (the API enforces its own limit too).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class SchoolsController(Controller):
    path = "/schools"
    guards = [requires_role("bureau")]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        page_number: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Response[Any]:
        """The county's schools, searchable, with each principal account's provisioning status."""
        result = await api.get(
            "schools", "/schools", {"q": q, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
        )
        total = int(result["total"])
        return page(
            request,
            "schools/index.html",
            schools=result["items"],
            total=total,
            q=q,
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
            onboarded=request.query_params.get("onboarded", ""),
        )

    @get("/{school_id:uuid}/row")
    async def row(
        self, request: Request[Any, Any, Any], api: UserApi, school_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One row of the list (polled while the principal's account is being provisioned)."""
        school = await api.get("schools", f"/schools/{school_id}")
        return page(request, "schools/_row.html", school=school)

    @post("/{school_id:uuid}/retry")
    async def retry(
        self, request: Request[Any, Any, Any], api: UserApi, school_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Provision the principal's account again after a failure."""
        message = ""
        try:
            school = await api.post("schools", f"/schools/{school_id}/provisioning/retry")
        except ApiProblem as problem:
            if problem.status != 409:
                raise
            school = await api.get("schools", f"/schools/{school_id}")
            message = gettext("The account is already provisioned.")
        if not is_htmx(request):
            return Redirect(path="/schools", status_code=303)
        return page(request, "schools/_row.html", school=school, message=message)

    @get("/new")
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return page(request, "schools/new.html", form=OnboardingForm(), kinds=KINDS)

    @post("/new")
    async def create(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Onboard one school; bad input comes back beside the fields and writes nothing."""
        form = OnboardingForm.from_form(await request.form())
        if form.check():
            try:
                school = await api.post("schools", "/schools", json=form.payload())
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem)
            else:
                return Redirect(path=f"/schools?onboarded={school['code']}", status_code=303)
        else:
            form.message = gettext(
                "The school was not onboarded. Correct the marked fields and submit again."
            )
        return page(request, "schools/new.html", status_code=422, form=form, kinds=KINDS)

    @get("/import")
    async def import_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return page(request, "schools/import.html", report=None, error="")

    @post("/import", request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024)
    async def import_file(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Pass the file to the schools API and show its per-row report."""
        template = "schools/_import_result.html" if is_htmx(request) else "schools/import.html"
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            error = gettext("Choose a CSV or XLSX file first.")
            return page(request, template, status_code=422, report=None, error=error)
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return page(request, template, status_code=413, report=None, error=status_message(413))
        try:
            report = await api.post(
                "schools",
                "/schools/imports",
                files={"file": (upload.filename, content, upload.content_type or "application/octet-stream")},
            )
        except ApiProblem as problem:
            if problem.status not in (400, 413, 415, 422):
                raise
            error = gettext("The file could not be imported.")
            return page(request, template, status_code=422, report=None, error=error, detail=problem.detail)
        return page(request, template, report=report, error="")
