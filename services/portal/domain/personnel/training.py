"""Safety education and training sessions: topic, date, audience, participants, materials; the school's
hours over the last twelve months."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import Form, is_form_problem, render, today
from portal.i18n import N_

#: Materials the form offers (a session rarely has more; the API takes up to twenty).
MATERIAL_ROWS = 3
FIELDS = (
    "topic",
    "title",
    "held_on",
    "duration_minutes",
    "participant_count",
    "trainer",
    "notes",
    *(f"material_title_{i}" for i in range(MATERIAL_ROWS)),
    *(f"material_url_{i}" for i in range(MATERIAL_ROWS)),
)
HINTS = {
    "topic": N_("Choose a topic."),
    "title": N_("Enter a title (2 to 200 characters)."),
    "held_on": N_("Enter the date of the session."),
    "duration_minutes": N_("Enter the length in minutes (5 to 1440)."),
    "audience": N_("Choose at least one audience."),
    "participant_count": N_("Enter the number of participants (at least 1)."),
    "staff_participant_ids": N_("Choose staff of this school."),
    "trainer": N_("Use at most 120 characters."),
    "materials": N_("Give each material a title; a link must start with http:// or https://."),
    "notes": N_("Use at most 5000 characters."),
}
NOT_SAVED = N_("The session was not recorded. Correct the marked fields and submit again.")


def _materials(form: Form) -> list[dict[str, str]]:
    rows = []
    for i in range(MATERIAL_ROWS):
        title, url = form.values[f"material_title_{i}"], form.values[f"material_url_{i}"]
        if title or url:
            rows.append({"title": title, "url": url})
    return rows


async def _new_page(
    request: Request[Any, Any, Any], api: Api, form: Form, *, status_code: int = 200
) -> Response[Any]:
    staff = await api.get("personnel", "/staff", {"status": "active", "limit": 200})
    return render(
        request,
        "personnel/training_new.html",
        status_code=status_code,
        form=form,
        staff=staff["items"],
        rows=range(MATERIAL_ROWS),
    )


class TrainingController(Controller):
    path = "/training"
    include_in_schema = False

    @get("/", guards=[requires_role("principal", "teacher", "guard")])
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The school's sessions of the last twelve months, newest first, with the hours by topic."""
        sessions = await api.get("personnel", "/training-sessions")
        summary = await api.get("personnel", "/training-sessions/summary")
        return render(request, "personnel/training.html", sessions=sessions, summary=summary)

    @get("/new", guards=[requires_role("principal", "teacher")])
    async def new(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        return await _new_page(request, api, Form.empty(held_on=today().isoformat(), duration_minutes="45"))

    @post("/new", guards=[requires_role("principal", "teacher")])
    async def create(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Record a session; bad input comes back beside the fields and nothing is written."""
        form = Form.read(await request.form(), FIELDS, lists=("audience", "staff_participant_ids"))
        form.require("topic", "title", "held_on", "audience", "duration_minutes", "participant_count")
        minutes = form.whole_number("duration_minutes", HINTS["duration_minutes"], low=5, high=1440)
        count = form.whole_number("participant_count", HINTS["participant_count"], low=1)
        if form.ok and minutes is not None and count is not None:
            body: dict[str, Any] = {
                k: form.values[k] for k in ("topic", "title", "held_on", "trainer", "notes")
            }
            body.update(
                duration_minutes=minutes,
                participant_count=count,
                audience=form.lists["audience"],
                staff_participant_ids=form.lists["staff_participant_ids"],
                materials=_materials(form),
            )
            try:
                await api.post("personnel", "/training-sessions", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, HINTS, NOT_SAVED)
            else:
                return Redirect(path="/training?recorded=1", status_code=303)
        else:
            form.fail(NOT_SAVED)
        return await _new_page(request, api, form, status_code=422)
