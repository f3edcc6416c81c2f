"""Deadline reminders: before a phase's deadline the school's principal is reminded; once a phase is past its
deadline the county's bureau is told. Each reminder is sent once per phase and deadline (an extension
earns a new one), whatever the day the job runs on. Never commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kit.identity import Recipient, admin_client, bureau_recipients
from kit.logging import get_logger
from kit.notifications import Notifications, bilingual
from kit.settings import get_settings
from schools import SERVICE
from schools.domain.campaigns.models import (
    CampaignStatus,
    PhaseReminder,
    PhaseStatus,
    ReminderKind,
    SchoolCampaignStatus,
)
from schools.domain.campaigns.progress import effective_deadline
from schools.domain.campaigns.repository import SchoolCampaignRepository
from schools.domain.campaigns.vocabulary import label
from tenants import TenantContext

log = get_logger(__name__)

#: The principal is reminded this many days before the deadline of the open phase (and on the day).
REMIND_DAYS_BEFORE = 3


#: Finds the bureau accounts of a county.
BureauLookup = Callable[[uuid.UUID], Awaitable[list[Recipient]]]


async def bureau_of(county_id: uuid.UUID) -> list[Recipient]:
    """The enabled bureau accounts of ``county_id``, from Keycloak (the source of truth for accounts)."""
    return await bureau_recipients(admin_client(get_settings()), county_id)


@dataclass(frozen=True, slots=True)
class Sent:
    due_soon: int
    overdue: int


async def send_reminders(
    session: AsyncSession, tenant: TenantContext, today: dt.date, *, bureau: BureauLookup = bureau_of
) -> Sent:
    """Remind and flag, as of ``today``, for every running school campaign of the tenant's county."""
    repository = SchoolCampaignRepository(session)
    rows = [
        (instance, campaign, school)
        for instance, campaign, school in await repository.find(status=SchoolCampaignStatus.ACTIVE)
        if campaign.status is CampaignStatus.LAUNCHED
    ]
    already = await repository.reminders_sent(instance.id for instance, _, _ in rows)
    notifications = Notifications(session, SERVICE)
    due_soon = 0
    overdue: list[tuple[str, str, dt.date, uuid.UUID]] = []
    for instance, campaign, school in rows:
        for phase in instance.phases:
            if phase.status is PhaseStatus.CLOSED:
                continue
            deadline = effective_deadline(campaign.plan(phase.phase), phase)
            if deadline < today:
                kind = ReminderKind.OVERDUE
            elif phase.status is PhaseStatus.OPEN and deadline <= today + dt.timedelta(
                days=REMIND_DAYS_BEFORE
            ):
                kind = ReminderKind.DUE_SOON
            else:
                continue
            if (instance.id, phase.phase.value, kind.value, deadline.isoformat()) in already:
                continue
            if kind is ReminderKind.DUE_SOON:
                if school.principal_user_id is None:
                    log.warning("reminder_without_principal_account", school_id=str(school.id))
                    continue
                days = (deadline - today).days
                await notifications.notify(
                    school.principal_user_id,
                    kind="campaign.phase_due_soon",
                    title=bilingual(
                        f"{label(phase.phase)}阶段将于 {deadline.isoformat()} 截止",
                        f"{label(phase.phase, 'en')} is due on {deadline.isoformat()}",
                    ),
                    body=bilingual(
                        f"《{campaign.title}》{label(phase.phase)}阶段还有 {days} 天截止，请按要求完成并关闭本阶段。",
                        f"{campaign.title}: the {label(phase.phase, 'en').lower()} phase is due in {days} day(s). "
                        "Complete its required deliverables and close the phase.",
                    ),
                    link=f"/school-campaigns/{instance.id}",
                    email=school.principal_email,
                    school_id=school.id,
                )
                due_soon += 1
            else:
                overdue.append((school.name, label(phase.phase), deadline, instance.id))
            session.add(
                PhaseReminder(
                    id=uuid.uuid4(),
                    county_id=instance.county_id,
                    school_id=instance.school_id,
                    school_campaign_id=instance.id,
                    phase=phase.phase,
                    kind=kind,
                    deadline=deadline,
                    sent_at=dt.datetime.now(dt.UTC),
                )
            )
    if overdue:
        await _flag_overdue(notifications, tenant, overdue, await bureau(tenant.county_id))
    await session.flush()
    return Sent(due_soon=due_soon, overdue=len(overdue))


async def _flag_overdue(
    notifications: Notifications,
    tenant: TenantContext,
    overdue: list[tuple[str, str, dt.date, uuid.UUID]],
    people: list[Recipient],
) -> None:
    """One message per bureau user listing every phase that became overdue since the last run."""
    lines = "\n".join(
        f"- {school}：{phase}（截止 {deadline.isoformat()}）" for school, phase, deadline, _ in overdue
    )
    title = bilingual(f"{len(overdue)} 个学校阶段已逾期", f"{len(overdue)} school phase(s) overdue")
    body = bilingual(
        f"以下学校的专项治理阶段已超过截止日期：\n{lines}", "These campaign phases are past their deadline."
    )
    if not people:
        log.warning("overdue_without_bureau_account", county_id=str(tenant.county_id), phases=len(overdue))
    for person in people:
        await notifications.notify(
            person.user_id,
            kind="campaign.phase_overdue",
            title=title,
            body=body,
            link="/campaigns",
            email=person.email,
            school_id=None,
        )
