"""Dormitories and night inspections: tonight's round (female and mixed dormitories flagged and first), the
inspection form (head count against the roster, findings), recent inspections, and the nights a
dormitory went uninspected; the principal adds dormitories."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import Form, is_form_problem, render
from portal.i18n import N_
from portal.web import Viewer

COUNT_HINT = N_("Enter a whole number from 0 to 5000.")
INSPECTION_HINTS = {
    "present_count": COUNT_HINT,
    "absent_with_leave": COUNT_HINT,
    "findings": N_("Choose from the list."),
    "notes": N_("Use at most 2000 characters."),
}
NOT_RECORDED = N_("The inspection was not recorded. Correct the marked fields and submit again.")
DORMITORY_HINTS = {
    "name": N_("Enter the dormitory's name (at most 80 characters)."),
    "occupants": N_("Choose who lives there."),
    "roster_count": COUNT_HINT,
    "supervisor_staff_id": N_("Choose an active member of staff of this school."),
}
NOT_ADDED = N_("The dormitory was not added. Correct the marked fields and submit again.")


async def _index(
    request: Request[Any, Any, Any], api: Api, form: Form, *, status_code: int = 200
) -> Response[Any]:
    viewer = Viewer.of(request)
    principal = viewer is not None and viewer.role == "principal"
    tonight = await api.get("personnel", "/night-inspections/tonight")
    missed = await api.get("personnel", "/night-inspections/missed") if principal else []
    staff = (
        await api.get("personnel", "/staff", {"status": "active", "limit": 200})
        if principal
        else {"items": []}
    )
    return render(
        request,
        "personnel/dormitories.html",
        status_code=status_code,
        tonight=tonight,
        outstanding=set(tonight["outstanding"]),
        recent=await api.get("personnel", "/night-inspections"),
        missed=missed,
        principal=principal,
        staff=staff["items"],
        form=form,
        recorded=request.query_params.get("recorded", ""),
    )


async def _dormitory(api: Api, dormitory_id: uuid.UUID) -> dict[str, Any]:
    for dormitory in await api.get("personnel", "/dormitories"):
        if dormitory["id"] == str(dormitory_id):
            return dormitory  # type: ignore[no-any-return]
    raise NotFoundException()


class DormitoriesController(Controller):
    path = "/dormitories"
    include_in_schema = False

    @get("/", guards=[requires_role("principal", "teacher", "guard")])
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Tonight's round, recent inspections, missed nights (the principal) and adding a dormitory."""
        return await _index(request, api, Form.empty(occupants="female", roster_count="0"))

    @post("/", guards=[requires_role("principal")])
    async def add(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        form = Form.read(await request.form(), ("name", "occupants", "roster_count", "supervisor_staff_id"))
        form.require("name", "occupants")
        roster = (
            form.whole_number("roster_count", COUNT_HINT, high=5000) if form.values["roster_count"] else 0
        )
        if form.ok and roster is not None:
            body: dict[str, Any] = {
                "name": form.values["name"],
                "occupants": form.values["occupants"],
                "roster_count": roster,
            }
            if form.values["supervisor_staff_id"]:
                body["supervisor_staff_id"] = form.values["supervisor_staff_id"]
            try:
                await api.post("personnel", "/dormitories", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, DORMITORY_HINTS, NOT_ADDED)
            else:
                return Redirect(path="/dormitories", status_code=303)
        else:
            form.fail(NOT_ADDED)
        return await _index(request, api, form, status_code=422)

    @get("/{dormitory_id:uuid}/inspect", guards=[requires_role("principal", "teacher", "guard")])
    async def inspection_form(
        self, request: Request[Any, Any, Any], api: UserApi, dormitory_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        dormitory = await _dormitory(api, dormitory_id)
        form = Form.empty(present_count="", absent_with_leave="0")
        return render(request, "personnel/inspect.html", dormitory=dormitory, form=form)

    @post("/{dormitory_id:uuid}/inspect", guards=[requires_role("principal", "teacher", "guard")])
    async def inspect(
        self, request: Request[Any, Any, Any], api: UserApi, dormitory_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Record the caller's inspection now: the head count against the roster and what was found."""
        form = Form.read(
            await request.form(), ("present_count", "absent_with_leave", "notes"), lists=("findings",)
        )
        form.require("present_count")
        present = form.whole_number("present_count", COUNT_HINT, high=5000)
        on_leave = (
            form.whole_number("absent_with_leave", COUNT_HINT, high=5000)
            if form.values["absent_with_leave"]
            else 0
        )
        if form.ok and present is not None and on_leave is not None:
            body = {
                "present_count": present,
                "absent_with_leave": on_leave,
                "findings": form.lists["findings"],
                "notes": form.values["notes"],
            }
            try:
                await api.post("personnel", f"/dormitories/{dormitory_id}/inspections", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, INSPECTION_HINTS, NOT_RECORDED)
            else:
                return Redirect(path=f"/dormitories?recorded={dormitory_id}", status_code=303)
        else:
            form.fail(NOT_RECORDED)
        dormitory = await _dormitory(api, dormitory_id)
        return render(request, "personnel/inspect.html", status_code=422, dormitory=dormitory, form=form)
