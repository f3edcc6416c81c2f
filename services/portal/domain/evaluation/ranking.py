"""The county ranking (bureau) with its charts and inspector calibration, each school's breakdown, the
year-end freeze and sign-off, and the reports the worker renders (progress polled with htmx, the file
downloaded through the portal)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import ApiProblem, UserApi
from portal.domain.evaluation.charts import distribution_chart, totals_chart
from portal.domain.evaluation.common import Form, file_response, view
from portal.i18n import N_, gettext
from portal.web import Viewer

bureau_only = [requires_role("bureau")]
#: Report kinds each role may ask for (the API checks too).
KINDS_FOR = {
    "bureau": ("county_pdf", "ranking_xlsx", "sheets_xlsx", "report_card_pdf"),
    "principal": ("report_card_pdf",),
}


class RankingController(Controller):
    path = "/evaluation/campaigns/{campaign_id:uuid}"
    include_in_schema = False

    @get("/ranking", guards=bureau_only)
    async def ranking(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The ranking as last computed, with grade bands, distribution, change and calibration."""
        campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
        ranking = await api.get("evaluation", f"/campaigns/{campaign_id}/ranking")
        return view(
            request,
            "evaluation/ranking.html",
            campaign=campaign,
            ranking=ranking,
            totals=totals_chart(ranking["rows"], ranking["grade_bands"]),
            distribution=distribution_chart(ranking["distribution"]),
            requested=request.query_params.get("requested", ""),
        )

    @post("/ranking/recompute", guards=bureau_only)
    async def recompute(self, api: UserApi, campaign_id: FromPath[uuid.UUID]) -> Response[Any]:
        """Ask for the results now rather than at the next periodic refresh."""
        await api.post("evaluation", f"/campaigns/{campaign_id}/ranking/recompute")
        return Redirect(path=f"/evaluation/campaigns/{campaign_id}/ranking?requested=1", status_code=303)

    @get("/results/{school_id:uuid}", guards=[requires_role("bureau", "principal", "teacher")])
    async def result(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        campaign_id: FromPath[uuid.UUID],
        school_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        """One school's breakdown: categories, items with the figures they came from, change since the last
        evaluation (school staff: their own school only, which the API enforces)."""
        campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
        try:
            result = await api.get("evaluation", f"/campaigns/{campaign_id}/results/{school_id}")
        except ApiProblem as problem:
            if problem.status != 404:
                raise
            result = None
        return view(request, "evaluation/result.html", campaign=campaign, result=result)

    @get("/year-end", guards=bureau_only)
    async def year_end(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._year_end(request, api, campaign_id, Form())

    async def _year_end(
        self,
        request: Request[Any, Any, Any],
        api: Any,
        campaign_id: uuid.UUID,
        form: Form,
        status_code: int = 200,
    ) -> Response[Any]:
        campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
        signed = None
        ranking = None
        if campaign["status"] == "frozen":
            signed = await api.get("evaluation", f"/campaigns/{campaign_id}/year-end")
        else:
            ranking = await api.get("evaluation", f"/campaigns/{campaign_id}/ranking")
        return view(
            request,
            "evaluation/year_end.html",
            status_code=status_code,
            campaign=campaign,
            signed=signed,
            ranking=ranking,
            form=form,
        )

    @post("/year-end", guards=bureau_only)
    async def sign_off(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Freeze and sign off the campaign's results (the user confirms it; it cannot be undone)."""
        form = Form.of(await request.form(), ("note", "confirm"))
        if form.values["confirm"] != "on":
            form.errors["confirm"] = gettext(N_("Confirm that the results are final."))
            form.message = gettext(N_("The evaluation was not signed off."))
            return await self._year_end(request, api, campaign_id, form, 422)
        try:
            await api.post(
                "evaluation", f"/campaigns/{campaign_id}/year-end", json={"note": form.values["note"]}
            )
        except ApiProblem as problem:
            if problem.status not in (400, 409, 422):
                raise
            form.reject(
                problem,
                {"note": N_("Use at most 2000 characters.")},
                N_("The evaluation was not signed off."),
            )
            return await self._year_end(
                request, api, campaign_id, form, 422 if problem.status != 409 else 409
            )
        return Redirect(path=f"/evaluation/campaigns/{campaign_id}/year-end", status_code=303)

    @get("/reports", guards=[requires_role("bureau", "principal")])
    async def reports(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The campaign's reports with their progress, and the kinds this user may ask for."""
        return await self._reports(request, api, campaign_id)

    async def _reports(
        self,
        request: Request[Any, Any, Any],
        api: Any,
        campaign_id: uuid.UUID,
        error: str = "",
        status_code: int = 200,
    ) -> Response[Any]:
        viewer = Viewer.of(request)
        campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
        found = await api.get("evaluation", f"/campaigns/{campaign_id}/reports")
        schools: list[dict[str, Any]] = []
        if viewer and viewer.role == "bureau":
            schools = (await api.get("evaluation", f"/campaigns/{campaign_id}/ranking"))["rows"]
        return view(
            request,
            "evaluation/reports.html",
            status_code=status_code,
            campaign=campaign,
            reports=found,
            kinds=KINDS_FOR.get(viewer.role if viewer else "", ()),
            schools=schools,
            error=error,
        )

    @post("/reports", guards=[requires_role("bureau", "principal")])
    async def request_report(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Queue a report; the worker renders it and the page shows its progress."""
        data = await request.form()
        body: dict[str, Any] = {"kind": str(data.get("kind") or "")}
        if data.get("school_id"):
            body["school_id"] = str(data.get("school_id"))
        try:
            await api.post("evaluation", f"/campaigns/{campaign_id}/reports", json=body)
        except ApiProblem as problem:
            if problem.status not in (400, 403, 404, 409, 422):
                raise
            error = gettext(
                N_("The report was not requested: choose a kind (and, for a report card, a school).")
            )
            return await self._reports(request, api, campaign_id, error=error, status_code=422)
        return Redirect(path=f"/evaluation/campaigns/{campaign_id}/reports", status_code=303)


class ReportController(Controller):
    path = "/evaluation/reports"
    guards = [requires_role("bureau", "principal")]
    include_in_schema = False

    @get("/{report_id:uuid}")
    async def progress(
        self, request: Request[Any, Any, Any], api: UserApi, report_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One report's row (polled by htmx while the worker renders it)."""
        report = await api.get("evaluation", f"/reports/{report_id}")
        return view(request, "evaluation/_report_row.html", report=report)

    @get("/{report_id:uuid}/file")
    async def download(self, api: UserApi, report_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The finished file, through the portal (the API decides who may read it)."""
        return file_response(await api.download("evaluation", f"/reports/{report_id}/file"), "attachment")
