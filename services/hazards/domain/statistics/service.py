"""Hazard statistics per school for the year-end evaluation: open, overdue, closed on time, average days
to close, by category and severity. Served by the API and published as ``hazards.statistics.updated``
whenever a hazard changes state (and when one becomes overdue). Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, cast, extract, func, or_, select
from sqlalchemy import Date as SqlDate
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, local_date, system_clock
from hazards.domain.directory import DirectoryRepository
from hazards.domain.hazards.models import Hazard, Status
from hazards.domain.hazards.repository import overdue_condition
from hazards.domain.incidents.models import Incident
from hazards.domain.statistics import schemas
from hazards.outbox import outbox
from hazards.vocabulary import LOCAL_TZ, Category, IncidentKind, Severity
from kit.events import HAZARD_STATISTICS_UPDATED, HazardStatistics
from tenants import TenantContext

_TZ = str(LOCAL_TZ)


@dataclass
class _Row:
    reported: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    closed_on_time: int = 0
    days_to_close: float = 0.0
    rejected: int = 0
    listed_open: int = 0
    major_open: int = 0
    incidents: int = 0
    major_incidents: int = 0
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_severity: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, other: _Row) -> None:
        for name in (
            "reported", "open", "overdue", "closed", "closed_on_time", "days_to_close", "rejected",
            "listed_open", "major_open", "incidents", "major_incidents",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.by_category, other.by_category), (self.by_severity, other.by_severity)):
            for key, (reported, open_) in theirs.items():
                mine[key][0] += reported
                mine[key][1] += open_

    def to_schema(self, school_id: uuid.UUID | None, name: str, year: int) -> schemas.SchoolStatistics:
        return schemas.SchoolStatistics(
            school_id=school_id,
            school_name=name,
            year=year,
            reported=self.reported,
            open=self.open,
            overdue=self.overdue,
            closed=self.closed,
            closed_on_time=self.closed_on_time,
            closed_on_time_rate=round(self.closed_on_time / self.closed, 4) if self.closed else None,
            average_days_to_close=round(self.days_to_close / self.closed, 2) if self.closed else None,
            rejected=self.rejected,
            listed_open=self.listed_open,
            major_open=self.major_open,
            incidents=self.incidents,
            major_incidents=self.major_incidents,
            by_category={c.value: schemas.Counts(*self.by_category.get(c.value, (0, 0))) for c in Category},
            by_severity={s.value: schemas.Counts(*self.by_severity.get(s.value, (0, 0))) for s in Severity},
        )


class StatisticsService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock

    async def _rows(self, *, year: int, school_id: uuid.UUID | None) -> dict[uuid.UUID, _Row]:
        today = local_date(self.clock())
        is_open = Hazard.status.not_in([Status.CLOSED, Status.REJECTED])
        closed_day = cast(func.timezone(_TZ, Hazard.closed_at), SqlDate)
        closed_in_year = and_(Hazard.status == Status.CLOSED, extract("year", closed_day) == year)
        reported_in_year = Hazard.year == year
        scope: list[ColumnElement[bool]] = [or_(reported_in_year, is_open, closed_in_year)]
        if school_id is not None:
            scope.append(Hazard.school_id == school_id)
        rows: dict[uuid.UUID, _Row] = defaultdict(_Row)
        main = (
            select(
                Hazard.school_id,
                func.count().filter(reported_in_year),
                func.count().filter(is_open),
                func.count().filter(overdue_condition(today)),
                func.count().filter(closed_in_year),
                func.count().filter(and_(closed_in_year, closed_day <= Hazard.deadline)),
                func.coalesce(
                    func.sum(extract("epoch", Hazard.closed_at - Hazard.reported_at) / 86400.0).filter(
                        closed_in_year
                    ),
                    0,
                ),
                func.count().filter(and_(Hazard.status == Status.REJECTED, reported_in_year)),
                func.count().filter(and_(Hazard.listed_at.is_not(None), is_open)),
                func.count().filter(and_(Hazard.severity == Severity.MAJOR, is_open)),
            )
            .where(*scope)
            .group_by(Hazard.school_id)
        )
        for school, reported, open_, overdue, closed, on_time, days, rejected, listed, major in (
            await self.session.execute(main)
        ).all():
            rows[school] = _Row(
                reported=reported,
                open=open_,
                overdue=overdue,
                closed=closed,
                closed_on_time=on_time,
                days_to_close=float(days),
                rejected=rejected,
                listed_open=listed,
                major_open=major,
            )
        for column, target in ((Hazard.category, "by_category"), (Hazard.severity, "by_severity")):
            grouped = (
                select(
                    Hazard.school_id,
                    column,
                    func.count().filter(reported_in_year),
                    func.count().filter(is_open),
                )
                .where(*scope)
                .group_by(Hazard.school_id, column)
            )
            for school, key, reported, open_ in (await self.session.execute(grouped)).all():
                getattr(rows[school], target)[str(key)] = [int(reported), int(open_)]
        occurred_year = extract("year", func.timezone(_TZ, Incident.occurred_at))
        serious = or_(
            Incident.kind.in_([IncidentKind.CRIMINAL, IncidentKind.FIRE, IncidentKind.FOOD_POISONING]),
            and_(Incident.kind == IncidentKind.INJURY, Incident.people_affected > 0),
        )
        incidents = select(Incident.school_id, func.count(), func.count().filter(serious)).where(
            occurred_year == year
        )
        if school_id is not None:
            incidents = incidents.where(Incident.school_id == school_id)
        for school, count, major_count in (
            await self.session.execute(incidents.group_by(Incident.school_id))
        ).all():
            rows[school].incidents = int(count)
            rows[school].major_incidents = int(major_count)
        return rows

    async def statistics(
        self, *, year: int | None = None, school_id: uuid.UUID | None = None
    ) -> schemas.Statistics:
        """Per school of the caller's reach (RLS), plus the total; the bureau also sees schools without hazards."""
        now = self.clock()
        year = year or local_date(now).year
        rows = await self._rows(year=year, school_id=school_id)
        directory = DirectoryRepository(self.session)
        if "bureau" in self.tenant.roles and school_id is None:
            for entry in await directory.all_in_county():
                rows.setdefault(entry.school_id, _Row())
        elif self.tenant.school_id is not None:
            rows.setdefault(self.tenant.school_id, _Row())
        names = await directory.names(rows)
        total = _Row()
        schools = []
        for sid, row in sorted(
            rows.items(), key=lambda item: (names[item[0]].code if item[0] in names else "~", str(item[0]))
        ):
            total.add(row)
            known = names.get(sid)
            schools.append(row.to_schema(sid, known.name if known else "", year))
        return schemas.Statistics(
            year=year, as_of=now, schools=schools, total=total.to_schema(None, "", year)
        )

    async def for_school(self, school_id: uuid.UUID, *, year: int | None = None) -> schemas.SchoolStatistics:
        stats = await self.statistics(year=year, school_id=school_id)
        for row in stats.schools:
            if row.school_id == school_id:
                return row
        return _Row().to_schema(school_id, "", stats.year)

    async def publish_for_school(self, county_id: uuid.UUID, school_id: uuid.UUID) -> None:
        """Publish ``hazards.statistics.updated`` with the school's current figures (this year)."""
        f = await self.for_school(school_id)
        await outbox.add(
            self.session,
            HAZARD_STATISTICS_UPDATED,
            HazardStatistics(
                school_id=school_id,
                year=f.year,
                reported=f.reported,
                open=f.open,
                overdue=f.overdue,
                closed=f.closed,
                closed_on_time=f.closed_on_time,
                closed_on_time_rate=f.closed_on_time_rate,
                average_days_to_close=f.average_days_to_close,
                rejected=f.rejected,
                listed_open=f.listed_open,
                major_open=f.major_open,
                by_category={key: counts.open for key, counts in f.by_category.items()},
                by_severity={key: counts.open for key, counts in f.by_severity.items()},
                incidents=f.incidents,
                major_incidents=f.major_incidents,
                as_of=self.clock(),
            ),
            county_id=county_id,
            school_id=school_id,
        )
