"""HTTP for cross-school inspection. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody

from evaluation.domain.inspections import schemas
from evaluation.domain.inspections.service import InspectionService
from evaluation.files import download
from kit.auth import requires_role
from kit.db import DbSession
from kit.identity import AccountProfile, admin_client, find_account
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
#: Inspectors are bureau staff, principals and teachers; the inspected school's staff read their own sheet.
sheet_readers = [requires_role("bureau", "principal", "teacher")]


async def _find_account(request: Request[TenantContext, Any, Any], username: str) -> AccountProfile | None:
    return await find_account(admin_client(request.app.state.settings), username)


def _service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> InspectionService:
    async def accounts(username: str) -> AccountProfile | None:
        return await _find_account(request, username)

    return InspectionService(db_session, request.user, accounts=accounts)


class TeamController(Controller):
    tags = ["inspections"]

    @post("/campaigns/{campaign_id:uuid}/teams", guards=bureau_only, operation_id="createInspectionTeam")
    async def create_team(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.TeamCreate],
    ) -> Response[schemas.Team]:
        """Form an inspection team of bureau staff and principals or teachers (by username)."""
        team = await _service(db_session, request).create_team(campaign_id, data)
        return Response(team, status_code=201, headers={"Location": f"/teams/{team.id}"})

    @get("/campaigns/{campaign_id:uuid}/teams", guards=bureau_only, operation_id="listInspectionTeams")
    async def list_teams(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> list[schemas.Team]:
        return await _service(db_session, request).teams(campaign_id)

    @get("/teams/{team_id:uuid}", guards=bureau_only, operation_id="getInspectionTeam")
    async def get_team(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], team_id: FromPath[uuid.UUID]
    ) -> schemas.Team:
        return await _service(db_session, request).team(team_id)

    @post("/teams/{team_id:uuid}/members", guards=bureau_only, operation_id="addInspectionTeamMember")
    async def add_member(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        team_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.MemberInput],
    ) -> Response[schemas.Team]:
        """Add a member (``lead``: becomes the team's only lead). 422 for someone whose own school the team
        is assigned to."""
        return Response(await _service(db_session, request).add_member(team_id, data), status_code=201)

    @delete(
        "/teams/{team_id:uuid}/members/{member_id:uuid}",
        guards=bureau_only,
        operation_id="removeInspectionTeamMember",
        status_code=200,
    )
    async def remove_member(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        team_id: FromPath[uuid.UUID],
        member_id: FromPath[uuid.UUID],
    ) -> schemas.Team:
        return await _service(db_session, request).remove_member(team_id, member_id)

    @post("/teams/{team_id:uuid}/assignments", guards=bureau_only, operation_id="assignInspectionTeam")
    async def assign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        team_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.AssignmentCreate],
    ) -> Response[schemas.Assignment]:
        """Assign the team to a school for a time window (never a school of one of its members: 422)."""
        assignment = await _service(db_session, request).assign(team_id, data)
        return Response(assignment, status_code=201, headers={"Location": f"/inspections/{assignment.id}"})

    @get(
        "/campaigns/{campaign_id:uuid}/assignments",
        guards=bureau_only,
        operation_id="listInspectionAssignments",
    )
    async def board(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> list[schemas.Assignment]:
        """The assignment board: every team's schools, windows and states."""
        return await _service(db_session, request).board(campaign_id)


class InspectionController(Controller):
    path = "/inspections"
    tags = ["inspections"]

    @get("/mine", guards=sheet_readers, operation_id="myInspections")
    async def mine(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.MyInspections:
        """The caller's teams and inspection grants (the sheet to open while a window is open)."""
        return await _service(db_session, request).mine()

    @get("/{assignment_id:uuid}", guards=sheet_readers, operation_id="getScoreSheet")
    async def sheet(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
    ) -> schemas.ScoreSheet:
        """The score sheet: the bureau; the team's inspectors during the window (audited); the inspected
        school's staff (the team's scores once the bureau has decided)."""
        return await _service(db_session, request).sheet(assignment_id)

    @put("/{assignment_id:uuid}/scores/{code:str}", guards=sheet_readers, operation_id="scoreItem")
    async def score(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
        code: FromPath[str],
        data: JSONBody[schemas.ScoreInput],
    ) -> schemas.ScoreSheet:
        """Score one item with a comment and, optionally, a finding (idempotent: a phone may resend it)."""
        return await _service(db_session, request).score(assignment_id, code, data)

    @post(
        "/{assignment_id:uuid}/scores/{code:str}/photos",
        guards=sheet_readers,
        operation_id="addInspectionPhoto",
    )
    async def add_photo(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
        code: FromPath[str],
    ) -> Response[schemas.Photo]:
        """Attach a photo (the request body: JPEG, PNG, WebP or HEIC, at most 1 MB) to one item."""
        photo = await _service(db_session, request).add_photo(assignment_id, code, await request.body())
        return Response(photo, status_code=201, headers={"Location": photo.url})

    @post(
        "/{assignment_id:uuid}/submit", guards=sheet_readers, operation_id="submitScoreSheet", status_code=200
    )
    async def submit(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
    ) -> schemas.Assignment:
        """The team lead submits the sheet; the bureau decides next."""
        return await _service(db_session, request).submit(assignment_id)

    @post(
        "/{assignment_id:uuid}/accept", guards=bureau_only, operation_id="acceptInspection", status_code=200
    )
    async def accept(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Decision],
    ) -> schemas.Assignment:
        """Accept the school; the team's scores count and its findings go to the hazard register."""
        return await _service(db_session, request).accept(assignment_id, data)

    @post(
        "/{assignment_id:uuid}/return", guards=bureau_only, operation_id="returnInspection", status_code=200
    )
    async def return_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.Return],
    ) -> schemas.Assignment:
        """Return the school with rectification requests; the scores count and the findings are registered."""
        return await _service(db_session, request).return_school(assignment_id, data)

    @post(
        "/{assignment_id:uuid}/cancel", guards=bureau_only, operation_id="cancelInspection", status_code=200
    )
    async def cancel(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        assignment_id: FromPath[uuid.UUID],
    ) -> schemas.Assignment:
        """Cancel an assignment before it is submitted; the inspectors' grants are withdrawn."""
        return await _service(db_session, request).cancel(assignment_id)


class InspectionPhotoController(Controller):
    path = "/inspection-photos"
    tags = ["inspections"]

    @get("/{photo_id:uuid}", guards=sheet_readers, operation_id="downloadInspectionPhoto")
    async def download_photo(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], photo_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        photo = await _service(db_session, request).photo(photo_id)
        return await download(photo.storage_key, photo.content_type)
