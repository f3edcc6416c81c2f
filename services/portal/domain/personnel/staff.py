"""The principal's staff pages: the staff list, inviting a teacher or guard (their account is created and
the initial password e-mailed), deactivating (the account is disabled) and reactivating; the security team
roster; staffing against the county standard with what is missing."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import Form, is_form_problem, render
from portal.i18n import N_
from portal.web import Viewer

INVITE_FIELDS = ("name", "phone", "email", "username", "role")
INVITE_HINTS = {
    "name": N_("Enter the name (at most 80 characters)."),
    "phone": N_("Enter a phone number of digits, spaces or hyphens."),
    "email": N_("Enter an e-mail address such as name@school.cn."),
    "username": N_(
        "Use 3 to 64 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit."
    ),
    "role": N_("Choose teacher or security guard."),
    "positions": N_("Choose at most six positions."),
}
NOT_ON_LIST = N_("You were not put on the staff list. Correct the marked fields and submit again.")
NOT_INVITED = N_("Nobody was invited. Correct the marked fields and submit again.")
REASON_HINTS = {"reason": N_("Give a reason (2 to 500 characters).")}
NOT_CHANGED = N_("Nothing was changed. Give a reason.")
NOT_SAVED = N_("Nothing was saved. Correct the marked fields and submit again.")
TEAM_FIELDS = ("staff_id", "team_role", "certificate_no", "night_shift")
TEAM_HINTS = {
    "staff_id": N_("Choose an active member of staff who is not in the team yet."),
    "team_role": N_("Choose leader or member."),
    "certificate_no": N_("Use at most 40 characters."),
}
NOT_ADDED = N_("Nobody was added to the team. Correct the marked fields and submit again.")


async def _invite(api: Api, path: str, form: Form, body: dict[str, Any]) -> dict[str, Any] | None:
    """Send an invitation; the API's verdict lands beside the fields."""
    form.require("name", "email", "username", *(["role"] if "role" in body else []))
    if not form.ok:
        form.fail(NOT_INVITED)
        return None
    try:
        return await api.post("personnel", path, json=body)  # type: ignore[no-any-return]
    except ApiProblem as problem:
        if not is_form_problem(problem):
            raise
        form.reject(problem, INVITE_HINTS, NOT_INVITED)
        return None


async def send_invitation(request: Request[Any, Any, Any], api: Api, *, staff: bool) -> Response[Any]:
    """A teacher or guard (``staff``) or a bureau user: invited, then back to their list (the same path
    in the portal and the API); bad input comes back beside the fields and nobody is invited."""
    path = "/staff" if staff else "/bureau-users"
    form = Form.read(await request.form(), INVITE_FIELDS, lists=("positions",) if staff else ())
    form.values["username"] = form.values["username"].lower()
    body: dict[str, Any] = {k: form.values[k] for k in ("name", "email", "username", "phone")}
    if staff:
        body.update(role=form.values["role"], positions=form.lists["positions"])
    person = await _invite(api, path, form, body)
    if person is not None:
        return Redirect(path=f"{path}?invited={person['username']}", status_code=303)
    return render(request, "personnel/invite.html", status_code=422, form=form, staff=staff)


async def _index(
    request: Request[Any, Any, Any], api: Api, self_form: Form, *, status_code: int = 200
) -> Response[Any]:
    result = await api.get("personnel", "/staff", {"limit": 200})
    people = sorted(result["items"], key=lambda s: (s["status"] != "active", s["role"], s["name"]))
    viewer = Viewer.of(request)
    on_list = viewer is not None and any(p["username"] == viewer.tenant.username for p in people)
    return render(
        request,
        "personnel/staff.html",
        status_code=status_code,
        people=people,
        on_list=on_list,
        self_form=self_form,
        invited=request.query_params.get("invited", ""),
    )


async def _staff_page(
    request: Request[Any, Any, Any],
    api: Api,
    staff_id: uuid.UUID,
    *,
    form: Form | None = None,
    details: Form | None = None,
    status_code: int = 200,
) -> Response[Any]:
    person = await api.get("personnel", f"/staff/{staff_id}")
    if details is None:
        details = Form(
            values={"name": person["name"], "phone": person["phone"]},
            lists={"positions": person["positions"]},
        )
    return render(
        request,
        "personnel/staff_member.html",
        status_code=status_code,
        person=person,
        form=form or Form.empty(),
        details=details,
    )


async def _team_page(
    request: Request[Any, Any, Any], api: Api, form: Form, *, status_code: int = 200
) -> Response[Any]:
    team = await api.get("personnel", "/security-team")
    staff = await api.get("personnel", "/staff", {"status": "active", "limit": 200})
    members = {m["staff_id"] for m in team}
    return render(
        request,
        "personnel/team.html",
        status_code=status_code,
        team=team,
        candidates=[s for s in staff["items"] if s["id"] not in members],
        form=form,
    )


