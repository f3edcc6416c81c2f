"""The guard's gate screen, the fastest path in the product: register a visitor in one short form, verify
with the host, let in, see out, or refuse with a reason; today's visitors with a one-tap "left"; search by
name or plate. ID numbers are typed once and never shown again except masked (the API keeps them
encrypted and answers only the mask)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.personnel.common import REQUIRED_MESSAGE, Form, is_form_problem, render, today
from portal.i18n import N_, gettext

FIELDS = ("visitor_name", "id_type", "id_number", "phone", "host_staff_id", "host_name", "purpose", "plate")
HINTS = {
    "visitor_name": N_("Enter the visitor's name (at most 80 characters)."),
    "id_type": N_("Choose the kind of identity paper."),
    "id_number": N_("Check the ID number: a resident ID has 18 characters and a correct last character."),
    "phone": N_("Enter a phone number of digits, spaces or hyphens."),
    "host_staff_id": N_("Choose a member of staff of this school."),
    "host_name": N_("Say whom the visitor comes to see."),
    "purpose": N_("Say why the visitor comes (2 to 300 characters)."),
    "plate": N_("Enter a plate of 5 to 16 letters and digits, or leave it empty."),
}
REASON_HINT = N_("Give a reason (2 to 500 characters).")
VEHICLE_FIELDS = ("plate", "holder", "reason", "valid_from", "valid_until")
VEHICLE_HINTS = {
    "plate": N_("Enter a plate of 5 to 16 letters and digits."),
    "holder": N_("Enter who drives it (at most 80 characters)."),
    "reason": N_("Say why it may drive in (2 to 300 characters)."),
    "valid_from": N_("Enter the first day."),
    "valid_until": N_("Enter the last day, not before the first."),
}
NOT_AUTHORISED = N_("The vehicle was not authorised. Correct the marked fields and submit again.")
NOT_REGISTERED = N_("The visitor was not registered. Correct the marked fields and submit again.")
#: Visits the gate is still dealing with, in the order the guard acts on them.
OPEN = ("registered", "verified", "inside")
#: The busiest gate registers a few hundred visitors a day.
DAY_LIMIT = 200


#: The API's largest page, and how many pages of staff the host list reads at most (a big school has a few
#: hundred staff; the form also takes a host's name typed in).
STAFF_PAGE = 200
STAFF_PAGES = 10


async def _hosts(api: Api) -> list[dict[str, Any]]:
    """Active staff of the school, whom a visitor may come to see: every one of them, by name."""
    hosts: list[dict[str, Any]] = []
    for page_number in range(STAFF_PAGES):
        params = {"status": "active", "limit": STAFF_PAGE, "offset": page_number * STAFF_PAGE}
        result = await api.get("personnel", "/staff", params)
        hosts.extend(result["items"])
        if len(hosts) >= int(result["total"]) or not result["items"]:
            break
    return sorted(hosts, key=lambda staff: staff["name"])


async def _screen(
    request: Request[Any, Any, Any],
    api: Api,
    form: Form,
    *,
    q: str = "",
    by_id: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response[Any]:
    visits: list[dict[str, Any]]
    results: list[dict[str, Any]] | None
    if by_id is not None:
        visits, results = [], by_id
    elif q:
        found = await api.get("personnel", "/visits", {"q": q, "limit": 50})
        visits, results = [], found["items"]
    else:
        found = await api.get("personnel", "/visits", {"on": today().isoformat(), "limit": DAY_LIMIT})
        visits, results = found["items"], None
    return render(
        request,
        "personnel/gate.html",
        status_code=status_code,
        form=form,
        hosts=await _hosts(api),
        q=q,
        results=results,
        waiting=[v for v in visits if v["status"] in ("registered", "verified")],
        inside=[v for v in visits if v["status"] == "inside"],
        refused=[v for v in visits if v["status"] == "refused"],
        left=[v for v in visits if v["status"] == "left"],
        registered=request.query_params.get("registered", ""),
    )


def _payload(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        name: form.values[name]
        for name in ("visitor_name", "id_type", "id_number", "phone", "purpose", "plate")
    }
    if form.values["host_staff_id"]:
        body["host_staff_id"] = form.values["host_staff_id"]
    else:
        body["host_name"] = form.values["host_name"]
    return body


def _check(form: Form) -> bool:
    form.require("visitor_name", "id_type", "id_number", "purpose")
    if not form.values["host_staff_id"] and not form.values["host_name"]:
        form.errors["host_name"] = gettext(REQUIRED_MESSAGE)
    if form.values["host_staff_id"]:
        try:
            uuid.UUID(form.values["host_staff_id"])
        except ValueError:
            hint = HINTS["host_staff_id"]
            form.errors["host_staff_id"] = gettext(hint)
    return form.ok


def _back(visit_id: uuid.UUID | str = "") -> Redirect:
    return Redirect(path=f"/gate#visit-{visit_id}" if visit_id else "/gate", status_code=303)


class GateController(Controller):
    path = "/gate"
    guards = [requires_role("guard", "principal")]
    include_in_schema = False

    @get("/")
    async def screen(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        q: Annotated[str, QueryParameter(max_length=80)] = "",
    ) -> Response[Any]:
        """The registration form, who is at the gate and on site today, or what a search found."""
        return await _screen(request, api, Form.empty(id_type="resident_id"), q=q.strip())

    @post("/visits")
    async def register(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Register a visitor; bad input comes back beside the fields and nothing is written."""
        form = Form.read(await request.form(), FIELDS)
        if _check(form):
            try:
                visit = await api.post("personnel", "/visits", json=_payload(form))
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, HINTS, NOT_REGISTERED)
            else:
                return Redirect(path=f"/gate?registered={visit['id']}#visit-{visit['id']}", status_code=303)
        else:
            form.fail(NOT_REGISTERED)
        # The ID number is typed again rather than sent back in the page: it is never shown unmasked.
        form.values["id_number"] = ""
        return await _screen(request, api, form, status_code=422)

    @post("/search-id")
    async def search_id(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Earlier visits of the same ID number at this school (exact; nothing once purged). The number
        travels in the body and is not shown again: the results carry only the mask."""
        number = str((await request.form()).get("id_number") or "").strip()
        empty = Form.empty(id_type="resident_id")
        hint = HINTS["id_number"]
        if len(number) < 4:
            empty.errors["search_id_number"] = gettext(hint)
            return await _screen(request, api, empty, status_code=422)
        try:
            found = await api.post("personnel", "/visits/search-id", json={"id_number": number})
        except ApiProblem as problem:
            if not is_form_problem(problem):
                raise
            empty.errors["search_id_number"] = gettext(hint)
            return await _screen(request, api, empty, status_code=422)
        return await _screen(request, api, empty, by_id=found)

    @get("/visits/{visit_id:uuid}")
    async def visit(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One visit: what was registered (the ID number masked), its decisions, and refusing it."""
        visit = await api.get("personnel", f"/visits/{visit_id}")
        return render(request, "personnel/visit.html", visit=visit, reason="", error="")

    @post("/visits/{visit_id:uuid}/verify")
    async def verify(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The guard confirmed the visit with the host (by phone, or the host came to the gate)."""
        method = str((await request.form()).get("method") or "phone_call")
        await api.post("personnel", f"/visits/{visit_id}/verify", json={"method": method})
        return _back(visit_id)

    @post("/visits/{visit_id:uuid}/entry")
    async def entry(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        await api.post("personnel", f"/visits/{visit_id}/entry")
        return _back(visit_id)

    @post("/visits/{visit_id:uuid}/exit")
    async def exit(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The one tap when a visitor leaves."""
        await api.post("personnel", f"/visits/{visit_id}/exit")
        return _back(visit_id)

    @post("/visits/{visit_id:uuid}/refuse")
    async def refuse(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Refuse entry with a reason; without one the page comes back with the error and nothing changes."""
        reason = str((await request.form()).get("reason") or "").strip()
        if len(reason) >= 2:
            try:
                await api.post("personnel", f"/visits/{visit_id}/refuse", json={"reason": reason})
            except ApiProblem as problem:
                if problem.status not in (400, 422):
                    raise
            else:
                return _back(visit_id)
        visit = await api.get("personnel", f"/visits/{visit_id}")
        return render(
            request,
            "personnel/visit.html",
            status_code=422,
            visit=visit,
            reason=reason,
            error=gettext(REASON_HINT),
        )


async def _vehicles(
    request: Request[Any, Any, Any], api: Api, form: Form, *, status_code: int = 200
) -> Response[Any]:
    authorisations = await api.get("personnel", "/vehicle-authorisations")
    return render(
        request, "personnel/vehicles.html", status_code=status_code, authorisations=authorisations, form=form
    )


class VehicleController(Controller):
    """Vehicles the principal lets drive in (supplies, school bus, works); the guard sees the list."""

    path = "/gate/vehicles"
    include_in_schema = False

    @get("/", guards=[requires_role("guard", "principal")])
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        day = today().isoformat()
        return await _vehicles(request, api, Form.empty(valid_from=day, valid_until=day))

    @post("/", guards=[requires_role("principal")])
    async def authorise(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Authorise a plate for a period; bad input comes back beside the fields and nothing is written."""
        form = Form.read(await request.form(), VEHICLE_FIELDS).require(*VEHICLE_FIELDS)
        if form.ok:
            try:
                await api.post("personnel", "/vehicle-authorisations", json=form.values)
            except ApiProblem as problem:
                if not is_form_problem(problem):
                    raise
                form.reject(problem, VEHICLE_HINTS, NOT_AUTHORISED)
            else:
                return Redirect(path="/gate/vehicles", status_code=303)
        else:
            form.fail(NOT_AUTHORISED)
        return await _vehicles(request, api, form, status_code=422)

    @post("/{authorisation_id:uuid}/revoke", guards=[requires_role("principal")])
    async def revoke(
        self, request: Request[Any, Any, Any], api: UserApi, authorisation_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        await api.post("personnel", f"/vehicle-authorisations/{authorisation_id}/revoke")
        return Redirect(path="/gate/vehicles", status_code=303)


class HostController(Controller):
    """The host's side of verification: visitors at the gate who say they come to see the signed-in
    teacher or principal, confirmed (or turned away) from the home page."""

    path = "/visitors-for-me"
    guards = [requires_role("principal", "teacher")]
    include_in_schema = False

    @get("/")
    async def waiting(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The home card: who is waiting at the gate for the caller."""
        visits = await api.get("personnel", "/visits/awaiting-me")
        return render(request, "personnel/_host_card.html", visits=visits)

    @post("/{visit_id:uuid}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], api: UserApi, visit_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The host confirms in the app; the guard sees the visit verified and lets the visitor in."""
        await api.post("personnel", f"/visits/{visit_id}/verify", json={})
        return Redirect(path="/", status_code=303)
