"""HTTP for the caller's county."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlalchemy import select

from kit.auth import requires_role
from kit.db import DbSession
from kit.errors import NotFoundError
from schools.domain.counties import schemas
from schools.domain.counties.models import County
from tenants import TenantContext


class CountyController(Controller):
    path = "/county"
    tags = ["counties"]

    @get("/", guards=[requires_role("bureau", "principal", "teacher", "guard")], operation_id="getOwnCounty")
    async def own_county(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.County:
        """The caller's county."""
        county = (
            await db_session.execute(select(County).where(County.id == request.user.county_id))
        ).scalar_one_or_none()
        if county is None:
            raise NotFoundError("county not found")
        return schemas.County(
            id=county.id, code=county.code, name=county.name, name_en=county.name_en, locale=county.locale
        )
