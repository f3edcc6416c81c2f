"""The principal's forms for each deliverable of the school's campaign. A form that is not in order comes
back (422) with the reasons beside the fields and what was typed; nothing is uploaded or saved then."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, UserApi
from portal.domain.campaign import deliverable_forms as forms
from portal.domain.campaign import labels
from portal.domain.campaign.files import UPLOAD_BODY_LIMIT, chosen, upload
from portal.domain.campaign.forms import REJECTED, Form, submit
from portal.domain.campaign.labels import vocabulary
from portal.web import page

SchoolCampaignId = FromPath[uuid.UUID]
#: The schools keep Beijing time: a date "in the future" is judged by the day there.
SCHOOL_TZ = ZoneInfo("Asia/Shanghai")


def school_today() -> dt.date:
    return dt.datetime.now(SCHOOL_TZ).date()


class DeliverableController(Controller):
    path = "/campaign/schools/{school_campaign_id:uuid}"
    include_in_schema = False
    guards = [requires_role("principal")]

    async def _render(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        school_campaign_id: uuid.UUID,
        template: str,
        form: Form,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Response[Any]:
        view = await api.get("schools", f"/school-campaigns/{school_campaign_id}")
        return page(
            request,
            f"campaign/forms/{template}.html",
            status_code=status_code,
            sc=view,
            form=form,
            vocab=await vocabulary(api),
            L=labels,
            **context,
        )

    async def _save(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        school_campaign_id: uuid.UUID,
        template: str,
        read: Callable[[Any], tuple[Form, dict[str, Any] | None]],
        *,
        method: str,
        endpoint: str,
        files: dict[str, str] | None = None,
        saved: str,
        **context: Any,
    ) -> Response[Any]:
        """Check the form, upload its files (``files``: form field → body key), call the API, go back to
        the campaign page; or show the form again with the reasons."""
        posted = await request.form()
        form, body = read(posted)
        if body is not None:
            for field, key in (files or {}).items():
                picked = chosen(posted, field)
                if picked:
                    file_id = await upload(api, form, field, picked[0])
                    if file_id is not None:
                        body[key] = file_id
            if not form.errors:
                call = api.send(
                    "schools", method, f"/school-campaigns/{school_campaign_id}{endpoint}", json=body
                )
                file_keys = {key: field for field, key in (files or {}).items()}
                if await submit(form, call, file_keys) is not REJECTED:
                    return Redirect(
                        path=f"/campaign/schools/{school_campaign_id}?saved={saved}#{saved}", status_code=303
                    )
            form.ok  # noqa: B018  (sets the form's message)
        return await self._render(
            request, api, school_campaign_id, template, form, status_code=422, **context
        )

    async def _contents(self, api: Api, school_campaign_id: uuid.UUID) -> dict[str, Any]:
        return await api.get("schools", f"/school-campaigns/{school_campaign_id}/deliverables")  # type: ignore[no-any-return]

    # --- deployment --------------------------------------------------------------------------------------
    @get("/leading-group")
    async def leading_group(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        contents = await self._contents(api, school_campaign_id)
        form = forms.leading_group_form(contents["leading_group"])
        return await self._render(request, api, school_campaign_id, "leading_group", form)

    @post("/leading-group")
    async def save_leading_group(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        return await self._save(
            request,
            api,
            school_campaign_id,
            "leading_group",
            lambda posted: forms.read_leading_group(posted, school_today()),
            method="PUT",
            endpoint="/leading-group",
            saved="leading_group",
        )

    @get("/meetings")
    async def meeting(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        contents = await self._contents(api, school_campaign_id)
        return await self._render(
            request, api, school_campaign_id, "meeting", Form(), meetings=contents["meetings"]
        )

    @post("/meetings", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def save_meeting(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        return await self._save(
            request,
            api,
            school_campaign_id,
            "meeting",
            lambda posted: forms.read_meeting(posted, school_today()),
            method="POST",
            endpoint="/meetings",
            files={"attachment": "attachment_id"},
            saved="deployment_meeting",
            meetings=[],
        )

    @get("/implementation-plan")
    async def plan(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        contents = await self._contents(api, school_campaign_id)
        plan = contents["implementation_plan"]
        return await self._render(
            request, api, school_campaign_id, "implementation_plan", forms.plan_form(plan), plan=plan
        )

    @post("/implementation-plan", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def save_plan(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        posted = await request.form()
        kept = str(posted.get("keep_file_id") or "")
        has_file = bool(chosen(posted) or kept)

        def read(values: Any) -> tuple[Form, dict[str, Any] | None]:
            form, body = forms.read_plan(values, school_today(), has_file=has_file)
            if body is not None and kept:
                body["file_id"] = kept
            return form, body

        plan = (await self._contents(api, school_campaign_id))["implementation_plan"]
        return await self._save(
            request,
            api,
            school_campaign_id,
            "implementation_plan",
            read,
            method="PUT",
            endpoint="/implementation-plan",
            files={"file": "file_id"},
            saved="implementation_plan",
            plan=plan,
        )

    @get("/responsibilities")
    async def responsibilities(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        contents = await self._contents(api, school_campaign_id)
        form = forms.responsibilities_form(contents["responsibilities"])
        return await self._render(request, api, school_campaign_id, "responsibilities", form)

    @post("/responsibilities")
    async def save_responsibilities(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        return await self._save(
            request,
            api,
            school_campaign_id,
            "responsibilities",
            lambda posted: forms.read_responsibilities(posted, school_today()),
            method="PUT",
            endpoint="/responsibilities",
            saved="responsibility_assignments",
        )

    # --- remediation -------------------------------------------------------------------------------------
    async def _measures(self, api: Api, school_campaign_id: uuid.UUID) -> list[str]:
        contents = await self._contents(api, school_campaign_id)
        return [m["measure"] for m in contents["measures"] if m["applicable"]]

    @get("/evidence")
    async def evidence(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        measures = await self._measures(api, school_campaign_id)
        wanted = request.query_params.get("measure", "")
        form = Form(values={"measure": wanted if wanted in measures else "", "kind": "document"})
        return await self._render(request, api, school_campaign_id, "evidence", form, measures=measures)

    @post("/evidence", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def save_evidence(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        posted = await request.form()
        measures = await self._measures(api, school_campaign_id)
        has_file = bool(chosen(posted))
        return await self._save(
            request,
            api,
            school_campaign_id,
            "evidence",
            lambda values: forms.read_evidence(values, measures, has_file=has_file),
            method="POST",
            endpoint="/evidence",
            files={"file": "file_id"},
            saved=str(posted.get("measure") or "remediation"),
            measures=measures,
        )

    # --- consolidation -----------------------------------------------------------------------------------
    @get("/summary-report")
    async def summary(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        report = (await self._contents(api, school_campaign_id))["summary_report"]
        form = Form(values={"summary": report["summary"]} if report else {})
        return await self._render(request, api, school_campaign_id, "summary_report", form)

    @post("/summary-report", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def save_summary(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        return await self._save(
            request,
            api,
            school_campaign_id,
            "summary_report",
            forms.read_summary,
            method="PUT",
            endpoint="/summary-report",
            files={"file": "file_id"},
            saved="summary_report",
        )

    @get("/mechanisms")
    async def mechanisms(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        recorded = (await self._contents(api, school_campaign_id))["mechanisms"]
        return await self._render(
            request, api, school_campaign_id, "mechanisms", forms.mechanisms_form(recorded)
        )

    @post("/mechanisms")
    async def save_mechanisms(
        self, request: Request[Any, Any, Any], api: UserApi, school_campaign_id: SchoolCampaignId
    ) -> Response[Any]:
        keys = (await vocabulary(api)).mechanisms
        return await self._save(
            request,
            api,
            school_campaign_id,
            "mechanisms",
            lambda posted: forms.read_mechanisms(posted, keys),
            method="PUT",
            endpoint="/mechanisms",
            saved="long_term_mechanisms",
        )
