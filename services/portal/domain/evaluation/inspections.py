"""Cross-school inspection: the bureau's assignment board (teams, assignments, decisions) and the
inspector's score sheet, made for a phone on a flaky connection.

The score sheet saves each item on its own (``static/evaluation.js`` posts it with fetch, keeps a draft in
the browser until the portal confirms it, and retries when the connection comes back); without scripts
each item's form posts and comes back to the sheet.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import Api, ApiProblem, UserApi
from portal.auth.oidc import OidcError, TokenSet
from portal.auth.session import TOKENS
from portal.domain.evaluation.common import (
    UPLOAD_BODY_LIMIT,
    Form,
    check_points,
    file_response,
    hint,
    number,
    parse_local,
    pass_upload,
    view,
)
from portal.i18n import N_, gettext
from portal.web import Viewer, is_htmx

#: A team member's token is renewed on the inspections page when older than this (new grants need it).
GRANT_REFRESH_AFTER = 60

TEAM_FIELDS = ("name", "members", "lead")
MEMBER_FIELDS = ("username", "lead")
ASSIGN_FIELDS = ("school_id", "starts_at", "ends_at")
SCORE_FIELDS = (
    "points",
    "triggered",
    "comment",
    "finding_title",
    "finding_severity",
    "finding_category",
    "finding_location",
    "finding_description",
)
HINTS = {
    "name": N_("Enter a name of 2 to 120 characters."),
    "members": N_("Enter existing accounts of the county, one user name per line."),
    "username": N_("Enter an existing account of the county."),
    "lead": N_("The lead must be one of the members."),
    "school_id": N_(
        "A member of this team belongs to this school, and nobody inspects their own school (%(detail)s)."
    ),
    "starts_at": N_("Enter the start of the window."),
    "ends_at": N_("The end must come after the start."),
    "points": N_("Enter points from 0 to the item's maximum (%(detail)s)."),
    "triggered": N_("Not allowed for this item."),
    "comment": N_("Use at most 2000 characters."),
    "finding_title": N_("Describe the finding in 2 to 200 characters."),
    "finding_location": N_("Use at most 200 characters."),
    "finding_description": N_("Use at most 2000 characters."),
    "finding_category": N_("Choose a category."),
    "requests": N_("Write one rectification request per line (2 to 500 characters each)."),
    "note": N_("Use at most 2000 characters."),
}
NOT_SAVED = N_("Not saved. Correct the marked fields.")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


# --- the bureau's board -----------------------------------------------------------------------------------
async def _board_context(api: Api, campaign_id: uuid.UUID) -> dict[str, Any]:
    campaign = await api.get("evaluation", f"/campaigns/{campaign_id}")
    teams = await api.get("evaluation", f"/campaigns/{campaign_id}/teams")
    assignments = await api.get("evaluation", f"/campaigns/{campaign_id}/assignments")
    schools = await api.get("schools", "/schools", {"limit": 200})
    by_team: dict[str, list[dict[str, Any]]] = {}
    for assignment in assignments:
        by_team.setdefault(str(assignment["team_id"]), []).append(assignment)
    return {
        "campaign": campaign,
        "teams": teams,
        "assignments": assignments,
        "by_team": by_team,
        "schools": sorted(schools["items"], key=lambda s: s["code"]),
    }


class AssignmentBoardController(Controller):
    """The bureau forms teams and assigns them to schools with a window; the API refuses a school of one of
    the team's members (422), which is shown beside the school."""

    path = "/evaluation"
    guards = [requires_role("bureau")]
    include_in_schema = False

    async def _board(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        campaign_id: uuid.UUID,
        *,
        status_code: int = 200,
        forms: dict[str, Form] | None = None,
    ) -> Response[Any]:
        context = await _board_context(api, campaign_id)
        return view(
            request,
            "evaluation/board.html",
            status_code=status_code,
            forms=forms or {},
            **context,
        )

    @get("/campaigns/{campaign_id:uuid}/assignments")
    async def board(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._board(request, api, campaign_id)

    @post("/campaigns/{campaign_id:uuid}/teams")
    async def create_team(
        self, request: Request[Any, Any, Any], api: UserApi, campaign_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Form a team: user names one per line, one of them the lead."""
        form = Form.of(await request.form(), TEAM_FIELDS)
        members = _lines(form.values["members"])
        if form.require("name", "members"):
            lead = form.values["lead"] or members[0]
            if lead not in members:
                form.errors["lead"] = hint(HINTS, "lead")
        if not form.errors:
            body = {
                "name": form.values["name"],
                "members": [{"username": name, "lead": name == lead} for name in members],
            }
            try:
                await api.post("evaluation", f"/campaigns/{campaign_id}/teams", json=body)
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem, HINTS, N_("The team was not formed."))
                if not form.errors:
                    form.errors["members"] = hint(HINTS, "members")
            else:
                return Redirect(
                    path=f"/evaluation/campaigns/{campaign_id}/assignments?done=team", status_code=303
                )
        form.message = form.message or gettext(NOT_SAVED)
        return await self._board(request, api, campaign_id, status_code=422, forms={"team": form})

    @post("/teams/{team_id:uuid}/members")
    async def add_member(
        self, request: Request[Any, Any, Any], api: UserApi, team_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Add a member; someone whose own school the team inspects is refused (shown beside the name)."""
        form = Form.of(await request.form(), MEMBER_FIELDS)
        team = await api.get("evaluation", f"/teams/{team_id}")
        campaign_id = team["campaign_id"]
        if form.require("username"):
            body = {"username": form.values["username"], "lead": form.values["lead"] == "on"}
            try:
                await api.post("evaluation", f"/teams/{team_id}/members", json=body)
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.message = gettext(N_("The member was not added."))
                form.errors["username"] = gettext(
                    N_(
                        "This account cannot join the team: it does not exist in the county, or its own school is one the team inspects."
                    )
                )
            else:
                return Redirect(
                    path=f"/evaluation/campaigns/{campaign_id}/assignments?done=member", status_code=303
                )
        return await self._board(
            request, api, uuid.UUID(campaign_id), status_code=422, forms={f"member-{team_id}": form}
        )

    @post("/teams/{team_id:uuid}/members/{member_id:uuid}/remove")
    async def remove_member(
        self, api: UserApi, team_id: FromPath[uuid.UUID], member_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        team = await api.delete("evaluation", f"/teams/{team_id}/members/{member_id}")
        return Redirect(path=f"/evaluation/campaigns/{team['campaign_id']}/assignments", status_code=303)

    @post("/teams/{team_id:uuid}/assignments")
    async def assign(
        self, request: Request[Any, Any, Any], api: UserApi, team_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Assign the team to a school for a window typed in county time."""
        form = Form.of(await request.form(), ASSIGN_FIELDS)
        team = await api.get("evaluation", f"/teams/{team_id}")
        campaign_id = team["campaign_id"]
        form.require(*ASSIGN_FIELDS)
        starts, ends = parse_local(form.values["starts_at"]), parse_local(form.values["ends_at"])
        if form.values["starts_at"] and starts is None:
            form.errors["starts_at"] = hint(HINTS, "starts_at")
        if form.values["ends_at"] and (ends is None or (starts is not None and ends <= starts)):
            form.errors["ends_at"] = hint(HINTS, "ends_at")
        if not form.errors and starts is not None and ends is not None:
            body = {
                "school_id": form.values["school_id"],
                "starts_at": starts.isoformat(),
                "ends_at": ends.isoformat(),
            }
            try:
                await api.post("evaluation", f"/teams/{team_id}/assignments", json=body)
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem, HINTS, N_("The team was not assigned."))
            else:
                return Redirect(
                    path=f"/evaluation/campaigns/{campaign_id}/assignments?done=assigned", status_code=303
                )
        form.message = form.message or gettext(NOT_SAVED)
        return await self._board(
            request, api, uuid.UUID(campaign_id), status_code=422, forms={f"assign-{team_id}": form}
        )


# --- the inspector's sheet -------------------------------------------------------------------------------
async def _renew_token(request: Request[Any, Any, Any]) -> bool:
    """Get a new access token now: a grant given since sign-in travels in the token (see the evaluation
    service's README). False when the identity provider refuses (the page then shows what it has)."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return False
    tokens = TokenSet.from_session(session.get(TOKENS))
    if tokens is None:
        return False
    try:
        renewed = await request.app.state.oidc.refresh(tokens)
    except OidcError:
        return False
    session[TOKENS] = renewed.as_session()
    return True


def _grants_may_be_stale(request: Request[Any, Any, Any]) -> bool:
    """Whether a team member's token may lack a grant given since it was issued: it carries none, or it is
    older than :data:`GRANT_REFRESH_AFTER`. Once per visit: ``?renewed=1`` stops a second renewal."""
    if request.query_params.get("renewed"):
        return False
    claims = getattr(request.scope.get("auth"), "claims", {})
    age = time.time() - float(claims.get("iat") or 0)
    return not claims.get("inspection_grants") or age > GRANT_REFRESH_AFTER


def _score_body(form: Form, kind: str) -> dict[str, Any]:
    values = form.values
    body: dict[str, Any] = {"comment": values["comment"]}
    if kind == "veto":
        body["triggered"] = values["triggered"] == "on"
    elif values["points"]:
        body["points"] = float(values["points"].replace(",", "."))
    if values["finding_title"]:
        body["finding"] = {
            "title": values["finding_title"],
            "severity": values["finding_severity"] or "general",
            "category": values["finding_category"] or "other",
            "location": values["finding_location"],
            "description": values["finding_description"],
        }
    return body


def _item_form(item: dict[str, Any], typed: dict[str, str] | None, errors: dict[str, str] | None) -> Form:
    """An item's fields: what was just typed when it was refused, else what the API holds."""
    if typed is not None:
        return Form(values=dict(typed), errors=dict(errors or {}))
    finding = item.get("finding") or {}
    values = {
        "points": number(item["points"]),
        "triggered": "on" if item["triggered"] else "",
        "comment": item["comment"] or "",
        "finding_title": finding.get("title", ""),
        "finding_severity": finding.get("severity", "general"),
        "finding_category": finding.get("category", "other"),
        "finding_location": finding.get("location", ""),
        "finding_description": finding.get("description", ""),
    }
    return Form(values=values, errors=dict(errors or {}))


async def _sheet_context(api: Api, assignment_id: uuid.UUID) -> dict[str, Any]:
    sheet = await api.get("evaluation", f"/inspections/{assignment_id}")
    categories: dict[str, str] = {}
    try:
        campaign = await api.get("evaluation", f"/campaigns/{sheet['assignment']['campaign_id']}")
        rubric = await api.get("evaluation", f"/rubrics/{campaign['rubric_id']}")
        categories = {c["code"]: c["title"] for c in rubric["definition"]["categories"]}
    except ApiProblem as problem:
        if problem.status not in (403, 404):
            raise
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for item in sheet["items"]:
        title = categories.get(item["category"] or "", "") or item["kind"]
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(item)
    scored = sum(1 for i in sheet["items"] if i["points"] is not None or i["triggered"])
    return {"sheet": sheet, "groups": groups, "scored": scored}


class InspectionController(Controller):
    """The signed-in user's inspections and the score sheet. Who may see a sheet is the API's business: an
    inspector outside the window, or not assigned, gets its 404."""

    path = "/inspections"
    guards = [requires_role("bureau", "principal", "teacher")]
    include_in_schema = False

    @get("/")
    async def mine(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """The user's teams and the schools they may inspect now."""
        mine = await api.get("evaluation", "/inspections/mine")
        viewer = Viewer.of(request)
        renew = mine["teams"] and viewer and viewer.role != "bureau"
        if renew and _grants_may_be_stale(request) and await _renew_token(request):
            return Redirect(path="/inspections?renewed=1", status_code=303)
        return view(request, "evaluation/mine.html", mine=mine)

    async def _sheet(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        assignment_id: uuid.UUID,
        *,
        status_code: int = 200,
        errors: dict[str, dict[str, str]] | None = None,
        typed: dict[str, dict[str, str]] | None = None,
        message: str = "",
        detail: str = "",
        decision: Form | None = None,
    ) -> Response[Any]:
        context = await _sheet_context(api, assignment_id)
        errors, typed = errors or {}, typed or {}
        for item in context["sheet"]["items"]:
            item["form"] = _item_form(item, typed.get(item["code"]), errors.get(item["code"]))
        return view(
            request,
            "evaluation/sheet.html",
            status_code=status_code,
            message=message,
            detail=detail,
            decision=decision or Form(),
            **context,
        )

    @get("/{assignment_id:uuid}")
    async def sheet(
        self, request: Request[Any, Any, Any], api: UserApi, assignment_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await self._sheet(request, api, assignment_id)

    @post("/{assignment_id:uuid}/scores/{code:str}")
    async def score(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        assignment_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[Any]:
        """Save one item. The sheet's script asks for JSON (``Accept: application/json``): ``{"saved":
        true}`` or 422 with the errors by field; a plain form post comes back to the sheet."""
        data = await request.form()
        form = Form.of(data, SCORE_FIELDS)
        kind = str(data.get("kind") or "indicator")
        wants_json = "application/json" in request.headers.get("accept", "")
        check_points(form, kind)
        if not form.errors:
            try:
                await api.put(
                    "evaluation", f"/inspections/{assignment_id}/scores/{code}", json=_score_body(form, kind)
                )
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                if problem.status == 409:
                    form.message = gettext(
                        N_("The sheet cannot be scored now: the window is closed or the sheet was submitted.")
                    )
                else:
                    form.reject(problem, HINTS, NOT_SAVED)
                    form.message = ""
                    if not form.errors:
                        form.message, form.detail = gettext(NOT_SAVED), problem.detail
                status = 409 if problem.status == 409 else 422
                if wants_json:
                    return Response(
                        {"saved": False, "errors": form.errors, "message": form.message}, status_code=status
                    )
                return await self._sheet(
                    request,
                    api,
                    assignment_id,
                    status_code=status,
                    errors={code: form.errors},
                    typed={code: form.values},
                    message=form.message or gettext(NOT_SAVED),
                    detail=form.detail,
                )
            if wants_json:
                return Response({"saved": True, "message": gettext(N_("Saved"))}, status_code=200)
            return Redirect(path=f"/inspections/{assignment_id}?done=saved#item-{code}", status_code=303)
        if wants_json:
            return Response(
                {"saved": False, "errors": form.errors, "message": gettext(NOT_SAVED)}, status_code=422
            )
        return await self._sheet(
            request,
            api,
            assignment_id,
            status_code=422,
            errors={code: form.errors},
            typed={code: form.values},
            message=gettext(NOT_SAVED),
        )

    @post("/{assignment_id:uuid}/scores/{code:str}/photos", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_photo(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        assignment_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[Any]:
        """Pass a photo of one item on to the API."""
        error = await pass_upload(
            request,
            api,
            "photo",
            f"/inspections/{assignment_id}/scores/{code}/photos",
            gettext(N_("The photo was not accepted: use a JPEG, PNG, WebP or HEIC picture of at most 1 MB.")),
        )
        if error:
            return await self._sheet(
                request, api, assignment_id, status_code=422, errors={code: {"photo": error}}, message=error
            )
        return Redirect(path=f"/inspections/{assignment_id}?done=photo#item-{code}", status_code=303)

    @post("/{assignment_id:uuid}/submit")
    async def submit(
        self, request: Request[Any, Any, Any], api: UserApi, assignment_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The team lead submits; the items still to score are marked when the API refuses."""
        try:
            await api.post("evaluation", f"/inspections/{assignment_id}/submit")
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            missing = {
                key: {"points": gettext(N_("Score this item before submitting."))}
                for key in problem.field_errors()
            }
            message = gettext(N_("The sheet was not submitted: every item must be scored first."))
            if problem.status == 409:
                message = gettext(
                    N_("The sheet cannot be submitted now: the window is closed or it was already submitted.")
                )
            return await self._sheet(
                request, api, assignment_id, status_code=problem.status, errors=missing, message=message
            )
        return Redirect(path=f"/inspections/{assignment_id}?done=submitted", status_code=303)

    @post("/{assignment_id:uuid}/accept", guards=[requires_role("bureau")])
    async def accept(
        self, request: Request[Any, Any, Any], api: UserApi, assignment_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The bureau accepts the school: the team's scores count in the ranking."""
        form = Form.of(await request.form(), ("note", "requests"))
        return await self._decide(request, api, assignment_id, "accept", form, {"note": form.values["note"]})

    @post("/{assignment_id:uuid}/return", guards=[requires_role("bureau")])
    async def return_school(
        self, request: Request[Any, Any, Any], api: UserApi, assignment_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The bureau returns the school with rectification requests (one per line)."""
        form = Form.of(await request.form(), ("note", "requests"))
        if not form.require("requests"):
            form.message = gettext(N_("Write at least one rectification request to return the school."))
            return await self._sheet(request, api, assignment_id, status_code=422, decision=form)
        body = {"requests": _lines(form.values["requests"]), "note": form.values["note"]}
        return await self._decide(request, api, assignment_id, "return", form, body)

    @post("/{assignment_id:uuid}/cancel", guards=[requires_role("bureau")])
    async def cancel(
        self, request: Request[Any, Any, Any], api: UserApi, assignment_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Cancel an assignment before it is submitted; the team's access ends."""
        return await self._decide(request, api, assignment_id, "cancel", Form(), None)

    async def _decide(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        assignment_id: uuid.UUID,
        action: str,
        form: Form,
        body: dict[str, Any] | None,
    ) -> Response[Any]:
        try:
            await api.post("evaluation", f"/inspections/{assignment_id}/{action}", json=body)
        except ApiProblem as problem:
            if problem.status not in (400, 409, 422):
                raise
            form.reject(problem, HINTS, N_("The decision was not recorded."))
            if problem.status == 409:
                form.message = gettext(N_("The decision was not recorded: the sheet is not waiting for one."))
            return await self._sheet(request, api, assignment_id, status_code=problem.status, decision=form)
        if is_htmx(request):
            return Response(
                content=b"", status_code=200, headers={"HX-Redirect": f"/inspections/{assignment_id}"}
            )
        return Redirect(path=f"/inspections/{assignment_id}?done={action}", status_code=303)


class InspectionPhotoController(Controller):
    path = "/inspection-photos"
    guards = [requires_role("bureau", "principal", "teacher")]
    include_in_schema = False

    @get("/{photo_id:uuid}")
    async def photo(self, api: UserApi, photo_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """A photo of a sheet, through the API (which decides who sees it and audits the read)."""
        return file_response(await api.download("evaluation", f"/inspection-photos/{photo_id}"))
