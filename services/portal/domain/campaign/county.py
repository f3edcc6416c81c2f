"""The bureau's side of the campaign: the county board (every school × phase), the campaign editor (draft,
edit, launch, close), and the role-aware ``/campaign`` page and home cards."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, UserApi
from portal.domain.campaign import labels
from portal.domain.campaign.forms import REJECTED, Form, submit
from portal.domain.campaign.labels import PHASES, vocabulary
from portal.domain.campaign.school import principal_campaign
from portal.i18n import gettext
from portal.web import Viewer, page

CampaignId = FromPath[uuid.UUID]
EDITOR_FIELDS = ("title", "description", "start_date", *(f"deadline-{p}" for p in PHASES))


def _role(request: Request[Any, Any, Any]) -> str:
    viewer = Viewer.of(request)
    return viewer.role if viewer else ""


def _pick(campaigns: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    """The campaign to show: the one asked for, else the newest launched one, else the newest."""
    if wanted:
        return next((c for c in campaigns if c["id"] == wanted), None)
    launched = [c for c in campaigns if c["status"] == "launched"]
    shown = launched or campaigns
    return shown[0] if shown else None


async def county_board(request: Request[Any, Any, Any], api: Api, wanted: str) -> Response[Any]:
    campaigns = await api.get("schools", "/campaigns")
    campaigns.sort(key=lambda c: c["created_at"], reverse=True)
    selected = _pick(campaigns, wanted)
    board = None
    if selected is not None and selected["status"] != "draft":
        board = await api.get("schools", f"/campaigns/{selected['id']}/board")
    return page(
        request,
        "campaign/county.html",
        campaigns=campaigns,
        selected=selected,
        board=board,
        vocab=await vocabulary(api),
        L=labels,
        done=request.query_params.get("done", ""),
    )


class CampaignPageController(Controller):
    path = "/campaign"
    include_in_schema = False
    guards = [requires_role("bureau", "principal")]

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        campaign_id: Annotated[str, QueryParameter(max_length=36)] = "",
    ) -> Response[Any]:
        """The bureau: the county board; the principal: the school's campaign."""
        if _role(request) == "bureau":
            return await county_board(request, api, campaign_id)
        return await principal_campaign(request, api)

    @get("/home-card")
    async def home_card(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The home page's campaign card (loaded by htmx)."""
        vocab = await vocabulary(api)
        if _role(request) == "bureau":
            campaigns = await api.get("schools", "/campaigns", {"status": "launched"})
            campaigns.sort(key=lambda c: c["created_at"], reverse=True)
            board = await api.get("schools", f"/campaigns/{campaigns[0]['id']}/board") if campaigns else None
            return page(request, "campaign/_card_bureau.html", board=board, vocab=vocab, L=labels)
        listed = await api.get("schools", "/school-campaigns")
        running = [c for c in listed if c["campaign_status"] == "launched"]
        return page(request, "campaign/_card_principal.html", running=running, vocab=vocab, L=labels)


def _editor_form(campaign: dict[str, Any] | None) -> Form:
    if campaign is None:
        return Form(values={"required": "all"})
    values = {
        "title": campaign["title"],
        "description": campaign["description"],
        "start_date": campaign["start_date"],
    }
    for plan in campaign["phases"]:
        values[f"deadline-{plan['phase']}"] = plan["deadline"]
    return Form(values=values)


def _required_of(campaign: dict[str, Any] | None) -> dict[str, list[str]]:
    return {p["phase"]: p["required"] for p in campaign["phases"]} if campaign else {}


def _read_editor(
    posted: Mapping[str, Any], *, launched: bool
) -> tuple[Form, dict[str, list[str]], dict[str, Any] | None]:
    form: Form = Form.read(posted, EDITOR_FIELDS)
    getall = getattr(posted, "getall", None)
    required = {p: [str(v) for v in (getall(f"required-{p}", []) if getall else [])] for p in PHASES}
    form.require("title")
    # A launched campaign keeps its start date: the field is not shown, and not read.
    start = None if launched else form.date("start_date")
    deadlines = {p: form.date(f"deadline-{p}") for p in PHASES}
    form.hints = {
        "title": gettext("Use 2 to 200 characters."),
        "description": gettext("Use at most 20000 characters."),
        "start_date": gettext("A launched campaign keeps its start date."),
        **{
            f"deadline-{p}": gettext("Deadlines run in phase order, none before the start date.")
            for p in PHASES
        },
    }
    if not form.ok:
        return form, required, None
    body: dict[str, Any] = {"title": form.get("title"), "description": form.get("description")}
    phases = []
    for p in PHASES:
        plan: dict[str, Any] = {"phase": p, "deadline": str(deadlines[p])}
        if not launched:
            plan["required"] = required[p]
        phases.append(plan)
    body["phases"] = phases
    if not launched:
        body["start_date"] = str(start)
    return form, required, body


#: The API's keys for the editor's fields.
EDITOR_KEYS = {
    **{f"phases.{p}.deadline": f"deadline-{p}" for p in PHASES},
    **{f"phases.{p}.required": f"required-{p}" for p in PHASES},
    **{f"phases[{i}].deadline": f"deadline-{p}" for i, p in enumerate(PHASES)},
}


class CampaignEditorController(Controller):
    path = "/campaign/county"
    include_in_schema = False
    guards = [requires_role("bureau")]

    async def _editor(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        form: Form,
        required: dict[str, list[str]],
        campaign: dict[str, Any] | None,
        status_code: int = 200,
    ) -> Response[Any]:
        return page(
            request,
            "campaign/editor.html",
            status_code=status_code,
            form=form,
            required=required,
            campaign=campaign,
            phases=PHASES,
            vocab=await vocabulary(api),
            L=labels,
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        vocab = await vocabulary(api)
        everything = {p: [d["key"] for d in vocab.phase_deliverables[p]] for p in PHASES}
        return await self._editor(request, api, _editor_form(None), everything, None)

    @post("/new")
    async def create(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Save a draft; bad input comes back beside the fields and nothing is saved."""
        form, required, body = _read_editor(await request.form(), launched=False)
        if body is not None:
            created = await submit(form, api.post("schools", "/campaigns", json=body), EDITOR_KEYS)
            if created is not REJECTED:
                return Redirect(path=f"/campaign?campaign_id={created['id']}&done=saved", status_code=303)
        return await self._editor(request, api, form, required, None, status_code=422)

    @get("/{campaign_id:uuid}/edit")
    async def edit(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: CampaignId
    ) -> Response[Any]:
        campaign = await api.get("schools", f"/campaigns/{campaign_id}")
        return await self._editor(request, api, _editor_form(campaign), _required_of(campaign), campaign)

    @post("/{campaign_id:uuid}/edit")
    async def update(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: CampaignId
    ) -> Response[Any]:
        campaign = await api.get("schools", f"/campaigns/{campaign_id}")
        launched = campaign["status"] != "draft"
        form, required, body = _read_editor(await request.form(), launched=launched)
        if launched:
            required = _required_of(campaign)
        if body is not None:
            answer = await submit(
                form, api.patch("schools", f"/campaigns/{campaign_id}", json=body), EDITOR_KEYS
            )
            if answer is not REJECTED:
                return Redirect(path=f"/campaign?campaign_id={campaign_id}&done=saved", status_code=303)
        return await self._editor(request, api, form, required, campaign, status_code=422)

    @post("/{campaign_id:uuid}/launch")
    async def launch(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: CampaignId
    ) -> Response[Any]:
        """Launch a draft: every active school of the county gets its campaign."""
        await api.post("schools", f"/campaigns/{campaign_id}/launch")
        return Redirect(path=f"/campaign?campaign_id={campaign_id}&done=launched", status_code=303)

    @post("/{campaign_id:uuid}/close")
    async def close(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: CampaignId
    ) -> Response[Any]:
        """End a launched campaign (the schools keep their record)."""
        await api.post("schools", f"/campaigns/{campaign_id}/close")
        return Redirect(path=f"/campaign?campaign_id={campaign_id}&done=closed", status_code=303)
