"""HTTP for the hazard register and its life cycle. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from hazards import recipients
from hazards.domain.hazards import schemas
from hazards.domain.hazards.models import Hazard, PhotoStage, Status
from hazards.domain.hazards.repository import HazardFilter
from hazards.domain.hazards.service import HazardService, photo_info
from hazards.guards import (
    BUREAU,
    EVERYONE,
    MANAGERS,
    PRINCIPAL,
    PRINCIPAL_OR_BUREAU,
    PRINCIPAL_OR_TEACHER,
    SCHOOL_STAFF,
)
from hazards.vocabulary import Area, Category, Severity, Source
from hazards.web import MAX_FORM_BODY, MAX_PHOTO_BYTES, clock_of, read_form, store_of
from kit.db import DbSession
from kit.errors import InvalidInputError
from kit.storage import IMAGE_TYPES, check_upload
from tenants import TenantContext

HazardId = FromPath[uuid.UUID]


def hazard_service(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> HazardService:
    return HazardService(db_session, request.user, clock=clock_of(request), store=store_of(request))


def _convert(fields: dict[str, str], kind: type[Any]) -> Any:
    try:
        return msgspec.convert(fields, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInputError(str(exc), errors=[{"message": str(exc), "source": "body"}]) from exc


class HazardController(Controller):
    path = "/hazards"
    tags = ["hazards"]

    async def _answer(self, service: HazardService, hazard: Hazard, status_code: int = 200) -> Response[Any]:
        headers = {"Location": f"/hazards/{hazard.id}"} if status_code == 201 else None
        return Response(await service.detail(hazard), status_code=status_code, headers=headers)

    @get("/", guards=EVERYONE, operation_id="listHazards")
    async def list_hazards(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[Status | None] = None,
        severity: FromQuery[Severity | None] = None,
        category: FromQuery[Category | None] = None,
        area: FromQuery[Area | None] = None,
        source: FromQuery[Source | None] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
        patrol_id: FromQuery[uuid.UUID | None] = None,
        listed: FromQuery[bool | None] = None,
        overdue: FromQuery[bool | None] = None,
        open_only: Annotated[bool, QueryParameter(name="open")] = False,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> schemas.HazardPage:
        """The register: the caller's school, or (the bureau) every school of the county."""
        f = HazardFilter(
            status=status,
            severity=severity,
            category=category,
            area=area,
            source=source,
            school_id=school_id,
            patrol_id=patrol_id,
            listed=listed,
            overdue=overdue,
            open_only=open_only,
            year=year,
            search=q,
        )
        return await hazard_service(db_session, request).page(f, limit=limit, offset=offset)

    @post("/", guards=EVERYONE, operation_id="reportHazard")
    async def report_hazard(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.HazardCreate],
    ) -> Response[schemas.Hazard]:
        """Register a hazard (state ``reported``); it gets the next number of its school and year."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.report(data), 201)

    @post(
        "/quick", guards=SCHOOL_STAFF, operation_id="quickReportHazard", request_max_body_size=MAX_FORM_BODY
    )
    async def quick_report(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> Response[schemas.Hazard]:
        """The phone flow, one multipart form: ``category``, ``area``, ``place``, ``note``, ``severity`` and
        an optional ``photo``."""
        fields, photo = await read_form(request, file_field="photo")
        form: schemas.QuickReport = _convert(fields, schemas.QuickReport)
        checked = (
            check_upload(photo, allowed=IMAGE_TYPES, max_bytes=MAX_PHOTO_BYTES, field="photo")
            if photo
            else None
        )
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.quick_report(form, checked), 201)

    @get("/{hazard_id:uuid}", guards=EVERYONE, operation_id="getHazard")
    async def get_hazard(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], hazard_id: HazardId
    ) -> schemas.Hazard:
        """One hazard with its photos, referrals, full history and the actions the caller may take."""
        service = hazard_service(db_session, request)
        return await service.detail(await service.get(hazard_id))

    @patch("/{hazard_id:uuid}", guards=PRINCIPAL_OR_BUREAU, operation_id="updateHazard")
    async def update_hazard(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.HazardUpdate],
    ) -> Response[schemas.Hazard]:
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.update(hazard_id, data))

    @post(
        "/{hazard_id:uuid}/confirm", guards=PRINCIPAL_OR_BUREAU, operation_id="confirmHazard", status_code=200
    )
    async def confirm(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.NoteBody],
    ) -> Response[schemas.Hazard]:
        """reported → confirmed."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.confirm(hazard_id, data.note))

    @post(
        "/{hazard_id:uuid}/reject", guards=PRINCIPAL_OR_BUREAU, operation_id="rejectHazard", status_code=200
    )
    async def reject(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.ReasonBody],
    ) -> Response[schemas.Hazard]:
        """reported → rejected (not a hazard); the reason is required."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.reject(hazard_id, data.reason))

    @post("/{hazard_id:uuid}/assign", guards=PRINCIPAL, operation_id="assignHazard", status_code=200)
    async def assign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.Assignment],
    ) -> Response[schemas.Hazard]:
        """confirmed → rectifying: responsible person, plan, deadline (and optionally checker, containment)."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.assign(hazard_id, data))

    @post("/{hazard_id:uuid}/reassign", guards=PRINCIPAL, operation_id="reassignHazard", status_code=200)
    async def reassign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.Reassignment],
    ) -> Response[schemas.Hazard]:
        """Change the responsible person, plan, deadline or checker during rectification (with a reason)."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.reassign(hazard_id, data))

    @post("/{hazard_id:uuid}/containment", guards=SCHOOL_STAFF, operation_id="containHazard", status_code=200)
    async def contain(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.Containment],
    ) -> Response[schemas.Hazard]:
        """Containment measures before the fix (responsible person or principal)."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.contain(hazard_id, data.measures))

    @post("/{hazard_id:uuid}/rectify", guards=SCHOOL_STAFF, operation_id="rectifyHazard", status_code=200)
    async def rectify(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.Rectification],
    ) -> Response[schemas.Hazard]:
        """rectifying → rectified: needs an after-photo (upload it first) or a note."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.rectify(hazard_id, data.note))

    @post(
        "/{hazard_id:uuid}/verify", guards=PRINCIPAL_OR_TEACHER, operation_id="verifyHazard", status_code=200
    )
    async def verify(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.NoteBody],
    ) -> Response[schemas.Hazard]:
        """rectified → closed, or → verified (awaiting the bureau) for major and listed hazards. The checker
        must not be the person who rectified it."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.verify(hazard_id, data.note))

    @post("/{hazard_id:uuid}/reopen", guards=MANAGERS, operation_id="reopenHazard", status_code=200)
    async def reopen(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.Reopening],
    ) -> Response[schemas.Hazard]:
        """A failed verification (rectified → rectifying) or a refused sign-off (verified → rectifying)."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.reopen(hazard_id, data))

    @post("/{hazard_id:uuid}/sign-off", guards=BUREAU, operation_id="signOffHazard", status_code=200)
    async def sign_off(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        hazard_id: HazardId,
        data: JSONBody[schemas.NoteBody],
    ) -> Response[schemas.Hazard]:
        """verified → closed: the bureau's sign-off of a major or listed hazard."""
        service = hazard_service(db_session, request)
        return await self._answer(service, await service.sign_off(hazard_id, data.note))

    @post(
        "/{hazard_id:uuid}/photos",
        guards=EVERYONE,
        operation_id="addHazardPhoto",
        request_max_body_size=MAX_FORM_BODY,
    )
    async def add_photo(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], hazard_id: HazardId
    ) -> Response[schemas.PhotoInfo]:
        """A photo (multipart ``file``) with ``stage`` = ``before`` or ``after`` (after: during rectification)."""
        service = hazard_service(db_session, request)
        await service.get(hazard_id)  # another tenant's hazard: 404 before anything is read
        fields, data = await read_form(request, file_field="file")
        if data is None:
            raise InvalidInputError("no photo was sent", errors=[{"key": "file", "message": "required"}])
        try:
            stage = PhotoStage(fields.get("stage", "before"))
        except ValueError as exc:
            raise InvalidInputError(
                "stage is before or after", errors=[{"key": "stage", "message": "before or after"}]
            ) from exc
        checked = check_upload(data, allowed=IMAGE_TYPES, max_bytes=MAX_PHOTO_BYTES)
        photo = await service.add_photo(hazard_id, stage, checked)
        return Response(photo_info(photo), status_code=201, headers={"Location": f"/photos/{photo.id}"})


class PhotoController(Controller):
    path = "/photos"
    tags = ["hazards"]

    @get("/{photo_id:uuid}", guards=EVERYONE, operation_id="getPhoto")
    async def get_photo(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any], photo_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """A photo's bytes, for whoever may see its hazard (another tenant's photo: 404)."""
        photo, content = await hazard_service(db_session, request).photo_bytes(photo_id)
        return Response(
            content,
            media_type=photo.content_type,
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )


class AssigneeController(Controller):
    path = "/assignees"
    tags = ["hazards"]

    @get("/", guards=PRINCIPAL, operation_id="listAssignees")
    async def list_assignees(self, request: Request[TenantContext, Any, Any]) -> list[schemas.Assignee]:
        """The school's accounts (principal, teachers, guards) to name as responsible person or checker, with
        the id the life cycle checks (the responsible person rectifies, the named checker verifies)."""
        school_id = request.user.school_id
        if school_id is None:  # the guard lets only principals in, and a principal has a school
            return []
        accounts = await recipients.school_accounts(school_id)
        return [schemas.Assignee(id=i, name=name, roles=roles) for i, name, roles in accounts]
