"""Overdue escalation: remind the responsible person before the deadline, tell the principal once it has
passed, and the bureau after the county's grace period. Each step happens once per hazard and deadline,
however often (or late, or concurrently) the job runs; a new deadline starts its own steps. Never commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE, recipients
from hazards.clock import end_of_day
from hazards.domain.escalation import schemas
from hazards.domain.escalation.models import (
    DEFAULT_GRACE_DAYS,
    DEFAULT_REMIND_DAYS_BEFORE,
    EscalationPolicy,
    EscalationStep,
    Step,
)
from hazards.domain.hazards.models import Hazard, Status
from hazards.domain.statistics.service import StatisticsService
from hazards.outbox import outbox
from kit.audit import AuditLog
from kit.events import HAZARD_ESCALATED, HazardEscalated
from kit.notifications import Notifications, bilingual
from tenants import TenantContext


@dataclass(frozen=True, slots=True)
class Timing:
    remind_days_before: int = DEFAULT_REMIND_DAYS_BEFORE
    grace_days: int = DEFAULT_GRACE_DAYS

    def due_steps(self, deadline: dt.date, now: dt.datetime) -> list[Step]:
        """The steps that are due at ``now`` for a hazard whose deadline is ``deadline``."""
        due_at = end_of_day(deadline)
        if now >= due_at:
            steps = [Step.PRINCIPAL]
            if now >= due_at + dt.timedelta(days=self.grace_days):
                steps.append(Step.BUREAU)
            return steps
        if now >= due_at - dt.timedelta(days=self.remind_days_before):
            return [Step.REMIND]
        return []


#: (title zh, title en, body zh, body en) of each step's notification.
MESSAGES = {
    Step.REMIND: (
        "隐患整改即将到期",
        "Rectification deadline approaching",
        "请在 {deadline} 前完成整改并上传整改后照片。",
        "Please finish the rectification by {deadline} and upload an after-photo.",
    ),
    Step.PRINCIPAL: (
        "隐患整改已逾期",
        "Rectification overdue",
        "整改期限 {deadline} 已过，请督促整改。",
        "The deadline {deadline} has passed; please see that it is rectified.",
    ),
    Step.BUREAU: (
        "隐患逾期未整改，请督办",
        "Hazard overdue beyond the grace period",
        "整改期限 {deadline} 已过且超出宽限期。",
        "The deadline {deadline} and the grace period have passed.",
    ),
}


class _Recipients:
    """Who each step notifies (the responsible person, the principals, the bureau), looked up once per run."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], list[recipients.Recipient]] = {}

    async def _get(self, kind: str, value: str) -> list[recipients.Recipient]:
        if (kind, value) not in self._found:
            if kind == "user":
                person = await recipients.user(value)
                found = [person] if person else []
            elif kind == "bureau":
                found = await recipients.bureau_of(uuid.UUID(value))
            else:
                found = await recipients.principals_of(uuid.UUID(value))
            self._found[(kind, value)] = found
        return self._found[(kind, value)]

    async def of(self, hazard: Hazard, step: Step) -> list[recipients.Recipient]:
        if step == Step.REMIND and hazard.responsible_id:
            person = await self._get("user", hazard.responsible_id)
            if person:  # otherwise (a name without an account) the principals are reminded
                return person
        if step == Step.BUREAU:
            return await self._get("bureau", str(hazard.county_id))
        return await self._get("principals", str(hazard.school_id))


