"""Investigation patrols over the campus areas and the surroundings: start one, sign each area off with the
findings, submit the report to the bureau."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, UserApi
from portal.domain.hazards import labels
from portal.domain.hazards.forms import Form, attempt
from portal.domain.hazards.pages import EVERYONE, PAGE_SIZE, PRINCIPAL, SCHOOL_STAFF, PageNumber, render
from portal.i18n import N_

PatrolId = FromPath[uuid.UUID]
PRINCIPAL_OR_TEACHER = [requires_role("principal", "teacher")]
START_FAILED = N_("The patrol was not started. Correct the marked fields and try again.")
SIGN_OFF_FAILED = N_("The area was not signed off.")
SUBMIT_FAILED = N_("The patrol report was not submitted.")


class PatrolsController(Controller):
    path = "/hazards/patrols"
    include_in_schema = False

    @get("/", guards=EVERYONE)
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """The school's patrols (the bureau: the county's), newest first, and a form to start one."""
        return await self._index(request, api, page_number, Form(values={"kind": "investigation"}))

    async def _index(
        self, request: Request[Any, Any, Any], api: Api, page_number: int, form: Form, status_code: int = 200
    ) -> Response[Any]:
        result = await api.get(
            "hazards", "/patrols", {"limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
        )
        total = int(result["total"])
        return render(
            request,
            "hazards/patrols.html",
            status_code=status_code,
            patrols=result["items"],
            total=total,
            form=form,
            chosen=set(form["areas"].split(",")) if form["areas"] else set(),
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @post("/", guards=PRINCIPAL_OR_TEACHER)
    async def start(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Start an investigation (every area) or a daily patrol (the areas ticked)."""
        raw = await request.form()
        form = Form.of(raw, ("kind", "title"))
        areas = [a for a in raw.getall("areas", []) if isinstance(a, str)]
        form.values["areas"] = ",".join(areas)
        form.choice("kind", labels.PATROL_KINDS)
        form.require("title", min_length=2)
        if any(a not in labels.AREAS for a in areas):
            form.error("areas", N_("Choose one of the options."))
        if form["kind"] == "daily" and not areas:
            form.error("areas", N_("Tick the areas this patrol covers."))
        body: dict[str, Any] = {"kind": form["kind"], "title": form["title"]}
        if form["kind"] == "daily":
            body["areas"] = areas
        sent, patrol = await attempt(
            form, lambda: api.post("hazards", "/patrols", json=body), failed=START_FAILED
        )
        if sent:
            return Redirect(path=f"/hazards/patrols/{patrol['id']}", status_code=303)
        return await self._index(request, api, 1, form, 422)

    @get("/{patrol_id:uuid}", guards=EVERYONE)
    async def detail(
        self, request: Request[Any, Any, Any], api: UserApi, patrol_id: PatrolId
    ) -> Response[Any]:
        """Every area of the patrol, signed off or not, with the hazards found in it."""
        done = request.query_params.get("done", "")
        return await self._detail(request, api, patrol_id, forms={}, done=done)

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        patrol_id: uuid.UUID,
        *,
        forms: dict[str, Form],
        done: str = "",
        status_code: int = 200,
    ) -> Response[Any]:
        patrol = await api.get("hazards", f"/patrols/{patrol_id}")
        return render(
            request, "hazards/patrol.html", status_code=status_code, patrol=patrol, forms=forms, done=done
        )

    @post("/{patrol_id:uuid}/sign-off", guards=SCHOOL_STAFF)
    async def sign_off(
        self, request: Request[Any, Any, Any], api: UserApi, patrol_id: PatrolId
    ) -> Response[Any]:
        """The caller signs one area off as its named inspector, with what they found."""
        form = Form.of(await request.form(), ("area", "findings"))
        form.choice("area", labels.AREAS)
        form.require("findings")
        sent, _ = await attempt(
            form,
            lambda: api.post(
                "hazards",
                f"/patrols/{patrol_id}/sign-offs",
                json={"area": form["area"], "findings": form["findings"]},
            ),
            failed=SIGN_OFF_FAILED,
        )
        if sent:
            return Redirect(path=f"/hazards/patrols/{patrol_id}?done=sign-off", status_code=303)
        key = form["area"] if form["area"] in labels.AREAS else ""
        return await self._detail(request, api, patrol_id, forms={key: form}, status_code=form.status)

    @post("/{patrol_id:uuid}/submit", guards=PRINCIPAL)
    async def submit(
        self, request: Request[Any, Any, Any], api: UserApi, patrol_id: PatrolId
    ) -> Response[Any]:
        """The principal submits the patrol report to the bureau once every area is signed off."""
        form = Form.of(await request.form(), ("summary",))
        form.require("summary", min_length=2)
        sent, _ = await attempt(
            form,
            lambda: api.post("hazards", f"/patrols/{patrol_id}/submit", json={"summary": form["summary"]}),
            failed=SUBMIT_FAILED,
        )
        if sent:
            return Redirect(path=f"/hazards/patrols/{patrol_id}?done=submit", status_code=303)
        return await self._detail(request, api, patrol_id, forms={"submit": form}, status_code=form.status)