class StaffController(Controller):
    path = "/staff"
    guards = [requires_role("principal")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Everybody on the school's staff list, active first, with their account's state."""
        return await _index(request, api, Form.empty())

    @post("/self")
    async def register_self(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The principal puts themselves on the staff list (for gate duty and night inspections)."""
        form = Form.read(await request.form(), ("name", "email")).require("name", "email")
        if form.ok:
            try:
                await api.post("personnel", "/staff/self", json=form.values)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, INVITE_HINTS, NOT_ON_LIST)
            else:
                return Redirect(path="/staff", status_code=303)
        else:
            form.fail(NOT_ON_LIST)
        return await _index(request, api, form, status_code=422)

    @get("/invite")
    async def invite_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return render(request, "personnel/invite.html", form=Form.empty(role="teacher"), staff=True)

    @post("/invite")
    async def invite(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Invite a teacher or guard: their account is created and the initial password e-mailed."""
        return await send_invitation(request, api, staff=True)

    @get("/{staff_id:uuid}")
    async def member(
        self, request: Request[Any, Any, Any], api: UserApi, staff_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await _staff_page(request, api, staff_id)

    @post("/{staff_id:uuid}/details")
    async def edit(
        self, request: Request[Any, Any, Any], api: UserApi, staff_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Name, phone and positions (user name, e-mail and role stay as invited)."""
        details = Form.read(await request.form(), ("name", "phone"), lists=("positions",)).require("name")
        if details.ok:
            body = {**details.values, "positions": details.lists["positions"]}
            try:
                await api.patch("personnel", f"/staff/{staff_id}", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                details.reject(problem, INVITE_HINTS, NOT_SAVED)
            else:
                return Redirect(path=f"/staff/{staff_id}", status_code=303)
        else:
            details.fail(NOT_SAVED)
        return await _staff_page(request, api, staff_id, details=details, status_code=422)

    @post("/{staff_id:uuid}/deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], api: UserApi, staff_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Deactivate with a reason: the account is disabled and future duties leave the roster."""
        return await self._change(request, api, staff_id, "deactivate")

    @post("/{staff_id:uuid}/reactivate")
    async def reactivate(
        self, request: Request[Any, Any, Any], api: UserApi, staff_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._change(request, api, staff_id, "reactivate")

    @post("/{staff_id:uuid}/invitation")
    async def resend(
        self, request: Request[Any, Any, Any], api: UserApi, staff_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Create the account again if needed and e-mail a fresh initial password."""
        await api.post("personnel", f"/staff/{staff_id}/invitation")
        return Redirect(path=f"/staff/{staff_id}?resent=1", status_code=303)

    async def _change(
        self, request: Request[Any, Any, Any], api: Api, staff_id: uuid.UUID, action: str
    ) -> Response[Any]:
        form = Form.read(await request.form(), ("reason",)).require("reason")
        if form.ok:
            try:
                await api.post("personnel", f"/staff/{staff_id}/{action}", json=form.values)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, REASON_HINTS, NOT_CHANGED)
            else:
                return Redirect(path=f"/staff/{staff_id}", status_code=303)
        else:
            form.fail(NOT_CHANGED)
        return await _staff_page(request, api, staff_id, form=form, status_code=422)

    # --- the security team and staffing ------------------------------------------------------------------
    @get("/team")
    async def team(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The security team roster and adding a member."""
        return await _team_page(request, api, Form.empty(team_role="member"))

    @post("/team")
    async def add_member(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        form = Form.read(await request.form(), TEAM_FIELDS).require("staff_id", "team_role")
        if form.ok:
            body = {
                "staff_id": form.values["staff_id"],
                "team_role": form.values["team_role"],
                "certificate_no": form.values["certificate_no"],
                "night_shift": form.checked("night_shift"),
            }
            try:
                await api.post("personnel", "/security-team", json=body)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, TEAM_HINTS, NOT_ADDED)
            else:
                return Redirect(path="/staff/team", status_code=303)
        else:
            form.fail(NOT_ADDED)
        return await _team_page(request, api, form, status_code=422)

    @post("/team/{member_id:uuid}/remove")
    async def remove_member(
        self, request: Request[Any, Any, Any], api: UserApi, member_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        await api.delete("personnel", f"/security-team/{member_id}")
        return Redirect(path="/staff/team", status_code=303)

    @get("/staffing")
    async def staffing(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The school against the county standard, rule by rule, with what is missing."""
        compliance = await api.get("personnel", "/staffing")
        standard = await api.get("personnel", "/standard")
        return render(request, "personnel/staffing.html", compliance=compliance, standard=standard)

    @get("/staffing/card")
    async def staffing_card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """What is missing, on the principal's home page."""
        compliance = await api.get("personnel", "/staffing")
        return render(request, "personnel/_staffing_card.html", compliance=compliance)
