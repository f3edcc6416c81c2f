"""The evaluation's start page (the county's campaigns and what each role does in them), attaching a
rubric to a county campaign, and the home page cards."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.evaluation.common import Form, campaigns, hint, view
from portal.i18n import N_, gettext
from portal.web import Viewer

ATTACH_FIELDS = ("campaign_id", "title", "year", "rubric_id")
ATTACH_HINTS = {
    "campaign_id": N_("Choose a county campaign that has no evaluation yet."),
    "title": N_("Enter a title of 2 to 200 characters."),
    "year": N_("Enter a year such as 2026."),
    "rubric_id": N_("Choose a published rubric."),
}


async def _attach_choices(api: Api, attached: list[dict[str, Any]]) -> dict[str, Any]:
    """Published rubrics, and the county campaigns (schools service) without an evaluation yet."""
    rubrics = [r for r in await api.get("evaluation", "/rubrics") if r["status"] == "published"]
    taken = {str(c["id"]) for c in attached}
    county = [c for c in await api.get("schools", "/campaigns") if str(c["id"]) not in taken]
    return {"rubrics": rubrics, "county_campaigns": county}


class EvaluationController(Controller):
    path = "/evaluation"
    guards = [requires_role("bureau", "principal", "teacher")]
    include_in_schema = False

    async def _index(
        self, request: Request[Any, Any, Any], api: Api, *, form: Form | None = None, status_code: int = 200
    ) -> Response[Any]:
        viewer = Viewer.of(request)
        found = await campaigns(api)
        choices = await _attach_choices(api, found) if viewer and viewer.role == "bureau" else {}
        return view(
            request,
            "evaluation/index.html",
            status_code=status_code,
            campaigns=found,
            form=form or Form(),
            school_id=str(viewer.tenant.school_id) if viewer and viewer.tenant.school_id else "",
            **choices,
        )

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The county's evaluation campaigns; the bureau attaches a rubric to a county campaign here."""
        return await self._index(request, api)

    @post("/campaigns", guards=[requires_role("bureau")])
    async def attach(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        form = Form.of(await request.form(), ATTACH_FIELDS)
        if form.require(*ATTACH_FIELDS) and not form.values["year"].isdigit():
            form.errors["year"] = hint(ATTACH_HINTS, "year")
        if not form.errors:
            body = {**form.values, "year": int(form.values["year"])}
            try:
                created = await api.post("evaluation", "/campaigns", json=body)
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem, ATTACH_HINTS, N_("The rubric was not attached."))
            else:
                return Redirect(path=f"/evaluation/campaigns/{created['id']}/ranking", status_code=303)
        form.message = form.message or gettext(N_("The rubric was not attached."))
        return await self._index(request, api, form=form, status_code=422)

    @get("/home-card")
    async def home_card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The home page's evaluation card: the ranking's summary for the bureau, the inspection
        assignments and the self-assessment for school staff."""
        viewer = Viewer.of(request)
        found = await campaigns(api)
        current = next((c for c in found if c["status"] == "open"), found[0] if found else None)
        if viewer and viewer.role == "bureau":
            dashboard = None
            if current is not None:
                dashboard = await api.get("evaluation", f"/campaigns/{current['id']}/dashboard")
            return view(request, "evaluation/_card_bureau.html", campaign=current, dashboard=dashboard)
        mine = await api.get("evaluation", "/inspections/mine")
        return view(request, "evaluation/_card_school.html", campaign=current, mine=mine)
