"""The school's self-assessment: the principal scores the school against the rubric with evidence before
the inspection, then submits it; teachers read it."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.evaluation.common import (
    UPLOAD_BODY_LIMIT,
    Form,
    check_points,
    file_response,
    number,
    pass_upload,
    view,
)
from portal.i18n import N_, gettext

FIELDS = ("points", "triggered", "comment", "evidence_note")
HINTS = {
    "points": N_("Enter points from 0 to the item's maximum (%(detail)s)."),
    "triggered": N_("Not allowed for this item."),
    "comment": N_("Use at most 2000 characters."),
    "evidence_note": N_("Use at most 2000 characters."),
}
NOT_SAVED = N_("Not saved. Correct the marked fields.")


def _item_form(item: dict[str, Any], typed: dict[str, str] | None, errors: dict[str, str] | None) -> Form:
    if typed is not None:
        return Form(values=dict(typed), errors=dict(errors or {}))
    values = {
        "points": number(item["points"]),
        "triggered": "on" if item["triggered"] else "",
        "comment": item["comment"] or "",
        "evidence_note": item["evidence_note"] or "",
    }
    return Form(values=values, errors=dict(errors or {}))


class SelfAssessmentController(Controller):
    path = "/evaluation/campaigns/{campaign_id:uuid}/self-assessment"
    guards = [requires_role("principal", "teacher")]
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        campaign_id: uuid.UUID,
        *,
        status_code: int = 200,
        code: str = "",
        form: Form | None = None,
        message: str = "",
    ) -> Response[Any]:
        campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
        assessment = await api.get("evaluation", f"/campaigns/{campaign_id}/self-assessment")
        for item in assessment["items"]:
            mine = item["code"] == code and form is not None
            item["form"] = _item_form(
                item, form.values if mine and form else None, form.errors if mine and form else None
            )
        return view(
            request,
            "evaluation/self_assessment.html",
            status_code=status_code,
            campaign=campaign,
            assessment=assessment,
            message=message,
        )

    @get("/")
    async def show(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._page(request, api, campaign_id)

    @post("/items/{code:str}", guards=[requires_role("principal")])
    async def score(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        campaign_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[Any]:
        """Score one item of the school with its evidence note; bad input comes back beside the fields."""
        data = await request.form()
        form = Form.of(data, FIELDS)
        kind = str(data.get("kind") or "indicator")
        check_points(form, kind)
        if not form.errors:
            body: dict[str, Any] = {
                "comment": form.values["comment"],
                "evidence_note": form.values["evidence_note"],
            }
            if kind == "veto":
                body["triggered"] = form.values["triggered"] == "on"
            else:
                body["points"] = float(form.values["points"].replace(",", "."))
            try:
                await api.put(
                    "evaluation", f"/campaigns/{campaign_id}/self-assessment/items/{code}", json=body
                )
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem, HINTS, NOT_SAVED)
                if problem.status == 409:
                    form.message = gettext(N_("The self-assessment was submitted and no longer changes."))
            else:
                return Redirect(
                    path=f"/evaluation/campaigns/{campaign_id}/self-assessment?done=saved#item-{code}",
                    status_code=303,
                )
        return await self._page(
            request,
            api,
            campaign_id,
            status_code=422,
            code=code,
            form=form,
            message=form.message or gettext(NOT_SAVED),
        )

    @post(
        "/items/{code:str}/evidence",
        guards=[requires_role("principal")],
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def attach(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        campaign_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[Any]:
        """Pass an evidence file (a photo or a PDF) of one item on to the API."""
        error = await pass_upload(
            request,
            api,
            "file",
            f"/campaigns/{campaign_id}/self-assessment/items/{code}/evidence",
            gettext(N_("The file was not accepted: use a photo or a PDF of at most 1 MB.")),
        )
        if error:
            form = Form(errors={"file": error})
            return await self._page(
                request, api, campaign_id, status_code=422, code=code, form=form, message=error
            )
        return Redirect(
            path=f"/evaluation/campaigns/{campaign_id}/self-assessment?done=evidence#item-{code}",
            status_code=303,
        )

    @post("/submit", guards=[requires_role("principal")])
    async def submit(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Submit the self-assessment (every indicator scored); it no longer changes afterwards."""
        try:
            await api.post("evaluation", f"/campaigns/{campaign_id}/self-assessment/submit")
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            message = gettext(N_("The self-assessment was not submitted: score every indicator first."))
            return await self._page(request, api, campaign_id, status_code=problem.status, message=message)
        return Redirect(
            path=f"/evaluation/campaigns/{campaign_id}/self-assessment?done=submitted", status_code=303
        )


class EvidenceController(Controller):
    path = "/evaluation/self-assessment-evidence"
    guards = [requires_role("bureau", "principal", "teacher")]
    include_in_schema = False

    @get("/{evidence_id:uuid}")
    async def evidence(self, api: UserApi, evidence_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """An evidence file, through the API (which decides who sees it and audits an inspector's read)."""
        return file_response(await api.download("evaluation", f"/self-assessment-evidence/{evidence_id}"))
