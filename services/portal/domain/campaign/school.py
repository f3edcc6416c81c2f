"""A school's campaign: the principal's page (timeline, what the open phase lacks, closing it, history) and
the bureau's view of the same page, where it reopens a phase or extends a deadline with a reason."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.domain.campaign import labels
from portal.domain.campaign.forms import INPUT_STATUSES, REJECTED, Form, submit
from portal.domain.campaign.labels import vocabulary
from portal.i18n import N_, gettext
from portal.web import Viewer, page

SchoolCampaignId = FromPath[uuid.UUID]
READERS = ("bureau", "principal")
REASON_HINT = N_("Give a reason of 2 to 500 characters.")


def _open_phase(view: dict[str, Any]) -> dict[str, Any] | None:
    return next((p for p in view["phases"] if p["phase"] == view["current_phase"]), None)


async def show_school_campaign(
    request: Request[Any, Any, Any],
    api: Api,
    school_campaign_id: uuid.UUID,
    *,
    status_code: int = 200,
    view: dict[str, Any] | None = None,
    **context: Any,
) -> Response[Any]:
    """The campaign page of one school (``view``: the API's answer when the caller already has it)."""
    view = view or await api.get("schools", f"/school-campaigns/{school_campaign_id}")
    contents = await api.get("schools", f"/school-campaigns/{school_campaign_id}/deliverables")
    context.setdefault("close_error", None)
    context.setdefault("reopen_form", Form())
    context.setdefault("extend_form", Form())
    context.setdefault("others", [])
    return page(
        request,
        "campaign/school.html",
        status_code=status_code,
        sc=view,
        contents=contents,
        open_phase=_open_phase(view),
        vocab=await vocabulary(api),
        L=labels,
        saved=request.query_params.get("saved", ""),
        **context,
    )


class SchoolCampaignController(Controller):
    path = "/campaign/schools"
    include_in_schema = False

    @get("/{school_campaign_id:uuid}", guards=[requires_role(*READERS)])
    async def show(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        return await show_school_campaign(request, api, school_campaign_id)

    @post("/{school_campaign_id:uuid}/close-phase", guards=[requires_role("principal")])
    async def close_phase(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        """Close the open phase; when it cannot close, the page says why (what is missing)."""
        posted = await request.form()
        phase = str(posted.get("phase") or "")
        note = str(posted.get("note") or "").strip()[:2000]
        try:
            await api.post(
                "schools",
                f"/school-campaigns/{school_campaign_id}/close-phase",
                json={"phase": phase, "note": note},
            )
        except ApiProblem as problem:
            if problem.status not in INPUT_STATUSES:
                raise
            return await show_school_campaign(
                request, api, school_campaign_id, status_code=409, close_error=_close_refusal(problem)
            )
        return Redirect(path=f"/campaign/schools/{school_campaign_id}?saved=closed", status_code=303)

    @post("/{school_campaign_id:uuid}/reopen-phase", guards=[requires_role("bureau")])
    async def reopen_phase(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        """Send a closed phase back to the school, with a reason."""
        form: Form = Form.read(await request.form(), ["phase", "reason"])
        form.require("phase", "reason")
        form.hints = {"reason": gettext(REASON_HINT), "phase": gettext("Choose a closed phase.")}
        return await self._bureau_change(
            request, api, school_campaign_id, form, "reopen-phase", "reopen_form", "reopened"
        )

    @post("/{school_campaign_id:uuid}/extend-deadline", guards=[requires_role("bureau")])
    async def extend_deadline(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        """Give the school a later deadline for a phase that is not closed, with a reason."""
        form: Form = Form.read(await request.form(), ["phase", "deadline", "reason"])
        form.require("phase", "reason")
        form.date("deadline")
        form.hints = {
            "reason": gettext(REASON_HINT),
            "phase": gettext("Choose a phase that is not closed."),
            "deadline": gettext("Choose a day after the deadline in force."),
        }
        return await self._bureau_change(
            request, api, school_campaign_id, form, "extend-deadline", "extend_form", "extended"
        )

    async def _bureau_change(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        school_campaign_id: uuid.UUID,
        form: Form,
        action: str,
        form_name: str,
        saved: str,
    ) -> Response[Any]:
        if form.ok:
            call = api.post("schools", f"/school-campaigns/{school_campaign_id}/{action}", json=form.values)
            if await submit(form, call) is not REJECTED:
                return Redirect(path=f"/campaign/schools/{school_campaign_id}?saved={saved}", status_code=303)
        forms: dict[str, Any] = {form_name: form}
        return await show_school_campaign(request, api, school_campaign_id, status_code=422, **forms)


def _close_refusal(problem: ApiProblem) -> dict[str, Any]:
    """Why a phase did not close: the deliverables it lacks (the API names them), or the API's reason."""
    missing = [
        error.key.removeprefix("deliverables.")
        for error in problem.errors
        if error.key.startswith("deliverables.")
    ]
    if missing:
        return {"message": gettext("This phase cannot close yet. Still missing:"), "missing": missing}
    if any(error.key == "phase" for error in problem.errors):
        return {
            "message": gettext(
                "Only the open phase can be closed. Reload the page to see where the school is."
            ),
            "missing": [],
        }
    return {"message": gettext("This phase cannot close."), "missing": [], "detail": problem.detail}


async def principal_campaign(request: Request[Any, Any, Any], api: Api) -> Response[Any]:
    """The principal's ``/campaign``: the running campaign's page (the others listed on it)."""
    listed = await api.get("schools", "/school-campaigns")
    running = [c for c in listed if c["campaign_status"] == "launched"]
    current = next((c for c in running if c["status"] == "active"), running[0] if running else None)
    current = current or (listed[0] if listed else None)
    if current is None:
        return page(request, "campaign/none.html")
    others = [c for c in listed if c["id"] != current["id"]]
    return await show_school_campaign(request, api, uuid.UUID(current["id"]), others=others)


def viewer_role(request: Request[Any, Any, Any]) -> str:
    viewer = Viewer.of(request)
    return viewer.role if viewer else ""
