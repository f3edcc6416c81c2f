"""The hazard register: the phone report, the list with filters, a hazard's page with its photos, history and
the life-cycle forms, the photos and the exports."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from portal.api import Api, UserApi
from portal.domain.hazards import labels
from portal.domain.hazards.actions import ACTIONS
from portal.domain.hazards.forms import PHOTO_MESSAGE, Form, attempt
from portal.domain.hazards.pages import (
    EVERYONE,
    MANAGERS,
    MAX_FORM_BODY,
    PAGE_SIZE,
    PRINCIPAL_OR_BUREAU,
    SCHOOL_STAFF,
    PageNumber,
    lang_of,
    passed_on,
    photo_of,
    render,
)
from portal.i18n import N_, gettext
from portal.web import Viewer

HazardId = FromPath[uuid.UUID]
REPORT_FIELDS = ("category", "area", "place", "title", "note", "severity", "patrol_id")
REPORT_FAILED = N_("The hazard was not reported. Correct the marked fields and send it again.")
#: Filters of the register the portal passes on to the API.
FILTERS = ("status", "category", "severity", "overdue", "school_id", "q", "source", "listed")
ASSIGNING = ("assign", "reassign")
#: The actions in the order of what a viewer most likely came to do: the first allowed one is shown open.
PRIORITY = (
    "confirm", "assign", "rectify", "verify", "sign_off", "list", "reject", "contain", "reopen", "reassign", "refer",
)  # fmt: skip


async def assignees(api: Api, hazard: dict[str, Any]) -> list[tuple[str, str]]:
    """The school's accounts to choose from (``id|name``, name), for the principal's assignment forms only."""
    if set(ASSIGNING).isdisjoint(hazard["allowed_actions"]):
        return []
    return [(f"{p['id']}|{p['name']}", p["name"]) for p in await api.get("hazards", "/assignees")]


def primary_action(hazard: dict[str, Any]) -> str:
    """The action the viewer most likely came for (its form is shown open), or ``""``."""
    return next((a for a in PRIORITY if a in hazard["allowed_actions"]), "")


class RegisterController(Controller):
    path = "/hazards"
    include_in_schema = False

    # --- the phone report --------------------------------------------------------------------------------
    @get("/report", guards=SCHOOL_STAFF)
    async def report_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The phone flow: a photo, what, where, a line of text — a few taps. From a patrol's area the area
        is chosen already and the hazard is that patrol's finding."""
        form = Form.of(request.query_params, ("area", "patrol_id"))
        if form["area"] not in labels.AREAS:
            form.values["area"] = ""
        return render(request, "hazards/report.html", form=form)

    @post("/report", guards=SCHOOL_STAFF, request_max_body_size=MAX_FORM_BODY)
    async def report(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        raw = await request.form()
        form = Form.of(raw, REPORT_FIELDS)
        form.choice("category", labels.CATEGORIES)
        form.choice("area", labels.AREAS)
        form.choice("severity", labels.SEVERITIES, required=False)
        if form["title"] and len(form["title"]) < 2:
            form.require("title", min_length=2)
        try:
            photo = await photo_of(raw.get("photo"))
        except ValueError:
            photo = None
            form.error("photo", PHOTO_MESSAGE)
        sent, hazard = await attempt(
            form,
            lambda: api.post(
                "hazards",
                "/hazards/quick",
                data={name: form[name] for name in REPORT_FIELDS if form[name]},
                files={"photo": photo} if photo else None,
            ),
            failed=REPORT_FAILED,
        )
        if sent:
            return Redirect(path=f"/hazards/{hazard['id']}/reported", status_code=303)
        return render(request, "hazards/report.html", status_code=form.status, form=form)

    @get("/{hazard_id:uuid}/reported", guards=SCHOOL_STAFF)
    async def reported(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId
    ) -> Response[Any]:
        """The confirmation: the hazard's number, and a way to report the next one."""
        hazard = await api.get("hazards", f"/hazards/{hazard_id}")
        return render(request, "hazards/reported.html", hazard=hazard)

    @get("/home-card", guards=PRINCIPAL_OR_BUREAU)
    async def home_card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The home page's hazards card (loaded by htmx): open and overdue hazards, and what waits."""
        viewer = Viewer.of(request)
        open_hazards = await api.get("hazards", "/hazards", {"open": "true", "limit": 1})
        overdue = await api.get("hazards", "/hazards", {"overdue": "true", "limit": 1})
        waiting = await api.get("hazards", "/hazards", {"status": "reported", "limit": 1})
        counts = {
            "open": int(open_hazards["total"]),
            "overdue": int(overdue["total"]),
            "reported": int(waiting["total"]),
        }
        if viewer is not None and viewer.role == "bureau":
            counts["listed"] = int((await api.get("hazards", "/supervision"))["total"])
            counts["verified"] = int(
                (await api.get("hazards", "/hazards", {"status": "verified", "limit": 1}))["total"]
            )
        else:
            queue = await api.get("hazards", "/public-reports", {"status": "pending", "limit": 1})
            counts["public"] = int(queue["total"])
        return render(request, "hazards/_home_counts.html", counts=counts)

    # --- the register ------------------------------------------------------------------------------------
    @get("/", guards=EVERYONE)
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """The school's register (the bureau: the county's), filtered by state, category, severity, overdue."""
        query = request.query_params
        filters = {name: str(query.get(name, "")).strip()[:100] for name in FILTERS}
        params: dict[str, Any] = dict(filters)
        if filters["status"] == "open":
            params["status"], params["open"] = "", "true"
        if filters["overdue"] not in ("", "true"):
            params["overdue"] = filters["overdue"] = ""
        result = await api.get(
            "hazards", "/hazards", {**params, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
        )
        total = int(result["total"])
        viewer = Viewer.of(request)
        schools = []
        if viewer is not None and viewer.role == "bureau":
            schools = (await api.get("schools", "/schools", {"limit": 200}))["items"]
        return render(
            request,
            "hazards/index.html",
            hazards=result["items"],
            total=total,
            filters=filters,
            schools=schools,
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @get("/{hazard_id:uuid}", guards=EVERYONE)
    async def detail(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId
    ) -> Response[Any]:
        """A hazard: photos before and after, the full history, and the actions the viewer may take now."""
        hazard = await api.get("hazards", f"/hazards/{hazard_id}")
        done = request.query_params.get("done", "")
        notice = gettext(ACTIONS[done].done) if done in ACTIONS else ""
        if done == "photo":
            notice = gettext("The photo is added.")
        if done == "rectify":
            notice = gettext("The hazard is marked rectified. A checker other than you verifies it.")
        return render(
            request,
            "hazards/detail.html",
            hazard=hazard,
            forms={},
            people=await assignees(api, hazard),
            notice=notice,
            primary=primary_action(hazard),
        )

    @post("/{hazard_id:uuid}/rectify", guards=SCHOOL_STAFF, request_max_body_size=MAX_FORM_BODY)
    async def rectify(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId
    ) -> Response[Any]:
        """The fix is done: the after-photo goes first, then the hazard is marked rectified."""
        raw = await request.form()
        form = Form.of(raw, ("note",))
        try:
            photo = await photo_of(raw.get("photo"))
        except ValueError:
            photo = None
            form.error("photo", PHOTO_MESSAGE)
        if form.ok and photo is None and not form["note"]:
            form.error("photo", N_("Add an after-photo or write a note on what was done."))

        async def send() -> None:
            if photo is not None:
                await api.post(
                    "hazards", f"/hazards/{hazard_id}/photos", data={"stage": "after"}, files={"file": photo}
                )
            await api.post("hazards", f"/hazards/{hazard_id}/rectify", json={"note": form["note"]})

        sent, _ = await attempt(form, send, failed=N_("The hazard was not marked rectified."))
        if sent:
            return Redirect(path=f"/hazards/{hazard_id}?done=rectify", status_code=303)
        return await self._again(request, api, hazard_id, "rectify", form)

    @post("/{hazard_id:uuid}/photo", guards=EVERYONE, request_max_body_size=MAX_FORM_BODY)
    async def add_photo(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId
    ) -> Response[Any]:
        """Another photo of the hazard (before), or of the fix while it is being rectified (after)."""
        raw = await request.form()
        form = Form.of(raw, ("stage",))
        try:
            photo = await photo_of(raw.get("photo"))
        except ValueError:
            photo = None
            form.error("photo", PHOTO_MESSAGE)
        if form.ok and photo is None:
            form.error("photo", PHOTO_MESSAGE)
        stage = "after" if form["stage"] == "after" else "before"
        sent, _ = await attempt(
            form,
            lambda: api.post(
                "hazards", f"/hazards/{hazard_id}/photos", data={"stage": stage}, files={"file": photo}
            ),
            failed=N_("The photo was not added."),
        )
        if sent:
            return Redirect(path=f"/hazards/{hazard_id}?done=photo", status_code=303)
        return await self._again(request, api, hazard_id, "add_photo", form)

    @post("/{hazard_id:uuid}/act/{action:str}", guards=EVERYONE)
    async def act(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId, action: FromPath[str]
    ) -> Response[Any]:
        """One life-cycle action; bad input comes back beside its fields, a refusal with the API's reason."""
        spec = ACTIONS.get(action)
        if spec is None:
            raise NotFoundException()
        form = Form.of(await request.form(), spec.fields)
        spec.check(form)
        sent, _ = await attempt(
            form,
            lambda: api.post("hazards", f"/hazards/{hazard_id}{spec.path}", json=spec.body(form)),
            failed=spec.failed,
        )
        if sent:
            return Redirect(path=f"/hazards/{hazard_id}?done={action}", status_code=303)
        return await self._again(request, api, hazard_id, action, form)

    async def _again(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        hazard_id: uuid.UUID,
        action: str,
        form: Form,
    ) -> Response[Any]:
        """The hazard's page again, with the failed form open and what was typed kept."""
        hazard = await api.get("hazards", f"/hazards/{hazard_id}")
        return render(
            request,
            "hazards/detail.html",
            status_code=form.status,
            hazard=hazard,
            forms={action: form},
            people=await assignees(api, hazard),
            notice="",
            primary="",
        )

    # --- files -------------------------------------------------------------------------------------------
    @get("/photos/{photo_id:uuid}", guards=EVERYONE)
    async def photo(self, api: UserApi, photo_id: FromPath[uuid.UUID]) -> Response[bytes]:
        answer = await api.download("hazards", f"/photos/{photo_id}")
        return Response(
            answer.content,
            media_type=answer.headers.get("content-type", "application/octet-stream"),
            headers={"Cache-Control": "private, max-age=3600"},
        )

    @get("/{hazard_id:uuid}/notice.pdf", guards=MANAGERS)
    async def notice(
        self, request: Request[Any, Any, Any], api: UserApi, hazard_id: HazardId
    ) -> Response[bytes]:
        """The one-page rectification notice (PDF)."""
        answer = await api.download("hazards", f"/hazards/{hazard_id}/notice.pdf", {"lang": lang_of(request)})
        return passed_on(answer, "notice.pdf")

    @get("/register.xlsx", guards=PRINCIPAL_OR_BUREAU)
    async def register_xlsx(self, request: Request[Any, Any, Any], api: UserApi) -> Response[bytes]:
        """The register as XLSX: the school's, or (the bureau) the county's or one school's."""
        params = {"lang": lang_of(request), "school_id": request.query_params.get("school_id", "")}
        answer = await api.download("hazards", "/exports/register.xlsx", params)
        return passed_on(answer, "register.xlsx")
