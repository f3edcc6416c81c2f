"""Each school's campaign: its five phases as a state machine. Never commits.

- The open phase closes (principal) only when every required deliverable is complete; the next phase
  opens; closing the last one completes the campaign.
- The bureau reopens a closed phase (with a reason): it is open again, and the phases after it go back to
  pending (their deliverables stay, so closing them again is quick once they are still complete).
- The bureau extends the deadline of a phase that is not closed (with a reason).

Every change goes through :func:`~schools.domain.campaigns.service.record_transition` (who, when, what, why;
named audit entry) and is published as a ``schools.campaign_phase.*`` event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import (
    CAMPAIGN_PHASE_CLOSED,
    CAMPAIGN_PHASE_DEADLINE_EXTENDED,
    CAMPAIGN_PHASE_REOPENED,
    CampaignPhaseChanged,
    EventType,
)
from schools.domain.campaigns import schemas
from schools.domain.campaigns.calendar import Clock, local_date, system_clock
from schools.domain.campaigns.models import (
    Campaign,
    CampaignStatus,
    PhaseStatus,
    SchoolCampaign,
    SchoolCampaignStatus,
    SchoolPhase,
    TransitionAction,
)
from schools.domain.campaigns.progress import Facts, assess, blocking, effective_deadline, is_overdue
from schools.domain.campaigns.repository import CampaignRepository, SchoolCampaignRepository
from schools.domain.campaigns.service import record_transition
from schools.domain.campaigns.vocabulary import Deliverable
from schools.domain.schools.models import School
from schools.domain.schools.repository import SchoolRepository
from schools.outbox import outbox
from tenants import Scope, TenantContext


def _missing_errors(missing: list[Deliverable]) -> list[dict[str, str]]:
    return [{"key": f"deliverables.{key}", "message": "not complete"} for key in missing]


class SchoolCampaignService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = SchoolCampaignRepository(session)
        self.campaigns = CampaignRepository(session)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    # --- reading -----------------------------------------------------------------------------------------
    async def get(self, school_campaign_id: uuid.UUID, *, for_update: bool = False) -> SchoolCampaign:
        instance = await self.repository.get(school_campaign_id, for_update=for_update)
        if instance is None:
            raise NotFoundError("school campaign not found")
        return instance

    async def context(
        self, school_campaign_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[SchoolCampaign, Campaign, School]:
        """The instance with its county campaign and school (404 when the caller cannot see it)."""
        instance = await self.get(school_campaign_id, for_update=for_update)
        campaign = await self.campaigns.get(instance.campaign_id)
        school = await SchoolRepository(self.session).get(instance.school_id)
        if campaign is None or school is None:  # pragma: no cover - foreign keys and RLS keep them together
            raise NotFoundError("school campaign not found")
        return instance, campaign, school

    async def facts(self, instance: SchoolCampaign, school: School) -> Facts:
        return (await self.repository.facts({instance.id: school.boarding}))[instance.id]

    async def summaries(
        self,
        *,
        campaign_id: uuid.UUID | None,
        school_id: uuid.UUID | None,
        status: SchoolCampaignStatus | None,
    ) -> list[schemas.SchoolCampaignSummary]:
        today = self.today
        if school_id is None and self.tenant.scope is Scope.SCHOOL:
            # Name the caller's school as RLS does: the policy's OR cannot use the school index, and the
            # list would read every school campaign of the county (bench/README.md).
            school_id = self.tenant.school_id
        items = []
        for instance, campaign, school in await self.repository.find(
            campaign_id=campaign_id, school_id=school_id, status=status
        ):
            deadline, overdue = None, False
            if instance.current_phase is not None:
                phase = instance.phase(instance.current_phase)
                plan = campaign.plan(phase.phase)
                deadline = effective_deadline(plan, phase)
                overdue = any(is_overdue(campaign.plan(p.phase), p, today) for p in instance.phases)
            items.append(
                schemas.SchoolCampaignSummary(
                    id=instance.id,
                    campaign_id=campaign.id,
                    title=campaign.title,
                    campaign_status=campaign.status,
                    school_id=school.id,
                    school_name=school.name,
                    status=instance.status,
                    current_phase=instance.current_phase,
                    current_deadline=deadline,
                    overdue=overdue,
                )
            )
        return items

    async def view(self, school_campaign_id: uuid.UUID) -> schemas.SchoolCampaign:
        """The phase timeline, what each phase still lacks, and the history."""
        instance, campaign, school = await self.context(school_campaign_id)
        facts = await self.facts(instance, school)
        today = self.today
        phases = []
        for phase in instance.phases:
            plan = campaign.plan(phase.phase)
            statuses = assess(phase.phase, plan.required, facts)
            missing = blocking(statuses)
            phases.append(
                schemas.PhaseView(
                    phase=phase.phase,
                    status=phase.status,
                    deadline=effective_deadline(plan, phase),
                    county_deadline=plan.deadline,
                    extended_until=phase.extended_until,
                    overdue=is_overdue(plan, phase, today),
                    opened_at=phase.opened_at,
                    closed_at=phase.closed_at,
                    closed_by_name=phase.closed_by_name,
                    can_close=phase.status is PhaseStatus.OPEN and not missing,
                    blocking=missing,
                    deliverables=statuses,
                )
            )
        history = [
            schemas.Transition(
                phase=t.phase,
                action=t.action,
                from_status=t.from_status,
                to_status=t.to_status,
                deadline_before=t.deadline_before,
                deadline_after=t.deadline_after,
                reason=t.reason,
                actor_name=t.actor_name,
                at=t.at,
            )
            for t in await self.repository.history(instance.id)
        ]
        return schemas.SchoolCampaign(
            id=instance.id,
            campaign_id=campaign.id,
            title=campaign.title,
            description=campaign.description,
            start_date=campaign.start_date,
            rubric_id=campaign.rubric_id,
            campaign_status=campaign.status,
            school_id=school.id,
            school_name=school.name,
            boarding=school.boarding,
            status=instance.status,
            current_phase=instance.current_phase,
            joined_at=instance.joined_at,
            completed_at=instance.completed_at,
            today=today,
            phases=phases,
            history=history,
        )

    # --- transitions -------------------------------------------------------------------------------------
    async def _for_change(self, school_campaign_id: uuid.UUID) -> tuple[SchoolCampaign, Campaign, School]:
        instance, campaign, school = await self.context(school_campaign_id, for_update=True)
        if campaign.status is not CampaignStatus.LAUNCHED:
            raise ConflictError("the campaign is closed; its phases no longer change")
        return instance, campaign, school

    async def close_phase(self, school_campaign_id: uuid.UUID, data: schemas.ClosePhase) -> None:
        """Close the open phase once its required deliverables are complete; the next phase opens."""
        instance, campaign, school = await self._for_change(school_campaign_id)
        if instance.current_phase != data.phase:
            current = instance.current_phase.value if instance.current_phase else "none (completed)"
            raise ConflictError(
                f"only the open phase can be closed; the open phase is {current}",
                errors=[{"key": "phase", "message": "not the open phase"}],
            )
        plan = campaign.plan(data.phase)
        missing = blocking(assess(data.phase, plan.required, await self.facts(instance, school)))
        if missing:
            raise ConflictError(
                "the phase cannot close: required deliverables are not complete: " + ", ".join(missing),
                errors=_missing_errors(missing),
            )
        now = self.clock()
        phase = instance.phase(data.phase)
        phase.close(now, self.tenant.username)
        await record_transition(
            self.session,
            self.tenant,
            phase,
            TransitionAction.CLOSE,
            from_status=PhaseStatus.OPEN,
            at=now,
            reason=data.note,
        )
        following = data.phase.next
        if following is None:
            instance.current_phase = None
            instance.status = SchoolCampaignStatus.COMPLETED
            instance.completed_at = now
        else:
            upcoming = instance.phase(following)
            upcoming.open(now)
            await record_transition(
                self.session,
                self.tenant,
                upcoming,
                TransitionAction.OPEN,
                from_status=PhaseStatus.PENDING,
                at=now,
            )
            instance.current_phase = following
        await self._publish(
            CAMPAIGN_PHASE_CLOSED, instance, campaign, phase, TransitionAction.CLOSE, data.note
        )
        await self.session.flush()

    async def reopen_phase(self, school_campaign_id: uuid.UUID, data: schemas.ReopenPhase) -> None:
        """The bureau sends a closed phase back: it is open again and the phases after it are pending."""
        instance, campaign, _ = await self._for_change(school_campaign_id)
        phase = instance.phase(data.phase)
        if phase.status is not PhaseStatus.CLOSED:
            raise ConflictError(
                f"only a closed phase can be reopened; {data.phase.value} is {phase.status.value}",
                errors=[{"key": "phase", "message": "not closed"}],
            )
        now = self.clock()
        phase.open(now)
        await record_transition(
            self.session,
            self.tenant,
            phase,
            TransitionAction.REOPEN,
            from_status=PhaseStatus.CLOSED,
            at=now,
            reason=data.reason,
        )
        for later in instance.phases:
            if later.position > phase.position and later.status is not PhaseStatus.PENDING:
                before = later.status
                later.reset()
                await record_transition(
                    self.session,
                    self.tenant,
                    later,
                    TransitionAction.RESET,
                    from_status=before,
                    at=now,
                    reason=data.reason,
                )
        instance.current_phase = data.phase
        instance.status = SchoolCampaignStatus.ACTIVE
        instance.completed_at = None
        await self._publish(
            CAMPAIGN_PHASE_REOPENED, instance, campaign, phase, TransitionAction.REOPEN, data.reason
        )
        await self.session.flush()

    async def extend_deadline(self, school_campaign_id: uuid.UUID, data: schemas.ExtendDeadline) -> None:
        """The bureau grants one school a later deadline for a phase that is not closed."""
        instance, campaign, _ = await self._for_change(school_campaign_id)
        phase = instance.phase(data.phase)
        if phase.status is PhaseStatus.CLOSED:
            raise ConflictError(
                f"the {data.phase.value} phase is closed; reopen it first",
                errors=[{"key": "phase", "message": "closed"}],
            )
        before = effective_deadline(campaign.plan(data.phase), phase)
        if data.deadline <= before:
            raise InvalidInputError(
                f"an extension must be later than the deadline in force ({before.isoformat()})",
                errors=[{"key": "deadline", "message": f"after {before.isoformat()}"}],
            )
        phase.extended_until = data.deadline
        await record_transition(
            self.session,
            self.tenant,
            phase,
            TransitionAction.EXTEND,
            from_status=phase.status,
            at=self.clock(),
            reason=data.reason,
            deadline_before=before,
            deadline_after=data.deadline,
        )
        await self._publish(
            CAMPAIGN_PHASE_DEADLINE_EXTENDED, instance, campaign, phase, TransitionAction.EXTEND, data.reason
        )
        await self.session.flush()

    async def _publish(
        self,
        event_type: EventType[CampaignPhaseChanged],
        instance: SchoolCampaign,
        campaign: Campaign,
        phase: SchoolPhase,
        action: TransitionAction,
        reason: str,
    ) -> None:
        await outbox.add(
            self.session,
            event_type,
            CampaignPhaseChanged(
                school_campaign_id=instance.id,
                campaign_id=campaign.id,
                school_id=instance.school_id,
                phase=phase.phase.value,
                action=action.value,
                status=phase.status.value,
                deadline=effective_deadline(campaign.plan(phase.phase), phase),
                current_phase=instance.current_phase.value if instance.current_phase else None,
                completed=instance.status is SchoolCampaignStatus.COMPLETED,
                reason=reason,
                actor_id=self.tenant.user_id,
                actor_name=self.tenant.username,
            ),
            county_id=instance.county_id,
            school_id=instance.school_id,
        )
