"""SQL for objective indicator values (under the caller's RLS context)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.indicators.models import IndicatorValue
from evaluation.domain.rankings.scoring import MetricValue


class IndicatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        county_id: uuid.UUID,
        school_id: uuid.UUID,
        metric: str,
        value: float,
        figures: Mapping[str, Any],
        event_id: uuid.UUID,
        event_type: str,
        observed_at: dt.datetime,
        replace: bool = False,
    ) -> bool:
        """Store the value unless a newer one is already there (``replace``: unless a strictly newer one is;
        for a value computed from the stored one under its lock). Returns whether it was stored."""
        values = {
            "value": value,
            "figures": dict(figures),
            "source_event_id": event_id,
            "source_event_type": event_type,
            "observed_at": observed_at,
            "updated_at": func.clock_timestamp(),
        }
        statement = insert(IndicatorValue).values(
            id=uuid.uuid4(), county_id=county_id, school_id=school_id, metric=metric, **values
        )
        statement = statement.on_conflict_do_update(
            index_elements=[IndicatorValue.school_id, IndicatorValue.metric],
            set_=values,
            where=(
                IndicatorValue.observed_at <= statement.excluded.observed_at
                if replace
                else IndicatorValue.observed_at < statement.excluded.observed_at
            ),
        ).returning(IndicatorValue.id)
        return (await self.session.execute(statement)).first() is not None

    async def for_school(self, school_id: uuid.UUID) -> dict[str, MetricValue]:
        query = select(IndicatorValue).where(IndicatorValue.school_id == school_id)
        return {v.metric: _value(v) for v in (await self.session.execute(query)).scalars()}

    async def for_county(self) -> dict[uuid.UUID, dict[str, MetricValue]]:
        """Every school's values visible to the caller (the bureau: its county), by school."""
        result: dict[uuid.UUID, dict[str, MetricValue]] = {}
        for v in (await self.session.execute(select(IndicatorValue))).scalars():
            result.setdefault(v.school_id, {})[v.metric] = _value(v)
        return result


def _value(row: IndicatorValue) -> MetricValue:
    return MetricValue(
        value=row.value, figures=row.figures, as_of=row.observed_at, source_event_id=row.source_event_id
    )
