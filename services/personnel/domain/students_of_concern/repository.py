"""SQL for students of concern. What a caller sees is decided by the table's RLS policies; the two views
(owned by the owner role, created in the migration) expose counts and due dates without names."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, Integer, String, Uuid, column, select, table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from personnel.domain.students_of_concern.models import (
    ConcernReminder,
    ConcernReview,
    ConcernStatus,
    StudentOfConcern,
)
from personnel.models import SCHEMA

#: Counts per school and category (every caller of the tenant, the bureau included).
concern_counts = table(
    "concern_counts",
    column("county_id", Uuid),
    column("school_id", Uuid),
    column("category", String),
    column("active", Integer),
    column("closed", Integer),
    schema=SCHEMA,
)
#: Active records with their next review date and responsible account (background jobs only).
concern_reviews_due = table(
    "concern_reviews_due",
    column("id", Uuid),
    column("county_id", Uuid),
    column("school_id", Uuid),
    column("responsible_staff_id", Uuid),
    column("responsible_user_id", String),
    column("next_review_on", Date),
    schema=SCHEMA,
)


class ConcernRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def records(self, *, status: ConcernStatus | None) -> list[StudentOfConcern]:
        query = select(StudentOfConcern).order_by(
            StudentOfConcern.next_review_on, StudentOfConcern.student_name
        )
        if status is not None:
            query = query.where(StudentOfConcern.status == status)
        return list((await self.session.execute(query)).scalars())

    async def get(self, concern_id: uuid.UUID, *, for_update: bool = False) -> StudentOfConcern | None:
        query = select(StudentOfConcern).where(StudentOfConcern.id == concern_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def reviews(self, concern_id: uuid.UUID) -> list[ConcernReview]:
        query = (
            select(ConcernReview)
            .where(ConcernReview.concern_id == concern_id)
            .order_by(ConcernReview.reviewed_on.desc(), ConcernReview.created_at.desc())
        )
        return list((await self.session.execute(query)).scalars())

    async def counts(self) -> list[tuple[uuid.UUID, str, int, int]]:
        query = select(
            concern_counts.c.school_id,
            concern_counts.c.category,
            concern_counts.c.active,
            concern_counts.c.closed,
        ).order_by(concern_counts.c.school_id, concern_counts.c.category)
        return [(s, c, int(a), int(x)) for s, c, a, x in (await self.session.execute(query))]

    async def due(
        self, school_id: uuid.UUID, until: dt.date
    ) -> list[tuple[uuid.UUID, uuid.UUID, str, dt.date]]:
        """(record id, responsible staff id, responsible account, due date) of reviews due by ``until``."""
        query = select(
            concern_reviews_due.c.id,
            concern_reviews_due.c.responsible_staff_id,
            concern_reviews_due.c.responsible_user_id,
            concern_reviews_due.c.next_review_on,
        ).where(concern_reviews_due.c.school_id == school_id, concern_reviews_due.c.next_review_on <= until)
        return [(i, s, u, d) for i, s, u, d in (await self.session.execute(query))]

    async def mark_reminded(
        self,
        county_id: uuid.UUID,
        school_id: uuid.UUID,
        concern_id: uuid.UUID,
        due_on: dt.date,
        now: dt.datetime,
    ) -> bool:
        """Record that a reminder for this due date went out; False when it already had."""
        result = await self.session.execute(
            insert(ConcernReminder)
            .values(
                id=uuid.uuid4(),
                county_id=county_id,
                school_id=school_id,
                concern_id=concern_id,
                due_on=due_on,
                reminded_at=now,
            )
            .on_conflict_do_nothing(index_elements=["concern_id", "due_on"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
