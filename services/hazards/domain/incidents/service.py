"""Security incidents: recorded by the school, counted by type and month for the county. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, local_date, system_clock
from hazards.domain.incidents import schemas
from hazards.domain.incidents.models import Incident
from hazards.domain.incidents.repository import IncidentRepository
from hazards.domain.statistics.service import StatisticsService
from hazards.outbox import outbox
from hazards.vocabulary import LOCAL_TZ, IncidentKind
from kit.audit import name_action
from kit.errors import InvalidInputError, NotFoundError
from kit.events import INCIDENT_RECORDED, INCIDENT_UPDATED, EventType, IncidentRecorded
from tenants import TenantContext

#: How many months the trend covers, this month included.
TREND_MONTHS = 12


def to_schema(incident: Incident) -> schemas.Incident:
    return schemas.Incident(
        id=incident.id,
        school_id=incident.school_id,
        kind=incident.kind,
        occurred_at=incident.occurred_at,
        place=incident.place,
        people_affected=incident.people_affected,
        description=incident.description,
        actions_taken=incident.actions_taken,
        reported_to_police=incident.reported_to_police,
        police_reference=incident.police_reference,
        reported_by=incident.reported_by_name,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
    )


def _months_back(today: dt.date, count: int) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


class IncidentService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = IncidentRepository(session)

    async def get(self, incident_id: uuid.UUID, *, for_update: bool = False) -> Incident:
        incident = await self.repository.get(incident_id, for_update=for_update)
        if incident is None:
            raise NotFoundError("incident not found")
        return incident

    def _check_time(self, occurred_at: dt.datetime) -> None:
        if occurred_at.tzinfo is None:
            raise InvalidInputError(
                "give the time with its offset",
                errors=[{"key": "occurred_at", "message": "needs a timezone"}],
            )
        if occurred_at > self.clock() + dt.timedelta(minutes=5):
            raise InvalidInputError(
                "an incident cannot lie in the future",
                errors=[{"key": "occurred_at", "message": "in the future"}],
            )

    async def page(
        self,
        *,
        kind: IncidentKind | None,
        school_id: uuid.UUID | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
        limit: int,
        offset: int,
    ) -> schemas.IncidentPage:
        items, total = await self.repository.page(
            kind=kind, school_id=school_id, since=since, until=until, limit=limit, offset=offset
        )
        return schemas.IncidentPage(
            items=[to_schema(i) for i in items], total=total, limit=limit, offset=offset
        )

    async def report(self, data: schemas.IncidentCreate) -> Incident:
        assert self.tenant.school_id is not None  # school roles only (route guard)
        self._check_time(data.occurred_at)
        now = self.clock()
        incident = Incident(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            reported_by=self.tenant.user_id,
            reported_by_name=self.tenant.username,
            created_at=now,
            updated_at=now,
            **msgspec.structs.asdict(data),
        )
        self.repository.add(incident)
        name_action(incident, "incident.record")
        await self.session.flush()
        await self._publish(INCIDENT_RECORDED, incident)
        return incident

    async def update(self, incident_id: uuid.UUID, data: schemas.IncidentUpdate) -> Incident:
        incident = await self.get(incident_id, for_update=True)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "occurred_at" in changes:
            self._check_time(changes["occurred_at"])
        for key, value in changes.items():
            setattr(incident, key, value)
        incident.updated_at = self.clock()
        await self.session.flush()
        await self._publish(INCIDENT_UPDATED, incident)
        return incident

    async def statistics(self, *, school_id: uuid.UUID | None) -> schemas.IncidentStatistics:
        today = local_date(self.clock())
        months = _months_back(today, TREND_MONTHS)
        first = dt.date.fromisoformat(months[0] + "-01")
        since = dt.datetime.combine(first, dt.time(), tzinfo=LOCAL_TZ)
        until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
        by_kind, by_month, people, police = await self.repository.counts(
            school_id=school_id, since=since, until=until
        )
        return schemas.IncidentStatistics(
            total=sum(by_kind.values()),
            by_kind={k.value: by_kind.get(k.value, 0) for k in IncidentKind},
            people_affected=people,
            reported_to_police=police,
            trend=[schemas.MonthCount(month=m, count=by_month.get(m, 0)) for m in months],
        )

    async def _publish(self, event_type: EventType[IncidentRecorded], incident: Incident) -> None:
        await outbox.add(
            self.session,
            event_type,
            IncidentRecorded(
                incident_id=incident.id,
                school_id=incident.school_id,
                kind=incident.kind.value,
                occurred_at=incident.occurred_at,
                people_affected=incident.people_affected,
                reported_to_police=incident.reported_to_police,
            ),
            county_id=incident.county_id,
            school_id=incident.school_id,
        )
        await StatisticsService(self.session, self.tenant, clock=self.clock).publish_for_school(
            incident.county_id, incident.school_id
        )
