"""Students of concern: the list and a record with its care plan and reviews, for the principal and the
record's responsible teacher only (the API answers 404 to anybody else, which shows the 404 page). The
bureau sees counts per category on its staffing page, never a record."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import Form, is_form_problem, render, today
from portal.i18n import N_
from portal.web import Viewer

carers = [requires_role("principal", "teacher")]
principal_only = [requires_role("principal")]

NEW_FIELDS = (
    "student_name",
    "class_name",
    "category",
    "responsible_staff_id",
    "description",
    "care_plan",
    "review_interval_days",
)
NEW_HINTS = {
    "student_name": N_("Enter the student's name (at most 80 characters)."),
    "class_name": N_("Use at most 40 characters."),
    "category": N_("Choose a category."),
    "responsible_staff_id": N_("Choose an active teacher or the principal of this school."),
    "description": N_("Use at most 5000 characters."),
    "care_plan": N_("Use at most 5000 characters."),
    "review_interval_days": N_("Enter a number of days from 1 to 365."),
    "next_review_on": N_("Enter a date."),
    "notes": N_("Write what the review found (2 to 5000 characters)."),
    "reason": N_("Give a reason (2 to 500 characters)."),
}
NOT_CREATED = N_("The record was not created. Correct the marked fields and submit again.")
NOT_SAVED = N_("Nothing was saved. Correct the marked fields and submit again.")
#: Records whose review falls due within this many days are listed on the teacher's home page.
DUE_SOON_DAYS = 7


async def _responsible(api: Api) -> list[dict[str, Any]]:
    staff = await api.get("personnel", "/staff", {"status": "active", "limit": 200})
    return [s for s in staff["items"] if s["role"] in ("teacher", "principal")]


async def _record_page(
    request: Request[Any, Any, Any],
    api: Api,
    concern_id: uuid.UUID,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Response[Any]:
    record = await api.get("personnel", f"/students-of-concern/{concern_id}")
    reviews = await api.get("personnel", f"/students-of-concern/{concern_id}/reviews")
    viewer = Viewer.of(request)
    form = form or Form.empty()
    form.values.setdefault("care_plan", record["care_plan"])
    return render(
        request,
        "personnel/concern.html",
        status_code=status_code,
        record=record,
        reviews=reviews,
        principal=viewer is not None and viewer.role == "principal",
        form=form,
        due=record["next_review_on"] <= today().isoformat(),
    )


async def _save(
    request: Request[Any, Any, Any], api: Api, concern_id: uuid.UUID, form: Form, call: Any
) -> Response[Any]:
    """Send ``call`` when the form holds what it needs; otherwise (or when refused) the record comes back."""
    if form.ok:
        try:
            await call
        except ApiProblem as problem:
            if not is_form_problem(problem):
                raise
            form.reject(problem, NEW_HINTS, NOT_SAVED)
        else:
            return Redirect(path=f"/concerns/{concern_id}", status_code=303)
    else:
        call.close()
        form.fail(NOT_SAVED)
    return await _record_page(request, api, concern_id, form=form, status_code=422)


class ConcernsController(Controller):
    path = "/concerns"
    include_in_schema = False

    @get("/", guards=carers)
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The principal: every active record of the school; a teacher: those they are responsible for."""
        records = await api.get("personnel", "/students-of-concern")
        return render(request, "personnel/concerns.html", records=records, today=today().isoformat())

    @get("/card", guards=carers)
    async def card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Records whose review falls due within a week (the home card)."""
        horizon = (today() + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
        records = await api.get("personnel", "/students-of-concern")
        due = [r for r in records if r["next_review_on"] <= horizon]
        return render(request, "personnel/_concerns_card.html", due=due, today=today().isoformat())

    @get("/new", guards=principal_only)
    async def new(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        form = Form.empty(review_interval_days="30")
        return render(request, "personnel/concern_new.html", form=form, responsible=await _responsible(api))

    @post("/new", guards=principal_only)
    async def create(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Open a record; bad input comes back beside the fields and nothing is written."""
        form = Form.read(await request.form(), NEW_FIELDS).require(
            "student_name", "category", "responsible_staff_id"
        )
        interval = form.whole_number(
            "review_interval_days", NEW_HINTS["review_interval_days"], low=1, high=365
        )
        if form.ok and interval is not None:
            body: dict[str, Any] = {k: form.values[k] for k in NEW_FIELDS}
            body["review_interval_days"] = interval
            try:
                record = await api.post("personnel", "/students-of-concern", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, NEW_HINTS, NOT_CREATED)
            else:
                return Redirect(path=f"/concerns/{record['id']}", status_code=303)
        else:
            form.fail(NOT_CREATED)
        return render(
            request,
            "personnel/concern_new.html",
            status_code=422,
            form=form,
            responsible=await _responsible(api),
        )

    @get("/{concern_id:uuid}", guards=carers)
    async def record(
        self, request: Request[Any, Any, Any], api: UserApi, concern_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One record with its reviews (every read is written to the school's audit trail by the API)."""
        return await _record_page(request, api, concern_id)

    @post("/{concern_id:uuid}/care-plan", guards=carers)
    async def care_plan(
        self, request: Request[Any, Any, Any], api: UserApi, concern_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = Form.read(await request.form(), ("care_plan",))
        call = api.patch("personnel", f"/students-of-concern/{concern_id}", json=form.values)
        return await _save(request, api, concern_id, form, call)

    @post("/{concern_id:uuid}/reviews", guards=carers)
    async def review(
        self, request: Request[Any, Any, Any], api: UserApi, concern_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = Form.read(await request.form(), ("notes", "next_review_on")).require("notes")
        body = {k: v for k, v in form.values.items() if v}
        call = api.post("personnel", f"/students-of-concern/{concern_id}/reviews", json=body)
        return await _save(request, api, concern_id, form, call)

    @post("/{concern_id:uuid}/close", guards=principal_only)
    async def close(
        self, request: Request[Any, Any, Any], api: UserApi, concern_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = Form.read(await request.form(), ("reason",)).require("reason")
        call = api.post("personnel", f"/students-of-concern/{concern_id}/close", json=form.values)
        return await _save(request, api, concern_id, form, call)
