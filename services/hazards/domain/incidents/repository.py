"""SQL for incidents (under the caller's RLS context)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.incidents.models import Incident
from hazards.vocabulary import LOCAL_TZ, IncidentKind


class IncidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, incident_id: uuid.UUID, *, for_update: bool = False) -> Incident | None:
        query = select(Incident).where(Incident.id == incident_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    @staticmethod
    def _conditions(
        kind: IncidentKind | None,
        school_id: uuid.UUID | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if kind is not None:
            conditions.append(Incident.kind == kind)
        if school_id is not None:
            conditions.append(Incident.school_id == school_id)
        if since is not None:
            conditions.append(Incident.occurred_at >= since)
        if until is not None:
            conditions.append(Incident.occurred_at < until)
        return conditions

    async def page(
        self,
        *,
        kind: IncidentKind | None,
        school_id: uuid.UUID | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Incident], int]:
        conditions = self._conditions(kind, school_id, since, until)
        total = (
            await self.session.execute(select(func.count()).select_from(Incident).where(*conditions))
        ).scalar_one()
        query = (
            select(Incident)
            .where(*conditions)
            .order_by(Incident.occurred_at.desc(), Incident.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(query)).scalars()), int(total)

    async def counts(
        self, *, school_id: uuid.UUID | None, since: dt.datetime, until: dt.datetime
    ) -> tuple[dict[str, int], dict[str, int], int, int]:
        """(by kind, by local month ``YYYY-MM``, people affected, reported to police) in [since, until)."""
        conditions = self._conditions(None, school_id, since, until)
        by_kind = {
            str(kind): int(n)
            for kind, n in (
                await self.session.execute(
                    select(Incident.kind, func.count()).where(*conditions).group_by(Incident.kind)
                )
            ).all()
        }
        month = func.to_char(func.timezone(str(LOCAL_TZ), Incident.occurred_at), "YYYY-MM")
        by_month = {
            str(m): int(n)
            for m, n in (
                await self.session.execute(select(month, func.count()).where(*conditions).group_by(month))
            ).all()
        }
        people, police = (
            await self.session.execute(
                select(
                    func.coalesce(func.sum(Incident.people_affected), 0),
                    func.count().filter(Incident.reported_to_police),
                ).where(*conditions)
            )
        ).one()
        return by_kind, by_month, int(people), int(police)

    def add(self, incident: Incident) -> None:
        self.session.add(incident)
