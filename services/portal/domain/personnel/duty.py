"""Gate duty: the signed-in person's shifts with check-in and check-out on a phone (missed ones flagged),
and the principal's rosters for the arrival, noon and dismissal peaks with the week's coverage and the
school's gates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel import labels
from portal.domain.personnel.common import Form, is_form_problem, render, today
from portal.i18n import N_, gettext

school_staff = [requires_role("principal", "teacher", "guard")]
principal_only = [requires_role("principal")]

CHECK_MESSAGES = {
    403: N_("This is somebody else's duty."),
    409: N_(
        "Check-in opens 30 minutes before the peak and closes when it ends; a duty is checked in and out once."
    ),
}
ROSTER_FIELDS = ("date", "peak", "gate_id", "start_time", "end_time")
ROSTER_HINTS = {
    "date": N_("Choose a school day from today on."),
    "peak": N_("Choose a duty peak of this school."),
    "gate_id": N_("Choose an active gate."),
    "staff_id": N_("Choose active staff who are not on duty at this peak already."),
    "start_time": N_("Enter a time such as 07:10."),
    "end_time": N_("Enter a time after the start."),
}
NOT_ROSTERED = N_("Nobody was put on the roster. Correct the marked fields and submit again.")
GATE_HINTS = {
    "name": N_("Enter the gate's name (at most 80 characters)."),
    "kind": N_("Choose the kind of gate."),
}
NO_GATE = N_("The gate was not added. Correct the marked fields and submit again.")


def _monday(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=date.weekday())


async def _my_duty(
    request: Request[Any, Any, Any], api: Api, template: str, *, status_code: int = 200, **context: Any
) -> Response[Any]:
    shifts = await api.get("personnel", "/duty/mine")
    date = today().isoformat()
    return render(
        request,
        template,
        status_code=status_code,
        today_shifts=[s for s in shifts if s["date"] == date],
        later=[s for s in shifts if s["date"] > date],
        missed=[s for s in shifts if s["status"] == "missed"],
        **context,
    )


class DutyController(Controller):
    path = "/duty"
    include_in_schema = False

    @get("/", guards=school_staff)
    async def mine(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Today's duties of the signed-in person with one-tap check-in and check-out, then the week."""
        return await _my_duty(request, api, "personnel/duty.html", message="")

    @get("/card", guards=school_staff)
    async def card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Today's duty on the home page (loaded by the home card)."""
        return await _my_duty(request, api, "personnel/_duty_card.html", message="")

    @post("/shifts/{shift_id:uuid}/check-in", guards=school_staff)
    async def check_in(
        self, request: Request[Any, Any, Any], api: UserApi, shift_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await _check(request, api, shift_id, "check-in")

    @post("/shifts/{shift_id:uuid}/check-out", guards=school_staff)
    async def check_out(
        self, request: Request[Any, Any, Any], api: UserApi, shift_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await _check(request, api, shift_id, "check-out")

    # --- the principal's rosters -------------------------------------------------------------------------
    @get("/roster", guards=principal_only)
    async def roster(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        week: Annotated[dt.date | None, QueryParameter()] = None,
    ) -> Response[Any]:
        """The week's roster by day and peak, its coverage, the form to roster staff, and the gates."""
        return await _roster_page(request, api, week or today(), Form.empty(date=today().isoformat()))

    @post("/roster", guards=principal_only)
    async def plan(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Roster the chosen staff for one peak at one gate (all or nothing)."""
        form = Form.read(await request.form(), ROSTER_FIELDS, lists=("staff_id",))
        form.require("date", "peak", "gate_id", "staff_id")
        date = _date(form)
        times = _times(form)
        if form.ok and date is not None:
            shift: dict[str, Any] = {k: form.values[k] for k in ("date", "peak", "gate_id")}
            shift.update(times)
            shifts = [{**shift, "staff_id": staff_id} for staff_id in form.lists["staff_id"]]
            try:
                await api.post("personnel", "/duty/shifts", json={"shifts": shifts})
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, ROSTER_HINTS, NOT_ROSTERED)
            else:
                return Redirect(path=f"/duty/roster?week={date.isoformat()}&planned=1", status_code=303)
        else:
            form.fail(NOT_ROSTERED)
        return await _roster_page(request, api, date or today(), form, status_code=422)

    @post("/roster/{shift_id:uuid}/cancel", guards=principal_only)
    async def cancel(
        self, request: Request[Any, Any, Any], api: UserApi, shift_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        await api.delete("personnel", f"/duty/shifts/{shift_id}")
        week = str((await request.form()).get("week") or "")
        return Redirect(path=f"/duty/roster?week={week}" if week else "/duty/roster", status_code=303)

    @post("/gates", guards=principal_only)
    async def add_gate(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        form = Form.read(await request.form(), ("name", "kind")).require("name", "kind")
        if form.ok:
            try:
                await api.post("personnel", "/gates", json=form.values)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, GATE_HINTS, NO_GATE)
            else:
                return Redirect(path="/duty/roster#gates", status_code=303)
        else:
            form.fail(NO_GATE)
        return await _roster_page(request, api, today(), Form.empty(), gate_form=form, status_code=422)


async def _check(
    request: Request[Any, Any, Any], api: Api, shift_id: uuid.UUID, action: str
) -> Response[Any]:
    """Check in or out of one's own duty; a refusal (too early, over, somebody else's) says why."""
    try:
        await api.post("personnel", f"/duty/shifts/{shift_id}/{action}")
    except ApiProblem as problem:
        if problem.status not in CHECK_MESSAGES:
            raise
        message = gettext(CHECK_MESSAGES[problem.status])
        return await _my_duty(
            request, api, "personnel/duty.html", status_code=problem.status, message=message
        )
    return Redirect(path=f"/duty#shift-{shift_id}", status_code=303)


def _times(form: Form) -> dict[str, str]:
    """The special start and end times as the API reads them (``07:10:00``)."""
    times = {}
    for name in ("start_time", "end_time"):
        if form.values[name]:
            try:
                times[name] = dt.time.fromisoformat(form.values[name]).isoformat()
            except ValueError:
                hint = ROSTER_HINTS[name]
                form.errors[name] = gettext(hint)
    return times


def _date(form: Form) -> dt.date | None:
    try:
        return dt.date.fromisoformat(form.values["date"]) if form.values["date"] else None
    except ValueError:
        hint = ROSTER_HINTS["date"]
        form.errors["date"] = gettext(hint)
        return None


async def _roster_page(
    request: Request[Any, Any, Any],
    api: Api,
    week: dt.date,
    form: Form,
    *,
    gate_form: Form | None = None,
    status_code: int = 200,
) -> Response[Any]:
    monday = _monday(week)
    sunday = monday + dt.timedelta(days=6)
    shifts = await api.get(
        "personnel", "/duty/shifts", {"start": monday.isoformat(), "end": sunday.isoformat()}
    )
    coverage = await api.get("personnel", "/duty/coverage", {"week_of": monday.isoformat()})
    gates = await api.get("personnel", "/gates")
    staff = await api.get("personnel", "/staff", {"status": "active", "limit": 200})
    profile = await api.get("personnel", "/school-profile")
    days: dict[str, list[dict[str, Any]]] = {}
    for shift in shifts:
        days.setdefault(shift["date"], []).append(shift)
    return render(
        request,
        "personnel/roster.html",
        status_code=status_code,
        monday=monday,
        previous=(monday - dt.timedelta(days=7)).isoformat(),
        following=(monday + dt.timedelta(days=7)).isoformat(),
        days=sorted(days.items()),
        coverage=coverage,
        gates=gates,
        active_gates=[g for g in gates if g["active"]],
        staff=sorted(staff["items"], key=lambda s: (s["role"], s["name"])),
        peak_options=[(peak, labels.PEAKS[peak]) for peak in profile["duty_peaks"]],
        form=form,
        gate_form=gate_form or Form.empty(kind="main"),
        planned=request.query_params.get("planned", ""),
    )
