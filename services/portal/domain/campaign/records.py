"""The school's standing records of the campaign: the management-system register (versioned documents with
their effective date and approver) and the emergency plans with their drills (a plan not drilled this
term is flagged)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, UserApi
from portal.domain.campaign import labels
from portal.domain.campaign.deliverables import school_today
from portal.domain.campaign.files import UPLOAD_BODY_LIMIT, chosen, upload
from portal.domain.campaign.forms import REJECTED, Form, submit
from portal.i18n import gettext
from portal.web import page

VERSION_FIELDS = ("effective_on", "approved_by", "approved_on", "change_note")
PLAN_FIELDS = ("kind", "title", "responsible_name", "approved_on", "summary")
DRILL_FIELDS = ("held_on", "scenario", "participants", "participant_groups", "evacuation_seconds", "findings")
MAX_PHOTOS = 20
PHOTO_KEYS = {"photo_ids": "photos", **{f"photo_ids[{i}]": "photos" for i in range(MAX_PHOTOS)}}


def _read_version(
    posted: Mapping[str, Any], extra: tuple[str, ...] = ()
) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, [*extra, *VERSION_FIELDS])
    form.require(*extra, "approved_by")
    effective = form.date("effective_on")
    approved = form.date("approved_on", not_after=school_today())
    if not chosen(posted):
        form.errors["file"] = gettext("Upload the approved document.")
    form.hints = {"title": gettext("Use 2 to 200 characters."), "kind": gettext("Choose the kind of system.")}
    if not form.ok:
        return form, None
    version = {
        "effective_on": str(effective),
        "approved_by": form.get("approved_by"),
        "approved_on": str(approved),
        "change_note": form.get("change_note"),
    }
    return form, version


async def _with_file(api: Api, posted: Mapping[str, Any], form: Form, field: str = "file") -> str | None:
    files = chosen(posted, field)
    return await upload(api, form, field, files[0]) if files else None


class DocumentController(Controller):
    path = "/documents"
    include_in_schema = False
    guards = [requires_role("principal")]

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        documents = await api.get("schools", "/management-documents")
        return page(
            request,
            "campaign/documents.html",
            documents=documents,
            L=labels,
            form=Form(),
            created=request.query_params.get("created", ""),
        )

    @post("/", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def register(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Register a management system with its first version (the approved document)."""
        posted = await request.form()
        form, version = _read_version(posted, ("kind", "title"))
        if version is not None:
            file_id = await _with_file(api, posted, form)
            if file_id is not None:
                body = {
                    "kind": form.get("kind"),
                    "title": form.get("title"),
                    "version": {**version, "file_id": file_id},
                }
                keys = {f"version.{k}": k for k in VERSION_FIELDS} | {"version.file_id": "file"}
                created = await submit(form, api.post("schools", "/management-documents", json=body), keys)
                if created is not REJECTED:
                    return Redirect(path=f"/documents/{created['id']}?saved=1", status_code=303)
            form.ok  # noqa: B018  (sets the form's message)
        documents = await api.get("schools", "/management-documents")
        return page(
            request,
            "campaign/documents.html",
            status_code=422,
            documents=documents,
            L=labels,
            form=form,
            created="",
        )

    @get("/{document_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], api: UserApi, document_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        document = await api.get("schools", f"/management-documents/{document_id}")
        return page(
            request,
            "campaign/document.html",
            document=document,
            L=labels,
            form=Form(),
            saved=request.query_params.get("saved", ""),
        )

    @post("/{document_id:uuid}", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_version(
        self, request: Request[Any, Any, Any], api: UserApi, document_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """A new version; the earlier ones stay on record."""
        posted = await request.form()
        form, version = _read_version(posted)
        if version is not None:
            file_id = await _with_file(api, posted, form)
            if file_id is not None:
                path = f"/management-documents/{document_id}/versions"
                call = api.post("schools", path, json={**version, "file_id": file_id})
                if await submit(form, call, {"file_id": "file"}) is not REJECTED:
                    return Redirect(path=f"/documents/{document_id}?saved=1", status_code=303)
            form.ok  # noqa: B018
        document = await api.get("schools", f"/management-documents/{document_id}")
        return page(
            request,
            "campaign/document.html",
            status_code=422,
            document=document,
            L=labels,
            form=form,
            saved="",
        )


def _read_plan(posted: Mapping[str, Any]) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, PLAN_FIELDS)
    form.require("kind", "title", "responsible_name")
    approved = form.date("approved_on", required=False, not_after=school_today())
    form.hints = {
        "title": gettext("Use 2 to 200 characters."),
        "responsible_name": gettext("Use at most 80 characters."),
    }
    if not form.ok:
        return form, None
    body: dict[str, Any] = {k: form.get(k) for k in ("kind", "title", "responsible_name", "summary")}
    if approved:
        body["approved_on"] = str(approved)
    return form, body


def _read_drill(posted: Mapping[str, Any]) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, DRILL_FIELDS)
    form.require("scenario")
    held = form.date("held_on", not_after=school_today())
    participants = form.integer("participants", low=1, high=100_000)
    seconds = form.integer("evacuation_seconds", required=False, low=1, high=36_000)
    if len(chosen(posted, "photos")) > MAX_PHOTOS:
        form.errors["photos"] = gettext("At most 20 photos.")
    form.hints = {"scenario": gettext("Use 2 to 5000 characters.")}
    if not form.ok:
        return form, None
    body: dict[str, Any] = {
        "held_on": str(held),
        "scenario": form.get("scenario"),
        "participants": participants,
        "participant_groups": form.get("participant_groups"),
        "findings": form.get("findings"),
    }
    if seconds:
        body["evacuation_seconds"] = seconds
    return form, body


class DrillController(Controller):
    path = "/drills"
    include_in_schema = False
    guards = [requires_role("principal")]

    async def _index(
        self, request: Request[Any, Any, Any], api: Api, form: Form, status_code: int = 200
    ) -> Response[Any]:
        plans = await api.get("schools", "/emergency-plans")
        return page(
            request, "campaign/drills.html", status_code=status_code, plans=plans, L=labels, form=form
        )

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        return await self._index(request, api, Form())

    @post("/", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def create_plan(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """A new emergency plan (fire, earthquake, intruder, ...), with its document if there is one."""
        posted = await request.form()
        form, body = _read_plan(posted)
        if body is not None:
            if chosen(posted):
                file_id = await _with_file(api, posted, form)
                if file_id:
                    body["file_id"] = file_id
            if not form.errors:
                created = await submit(
                    form, api.post("schools", "/emergency-plans", json=body), {"file_id": "file"}
                )
                if created is not REJECTED:
                    return Redirect(path=f"/drills/{created['id']}?saved=plan", status_code=303)
            form.ok  # noqa: B018
        return await self._index(request, api, form, status_code=422)

    async def _plan(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        plan_id: uuid.UUID,
        form: Form,
        status_code: int = 200,
    ) -> Response[Any]:
        plan = await api.get("schools", f"/emergency-plans/{plan_id}")
        return page(
            request,
            "campaign/plan.html",
            status_code=status_code,
            plan=plan,
            L=labels,
            form=form,
            saved=request.query_params.get("saved", ""),
        )

    @get("/{plan_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], api: UserApi, plan_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._plan(request, api, plan_id, Form())

    @post("/{plan_id:uuid}", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def record_drill(
        self, request: Request[Any, Any, Any], api: UserApi, plan_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """A drill of the plan, with its photos."""
        posted = await request.form()
        form, body = _read_drill(posted)
        if body is not None:
            photo_ids = []
            for photo in chosen(posted, "photos"):
                file_id = await upload(api, form, "photos", photo)
                if file_id is None:
                    break
                photo_ids.append(file_id)
            body["photo_ids"] = photo_ids
            if not form.errors:
                call = api.post("schools", f"/emergency-plans/{plan_id}/drills", json=body)
                if await submit(form, call, PHOTO_KEYS) is not REJECTED:
                    return Redirect(path=f"/drills/{plan_id}?saved=drill", status_code=303)
            form.ok  # noqa: B018
        return await self._plan(request, api, plan_id, form, status_code=422)
