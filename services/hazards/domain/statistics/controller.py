"""HTTP for hazard statistics."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter

from hazards.domain.statistics import schemas
from hazards.domain.statistics.service import StatisticsService
from hazards.guards import MANAGERS
from hazards.web import clock_of
from kit.db import DbSession
from tenants import TenantContext


class StatisticsController(Controller):
    path = "/statistics"
    tags = ["statistics"]

    @get("/", guards=MANAGERS, operation_id="getHazardStatistics")
    async def statistics(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
    ) -> schemas.Statistics:
        """Per school: open, overdue, closed on time, average days to close, by category and severity."""
        service = StatisticsService(db_session, request.user, clock=clock_of(request))
        return await service.statistics(year=year, school_id=school_id)
