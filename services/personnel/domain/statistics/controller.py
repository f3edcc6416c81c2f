"""HTTP for the personnel statistics (the principal's school, or every school for the bureau)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import FromQuery

from kit.auth import requires_role
from kit.db import DbSession
from personnel.clock import Now, provide_now
from personnel.domain.statistics import schemas
from personnel.domain.statistics.service import StatisticsService
from personnel.settings import get_personnel_settings
from tenants import TenantContext


def _period(now: Now, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """Default: the last 28 days up to today."""
    end = end or now.astimezone(get_personnel_settings().timezone).date()
    return start or end - dt.timedelta(days=27), end


class StatisticsController(Controller):
    path = "/statistics"
    tags = ["statistics"]
    dependencies = {"now": Provide(provide_now, sync_to_thread=False)}

    @get("/", guards=[requires_role("principal")], operation_id="getSchoolStatistics")
    async def own_school(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
    ) -> schemas.SchoolStatistics:
        """The caller's school over a period (default: the last 28 days)."""
        return await StatisticsService(db_session, request.user).own_school(*_period(now, start, end), now)

    @get("/schools", guards=[requires_role("bureau")], operation_id="listSchoolStatistics")
    async def county(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        now: Now,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
    ) -> list[schemas.SchoolStatistics]:
        """Every active school of the county over a period: what the evaluation reads."""
        return await StatisticsService(db_session, request.user).county(*_period(now, start, end), now)