class EscalationService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant

    async def policy(self) -> schemas.Policy:
        row = await self.session.get(EscalationPolicy, self.tenant.county_id)
        if row is None:
            return schemas.Policy(
                remind_days_before=DEFAULT_REMIND_DAYS_BEFORE, grace_days=DEFAULT_GRACE_DAYS, updated_at=None
            )
        return schemas.Policy(
            remind_days_before=row.remind_days_before, grace_days=row.grace_days, updated_at=row.updated_at
        )

    async def set_policy(self, data: schemas.PolicyUpdate) -> schemas.Policy:
        before = await self.policy()
        statement = insert(EscalationPolicy).values(
            county_id=self.tenant.county_id,
            school_id=None,
            remind_days_before=data.remind_days_before,
            grace_days=data.grace_days,
            updated_by=self.tenant.user_id,
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[EscalationPolicy.county_id],
                set_={
                    "remind_days_before": data.remind_days_before,
                    "grace_days": data.grace_days,
                    "updated_by": self.tenant.user_id,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
        # A Core statement: the ORM's audit hook does not see it.
        await AuditLog(self.session, SERVICE).record(
            "escalation_policy.update",
            object_type="escalation_policy",
            object_id=self.tenant.county_id,
            school_id=None,
            before=[before.remind_days_before, before.grace_days],
            after=[data.remind_days_before, data.grace_days],
            fields=["remind_days_before", "grace_days"],
        )
        self.session.expire_all()
        return await self.policy()

    async def run(self, now: dt.datetime) -> list[tuple[uuid.UUID, Step]]:
        """Take every step that is due at ``now`` and not yet taken (for the hazards the tenant reaches)."""
        policy = await self.policy()
        timing = Timing(policy.remind_days_before, policy.grace_days)
        hazards = (
            await self.session.execute(
                select(Hazard)
                .where(Hazard.status == Status.RECTIFYING, Hazard.deadline.is_not(None))
                .order_by(Hazard.deadline, Hazard.id)
            )
        ).scalars()
        taken: list[tuple[uuid.UUID, Step]] = []
        people = _Recipients()
        schools: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for hazard in list(hazards):
            assert hazard.deadline is not None
            for step in timing.due_steps(hazard.deadline, now):
                if await self._take(hazard, step, now, people):
                    taken.append((hazard.id, step))
                    if step == Step.PRINCIPAL:
                        schools.add((hazard.county_id, hazard.school_id))
        statistics = StatisticsService(self.session, self.tenant, clock=lambda: now)
        for county_id, school_id in sorted(schools):
            await statistics.publish_for_school(county_id, school_id)
        return taken

    async def _take(self, hazard: Hazard, step: Step, now: dt.datetime, people: _Recipients) -> bool:
        assert hazard.deadline is not None
        inserted = (
            await self.session.execute(
                insert(EscalationStep)
                .values(
                    hazard_id=hazard.id,
                    step=step,
                    deadline=hazard.deadline,
                    county_id=hazard.county_id,
                    school_id=hazard.school_id,
                    taken_at=now,
                )
                .on_conflict_do_nothing()
                .returning(EscalationStep.hazard_id)
            )
        ).first()
        if inserted is None:
            return False  # taken before (by an earlier run, or a concurrent one)
        title_zh, title_en, body_zh, body_en = MESSAGES[step]
        deadline = hazard.deadline.isoformat()
        notifications = Notifications(self.session, SERVICE)
        for person in await people.of(hazard, step):
            await notifications.notify(
                person.user_id,
                kind=f"hazards.escalation.{step.value}",
                title=bilingual(f"{title_zh}：{hazard.number}", f"{title_en}: {hazard.number}"),
                body=bilingual(
                    f"{hazard.number} {hazard.title}\n{body_zh.format(deadline=deadline)}",
                    f"{hazard.number} {hazard.title}\n{body_en.format(deadline=deadline)}",
                ),
                link=f"/hazards/{hazard.id}",
                email=person.email,
                school_id=hazard.school_id,
            )
        await outbox.add(
            self.session,
            HAZARD_ESCALATED,
            HazardEscalated(
                hazard_id=hazard.id,
                school_id=hazard.school_id,
                number=hazard.number,
                title=hazard.title,
                severity=hazard.severity.value,
                deadline=hazard.deadline,
                step=step.value,
                at=now,
            ),
            county_id=hazard.county_id,
            school_id=hazard.school_id,
        )
        return True
