"""The bureau's pages: staffing across the county's schools (least compliant first) with the counts of
students of concern per category (counts only, never a record), and the bureau's own users."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import Form, is_form_problem, render
from portal.domain.personnel.staff import send_invitation
from portal.i18n import N_, gettext

bureau_only = [requires_role("bureau")]
NOT_CHANGED = N_("Nothing was changed. Give a reason.")
STANDARD_HINTS = {
    "students_per_guard": N_("Enter a whole number from 50 to 10000."),
    "min_guards_per_school": N_("Enter a whole number from 0 to 100."),
    "min_guards_per_gate": N_("Enter a whole number from 0 to 100."),
    "night_guards_boarding": N_("Enter a whole number from 0 to 100."),
    "visitor_id_retention_days": N_("Enter a number of days from 1 to 3650."),
}
STANDARD_FIELDS = tuple(STANDARD_HINTS)
#: The bounds the API holds too, checked here so that every wrong figure is named at once.
STANDARD_RANGES = {
    "students_per_guard": (50, 10_000),
    "min_guards_per_school": (0, 100),
    "min_guards_per_gate": (0, 100),
    "night_guards_boarding": (0, 100),
    "visitor_id_retention_days": (1, 3650),
}
NOT_SET = N_("The standard was not changed. Correct the marked fields and submit again.")


class CountyStaffingController(Controller):
    path = "/county-staffing"
    guards = bureau_only
    include_in_schema = False

    @get("/")
    async def overview(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Every school's staffing against the standard, and how many students of concern per category."""
        standard = await api.get("personnel", "/standard")
        form = Form.empty(**{name: str(standard[name]) for name in STANDARD_FIELDS})
        return await _overview(request, api, standard, form)

    @post("/standard")
    async def set_standard(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The county's standard (all figures at once); bad input comes back beside the fields."""
        form = Form.read(await request.form(), STANDARD_FIELDS).require(*STANDARD_FIELDS)
        figures = {
            name: form.whole_number(name, STANDARD_HINTS[name], low=low, high=high)
            for name, (low, high) in STANDARD_RANGES.items()
        }
        if form.ok:
            try:
                await api.put("personnel", "/standard", json=figures)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, STANDARD_HINTS, NOT_SET)
            else:
                return Redirect(path="/county-staffing?saved=1", status_code=303)
        else:
            form.fail(NOT_SET)
        standard = await api.get("personnel", "/standard")
        return await _overview(request, api, standard, form, status_code=422)


async def _overview(
    request: Request[Any, Any, Any], api: Api, standard: dict[str, Any], form: Form, *, status_code: int = 200
) -> Response[Any]:
    schools = await api.get("personnel", "/staffing/schools")
    counts = {row["school_id"]: row for row in await api.get("personnel", "/students-of-concern/counts")}
    return render(
        request,
        "personnel/county_staffing.html",
        status_code=status_code,
        schools=schools,
        counts=counts,
        standard=standard,
        form=form,
        saved=request.query_params.get("saved", ""),
        compliant=sum(1 for school in schools if school["compliant"]),
    )


async def _users_page(
    request: Request[Any, Any, Any], api: Api, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response[Any]:
    result = await api.get("personnel", "/bureau-users", {"limit": 200})
    return render(
        request,
        "personnel/bureau_users.html",
        status_code=status_code,
        users=result["items"],
        errors=errors or {},
        invited=request.query_params.get("invited", ""),
    )


class BureauUsersController(Controller):
    path = "/bureau-users"
    guards = bureau_only
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The bureau's users and their accounts."""
        return await _users_page(request, api)

    @get("/invite")
    async def invite_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return render(request, "personnel/invite.html", form=Form.empty(), staff=False)

    @post("/invite")
    async def invite(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        return await send_invitation(request, api, staff=False)

    @post("/{user_id:uuid}/deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], api: UserApi, user_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Deactivate with a reason: the account is disabled."""
        return await _change(request, api, user_id, "deactivate")

    @post("/{user_id:uuid}/reactivate")
    async def reactivate(
        self, request: Request[Any, Any, Any], api: UserApi, user_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await _change(request, api, user_id, "reactivate")

    @post("/{user_id:uuid}/invitation")
    async def resend(
        self, request: Request[Any, Any, Any], api: UserApi, user_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """E-mail a fresh initial password."""
        await api.post("personnel", f"/bureau-users/{user_id}/invitation")
        return Redirect(path="/bureau-users", status_code=303)


async def _change(
    request: Request[Any, Any, Any], api: Api, user_id: uuid.UUID, action: str
) -> Response[Any]:
    reason = str((await request.form()).get("reason") or "").strip()
    if len(reason) >= 2:
        try:
            await api.post("personnel", f"/bureau-users/{user_id}/{action}", json={"reason": reason})
        except ApiProblem as problem:
            if not is_form_problem(problem):
                raise
        else:
            return Redirect(path="/bureau-users", status_code=303)
    return await _users_page(request, api, errors={str(user_id): gettext(NOT_CHANGED)}, status_code=422)
