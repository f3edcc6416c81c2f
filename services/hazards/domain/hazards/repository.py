"""SQL for the hazard register. Every query runs under the caller's RLS context; nothing here filters by
tenant except where a caller narrows a county-wide view to one school."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.hazards.models import Hazard, HazardCounter, HistoryEntry, Photo, Status
from hazards.vocabulary import Area, Category, Severity, Source


@dataclass(frozen=True, slots=True)
class HazardFilter:
    status: Status | None = None
    severity: Severity | None = None
    category: Category | None = None
    area: Area | None = None
    source: Source | None = None
    school_id: uuid.UUID | None = None
    patrol_id: uuid.UUID | None = None
    listed: bool | None = None
    overdue: bool | None = None
    open_only: bool = False
    year: int | None = None
    search: str | None = None


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    """A hazard is overdue while it is being rectified and its deadline day has passed."""
    return and_(Hazard.status == Status.RECTIFYING, Hazard.deadline < today)


def _escape_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class HazardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, hazard_id: uuid.UUID, *, for_update: bool = False) -> Hazard | None:
        query = select(Hazard).where(Hazard.id == hazard_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    def _conditions(self, f: HazardFilter, today: dt.date) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, value in (
            (Hazard.status, f.status),
            (Hazard.severity, f.severity),
            (Hazard.category, f.category),
            (Hazard.area, f.area),
            (Hazard.source, f.source),
            (Hazard.school_id, f.school_id),
            (Hazard.patrol_id, f.patrol_id),
            (Hazard.year, f.year),
        ):
            if value is not None:
                conditions.append(column == value)
        if f.listed is not None:
            conditions.append(Hazard.listed_at.is_not(None) if f.listed else Hazard.listed_at.is_(None))
        if f.overdue is not None:
            overdue = overdue_condition(today)
            conditions.append(overdue if f.overdue else ~overdue)
        if f.open_only:
            conditions.append(Hazard.status.not_in([Status.CLOSED, Status.REJECTED]))
        if f.search:
            pattern = _escape_like(f.search)
            conditions.append(or_(Hazard.number.ilike(pattern), Hazard.title.ilike(pattern)))
        return conditions

    async def page(
        self, f: HazardFilter, *, today: dt.date, limit: int, offset: int
    ) -> tuple[list[Hazard], int]:
        # The page and the count are two queries: ``count(*) OVER ()`` made Postgres fetch and sort every
        # match (a county's million rows) before the first 50 came out; the page alone is an index range
        # scan and the count an index-only scan (bench/README.md). A short first page needs no count.
        conditions = self._conditions(f, today)
        query = select(Hazard).where(*conditions).order_by(Hazard.reported_at.desc(), Hazard.id)
        rows = list((await self.session.execute(query.limit(limit).offset(offset))).scalars())
        if len(rows) < limit and (rows or offset == 0):
            return rows, offset + len(rows)
        total = (
            await self.session.execute(select(func.count()).select_from(Hazard).where(*conditions))
        ).scalar_one()
        return rows, int(total)

    async def all(self, f: HazardFilter, *, today: dt.date, limit: int) -> list[Hazard]:
        """Every hazard matching ``f`` (exports), oldest first, at most ``limit``."""
        query = (
            select(Hazard)
            .where(*self._conditions(f, today))
            .order_by(Hazard.school_id, Hazard.year, Hazard.number)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def next_sequence(self, *, county_id: uuid.UUID, school_id: uuid.UUID, year: int) -> int:
        """The next number of ``school_id`` in ``year``; concurrent reports queue on the counter row."""
        statement = (
            insert(HazardCounter)
            .values(county_id=county_id, school_id=school_id, year=year, last=1)
            .on_conflict_do_update(
                index_elements=[HazardCounter.school_id, HazardCounter.year],
                set_={"last": HazardCounter.last + 1},
            )
            .returning(HazardCounter.last)
        )
        return int((await self.session.execute(statement)).scalar_one())

    def add(self, hazard: Hazard) -> None:
        self.session.add(hazard)

    async def registered_from(self, key: str, value: str) -> uuid.UUID | None:
        """The hazard whose registration recorded ``details[key] == value`` (a finding of an inspection, say),
        if any. Takes a transaction lock on the pair first, so that two deliveries of the same thing wait
        for each other instead of both registering it."""
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:lock, 0))"), {"lock": f"{key}:{value}"}
        )
        query = (
            select(HistoryEntry.hazard_id)
            .where(HistoryEntry.action == "report", HistoryEntry.details[key].astext == value)
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    def add_history(self, entry: HistoryEntry) -> None:
        self.session.add(entry)

    async def history(self, hazard_id: uuid.UUID) -> list[HistoryEntry]:
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.hazard_id == hazard_id)
            .order_by(HistoryEntry.at, HistoryEntry.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def photos(self, hazard_id: uuid.UUID) -> list[Photo]:
        query = select(Photo).where(Photo.hazard_id == hazard_id).order_by(Photo.created_at, Photo.id)
        return list((await self.session.execute(query)).scalars())

    async def count_photos(self, hazard_id: uuid.UUID, stage: str) -> int:
        query = (
            select(func.count()).select_from(Photo).where(Photo.hazard_id == hazard_id, Photo.stage == stage)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def get_photo(self, photo_id: uuid.UUID) -> Photo | None:
        return (await self.session.execute(select(Photo).where(Photo.id == photo_id))).scalar_one_or_none()

    def add_photo(self, photo: Photo) -> None:
        self.session.add(photo)
