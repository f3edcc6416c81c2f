"""Rules of students of concern. Never commits.

Visibility is PostgreSQL's business (the table's policies): a teacher who is not responsible for a record
gets "not found" because the row is invisible to them, not because this code filtered it. What this
service adds: every read is written to the audit trail, only the principal changes who is responsible
(and everything but the care plan), and the responsible teacher must have an account.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit import AuditLog
from kit.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kit.notifications import Notifications, bilingual
from personnel import SERVICE
from personnel.domain.common import own_school_id
from personnel.domain.staff.models import Staff, StaffRole
from personnel.domain.staff.repository import StaffRepository
from personnel.domain.students_of_concern import schemas
from personnel.domain.students_of_concern.models import (
    ConcernCategory,
    ConcernReview,
    ConcernStatus,
    StudentOfConcern,
)
from personnel.domain.students_of_concern.repository import ConcernRepository
from personnel.settings import get_personnel_settings
from tenants import TenantContext

#: What the audit trail calls a read of these records.
READ_ACTION = "student_of_concern.read_sensitive"
OBJECT_TYPE = "student_of_concern"
#: A teacher may change only these fields of a record they are responsible for.
TEACHER_FIELDS = frozenset({"care_plan"})
RESPONSIBLE_ROLES = frozenset({StaffRole.TEACHER, StaffRole.PRINCIPAL})
#: Reviews due this soon are reminded of.
REMIND_AHEAD = dt.timedelta(days=3)


def to_schema(concern: StudentOfConcern) -> schemas.StudentOfConcern:
    return schemas.StudentOfConcern(
        id=concern.id,
        student_name=concern.student_name,
        class_name=concern.class_name,
        category=concern.category,
        description=concern.description,
        care_plan=concern.care_plan,
        responsible_staff_id=concern.responsible_staff_id,
        review_interval_days=concern.review_interval_days,
        next_review_on=concern.next_review_on,
        status=concern.status,
        closed_reason=concern.closed_reason,
        created_at=concern.created_at,
    )


def review_to_schema(review: ConcernReview) -> schemas.Review:
    return schemas.Review(
        id=review.id,
        reviewed_on=review.reviewed_on,
        notes=review.notes,
        reviewer_name=review.reviewer_name,
        next_review_on=review.next_review_on,
    )


class ConcernService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = ConcernRepository(session)
        self.audit = AuditLog(session, SERVICE)
        self.timezone = get_personnel_settings().timezone

    def today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(self.timezone).date()

    async def _audit_reads(self, concerns: Sequence[StudentOfConcern]) -> None:
        for concern in concerns:
            await self.audit.record(
                READ_ACTION, object_type=OBJECT_TYPE, object_id=concern.id, after=to_schema(concern)
            )

    # --- reading (every read is audited) -------------------------------------------------------------
    async def records(self, *, status: ConcernStatus | None) -> list[StudentOfConcern]:
        concerns = await self.repository.records(status=status)
        await self._audit_reads(concerns)
        return concerns

    async def get(self, concern_id: uuid.UUID) -> StudentOfConcern:
        concern = await self.repository.get(concern_id)
        if concern is None:
            raise NotFoundError("record not found")
        await self._audit_reads([concern])
        return concern

    async def reviews(self, concern_id: uuid.UUID) -> list[ConcernReview]:
        concern = await self.repository.get(concern_id)
        if concern is None:
            raise NotFoundError("record not found")
        reviews = await self.repository.reviews(concern_id)
        await self.audit.record(
            READ_ACTION,
            object_type="student_of_concern_reviews",
            object_id=concern.id,
            after=[review_to_schema(r) for r in reviews],
        )
        return reviews

    async def counts(self) -> list[schemas.SchoolCounts]:
        """How many records per school and category: the only thing the bureau learns."""
        by_school: dict[uuid.UUID, dict[str, tuple[int, int]]] = {}
        for school_id, category, active, closed in await self.repository.counts():
            by_school.setdefault(school_id, {})[category] = (active, closed)
        return [
            schemas.SchoolCounts(
                school_id=school_id,
                categories=[
                    schemas.CategoryCount(
                        category=c,
                        active=counts.get(c.value, (0, 0))[0],
                        closed=counts.get(c.value, (0, 0))[1],
                    )
                    for c in ConcernCategory
                ],
                active_total=sum(a for a, _ in counts.values()),
            )
            for school_id, counts in sorted(by_school.items(), key=lambda item: str(item[0]))
        ]

    # --- writing -------------------------------------------------------------------------------------
    async def create(self, data: schemas.ConcernCreate, now: dt.datetime) -> StudentOfConcern:
        school_id = own_school_id(self.tenant)
        teacher = await self._responsible(school_id, data.responsible_staff_id)
        today = self.today(now)
        next_review = data.next_review_on or today + dt.timedelta(days=data.review_interval_days)
        if next_review < today:
            raise InvalidInputError(
                "the first review cannot be in the past",
                errors=[{"key": "next_review_on", "message": "past"}],
            )
        assert teacher.user_id is not None
        concern = StudentOfConcern(
            county_id=self.tenant.county_id,
            school_id=school_id,
            student_name=data.student_name,
            class_name=data.class_name,
            category=data.category,
            description=data.description,
            care_plan=data.care_plan,
            responsible_staff_id=teacher.id,
            responsible_user_id=teacher.user_id,
            review_interval_days=data.review_interval_days,
            next_review_on=next_review,
            status=ConcernStatus.ACTIVE,
            closed_reason="",
            created_by=self.tenant.user_id,
        )
        self.session.add(concern)
        await self.session.flush()
        await self.session.refresh(concern)
        return concern

    async def update(self, concern_id: uuid.UUID, data: schemas.ConcernUpdate) -> StudentOfConcern:
        concern = await self._for_update(concern_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if not self.tenant.has_any_role("principal") and set(changes) - TEACHER_FIELDS:
            raise ForbiddenError("the responsible teacher may change the care plan only")
        if "responsible_staff_id" in changes:
            teacher = await self._responsible(concern.school_id, changes.pop("responsible_staff_id"))
            assert teacher.user_id is not None
            concern.responsible_staff_id, concern.responsible_user_id = teacher.id, teacher.user_id
        for key, value in changes.items():
            setattr(concern, key, value)
        await self.session.flush()
        await self.session.refresh(concern)
        return concern

    async def add_review(
        self, concern_id: uuid.UUID, data: schemas.ReviewCreate, now: dt.datetime
    ) -> ConcernReview:
        concern = await self._for_update(concern_id)
        if concern.status != ConcernStatus.ACTIVE:
            raise ConflictError("the record is closed")
        today = self.today(now)
        next_review = data.next_review_on or today + dt.timedelta(days=concern.review_interval_days)
        if next_review <= today:
            raise InvalidInputError(
                "the next review must be after today",
                errors=[{"key": "next_review_on", "message": "not after today"}],
            )
        me = await StaffRepository(self.session).by_user_id(self.tenant.user_id)
        review = ConcernReview(
            county_id=concern.county_id,
            school_id=concern.school_id,
            concern_id=concern.id,
            reviewed_on=today,
            notes=data.notes,
            reviewer_user_id=self.tenant.user_id,
            reviewer_name=me.name if me is not None else self.tenant.username,
            next_review_on=next_review,
        )
        self.session.add(review)
        concern.next_review_on = next_review
        await self.session.flush()
        return review

    async def close(self, concern_id: uuid.UUID, reason: str, now: dt.datetime) -> StudentOfConcern:
        concern = await self._for_update(concern_id)
        if concern.status == ConcernStatus.CLOSED:
            raise ConflictError("already closed")
        concern.status = ConcernStatus.CLOSED
        concern.closed_reason = reason
        concern.closed_at = now
        await self.session.flush()
        await self.session.refresh(concern)
        return concern

    # --- reminders (background work) ------------------------------------------------------------------
    async def remind_due_reviews(self, now: dt.datetime) -> int:
        """Remind each responsible teacher, in the app and by e-mail, of reviews due within
        :data:`REMIND_AHEAD` (or overdue): once per record and due date. Names stay out of the message."""
        school_id = own_school_id(self.tenant)
        today = self.today(now)
        staff = StaffRepository(self.session)
        notifications = Notifications(self.session, SERVICE)
        reminded = 0
        for concern_id, staff_id, user_id, due_on in await self.repository.due(
            school_id, today + REMIND_AHEAD
        ):
            if not await self.repository.mark_reminded(
                self.tenant.county_id, school_id, concern_id, due_on, now
            ):
                continue
            teacher = await staff.get(staff_id)
            overdue = due_on < today
            await notifications.notify(
                user_id,
                kind="personnel.concern_review_due",
                title=bilingual(
                    "关爱学生回访逾期" if overdue else "关爱学生回访即将到期",
                    "Student-of-concern review overdue" if overdue else "Student-of-concern review due",
                ),
                body=bilingual(
                    f"您负责的一名关爱学生应于 {due_on.isoformat()} 回访，请登录 SafeCampus 查看并记录。",
                    f"A review of a student in your care is due on {due_on.isoformat()}. Sign in to SafeCampus to "
                    "record it.",
                ),
                link=f"/students-of-concern/{concern_id}",
                email=teacher.email if teacher is not None and teacher.is_active else None,
            )
            reminded += 1
        return reminded

    async def _for_update(self, concern_id: uuid.UUID) -> StudentOfConcern:
        concern = await self.repository.get(concern_id, for_update=True)
        if concern is None:
            raise NotFoundError("record not found")
        return concern

    async def _responsible(self, school_id: uuid.UUID, staff_id: uuid.UUID) -> Staff:
        staff = await StaffRepository(self.session).get(staff_id)
        if staff is None or staff.school_id != school_id or staff.role not in RESPONSIBLE_ROLES:
            raise InvalidInputError(
                "no such teacher in this school",
                errors=[{"key": "responsible_staff_id", "message": "unknown"}],
            )
        if not staff.is_active or staff.user_id is None:
            raise ConflictError(f"{staff.name} has no active account yet; they cannot be responsible")
        return staff
