"""County campaigns: the bureau defines a campaign, launches it, watches every school's progress, and ends
it. Launching gives every active school of the county its own instance; schools that become active later
(onboarded, or reactivated) join by :func:`join_missing_schools`. Never commits.
"""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit import name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import (
    CAMPAIGN_CLOSED,
    CAMPAIGN_LAUNCHED,
    SCHOOL_CAMPAIGN_JOINED,
    CampaignClosed,
    CampaignLaunched,
    SchoolCampaignJoined,
)
from schools.domain.campaigns import schemas
from schools.domain.campaigns.calendar import Clock, local_date, system_clock
from schools.domain.campaigns.models import (
    Campaign,
    CampaignPhase,
    CampaignStatus,
    PhaseStatus,
    PhaseTransition,
    SchoolCampaign,
    SchoolCampaignStatus,
    SchoolPhase,
    TransitionAction,
)
from schools.domain.campaigns.progress import deadline_in_force, required_progress
from schools.domain.campaigns.repository import CampaignRepository, SchoolCampaignRepository
from schools.domain.campaigns.vocabulary import (
    BOARDING_ONLY,
    CATALOGUE,
    LABELS,
    PHASE_OF,
    PHASES,
    Area,
    Deliverable,
    Mechanism,
    default_requirements,
)
from schools.domain.schools.models import School
from schools.outbox import outbox
from tenants import TenantContext


def _invalid(key: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, errors=[{"key": key, "message": message}])


def _label(key: str) -> schemas.Label:
    zh, en = LABELS[key]
    return schemas.Label(key=key, zh=zh, en=en)


def catalogue() -> schemas.Catalogue:
    """The phases, the deliverables each can require, and the word lists (for forms and labels)."""
    return schemas.Catalogue(
        phases=[
            schemas.CataloguePhase(
                key=phase.value,
                zh=LABELS[phase.value][0],
                en=LABELS[phase.value][1],
                deliverables=[
                    schemas.CatalogueDeliverable(
                        key=d.value,
                        zh=LABELS[d.value][0],
                        en=LABELS[d.value][1],
                        boarding_only=d in BOARDING_ONLY,
                    )
                    for d in CATALOGUE[phase]
                ],
            )
            for phase in PHASES
        ],
        areas=[_label(a.value) for a in Area],
        mechanisms=[_label(m.value) for m in Mechanism],
    )


def _plan_schema(plan: CampaignPhase) -> schemas.PhasePlan:
    return schemas.PhasePlan(
        phase=plan.phase, deadline=plan.deadline, required=[Deliverable(key) for key in plan.required]
    )


def to_schema(campaign: Campaign, school_count: int) -> schemas.Campaign:
    return schemas.Campaign(
        id=campaign.id,
        county_id=campaign.county_id,
        title=campaign.title,
        description=campaign.description,
        start_date=campaign.start_date,
        rubric_id=campaign.rubric_id,
        status=campaign.status,
        phases=[_plan_schema(p) for p in campaign.phases],
        created_by_name=campaign.created_by_name,
        launched_at=campaign.launched_at,
        launched_by_name=campaign.launched_by_name,
        closed_at=campaign.closed_at,
        school_count=school_count,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
    )


def checked_plans(start_date: dt.date, phases: list[schemas.PhasePlanInput]) -> list[schemas.PhasePlanInput]:
    """The five phase plans in order, each named once, deadlines in order and none before the start, each
    requiring only deliverables of its own phase. Raises 422 naming the field."""
    by_phase = {p.phase: p for p in phases}
    if len(by_phase) != len(PHASES):
        raise _invalid("phases", "name each of the five phases once")
    ordered = [by_phase[phase] for phase in PHASES]
    previous = start_date
    for index, plan in enumerate(ordered):
        if plan.deadline < previous:
            what = "the start date" if index == 0 else f"the {PHASES[index - 1].value} deadline"
            raise _invalid(f"phases.{plan.phase.value}.deadline", f"the deadline is before {what}")
        previous = plan.deadline
        if plan.required is not msgspec.UNSET:
            foreign = [d.value for d in plan.required if PHASE_OF[d] is not plan.phase]
            if foreign:
                raise _invalid(
                    f"phases.{plan.phase.value}.required",
                    f"not deliverables of the {plan.phase.value} phase: {', '.join(foreign)}",
                )
    return ordered


def _required(plan: schemas.PhasePlanInput) -> list[str]:
    if plan.required is msgspec.UNSET:
        return [d.value for d in default_requirements()[plan.phase]]
    chosen = {d.value for d in plan.required}
    return [d.value for d in CATALOGUE[plan.phase] if d.value in chosen]  # catalogue order, no duplicates


async def record_transition(
    session: AsyncSession,
    tenant: TenantContext,
    phase: SchoolPhase,
    action: TransitionAction,
    *,
    from_status: PhaseStatus | None,
    at: dt.datetime,
    reason: str = "",
    deadline_before: dt.date | None = None,
    deadline_after: dt.date | None = None,
) -> PhaseTransition:
    """Record one phase change the caller has just made: its audit entry is named after it
    (``campaign_phase.close``, ...) and flushed at once, so that a request's audit entries come in the order
    things happened; then the history entry (who, when, what and why) is added."""
    name_action(phase, f"campaign_phase.{action.value}")
    await session.flush()
    transition = PhaseTransition(
        id=uuid.uuid4(),
        county_id=phase.county_id,
        school_id=phase.school_id,
        school_campaign_id=phase.school_campaign_id,
        phase=phase.phase,
        action=action,
        from_status=from_status,
        to_status=phase.status,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
        reason=reason,
        actor_id=tenant.user_id,
        actor_name=tenant.username,
        actor_roles=",".join(sorted(tenant.roles)),
        at=at,
    )
    session.add(transition)
    return transition


async def join(
    session: AsyncSession, tenant: TenantContext, campaign: Campaign, school: School, now: dt.datetime
) -> SchoolCampaign:
    """Give ``school`` its instance of the launched ``campaign``: deployment open, the other phases pending."""
    instance = SchoolCampaign(
        id=uuid.uuid4(),
        county_id=campaign.county_id,
        school_id=school.id,
        campaign_id=campaign.id,
        status=SchoolCampaignStatus.ACTIVE,
        current_phase=PHASES[0],
        joined_at=now,
    )
    session.add(instance)
    await session.flush()  # the instance row first: the phases and the history point at it
    for position, phase in enumerate(PHASES):
        row = SchoolPhase(
            id=uuid.uuid4(),
            county_id=campaign.county_id,
            school_id=school.id,
            school_campaign_id=instance.id,
            phase=phase,
            position=position,
            status=PhaseStatus.OPEN if position == 0 else PhaseStatus.PENDING,
            opened_at=now if position == 0 else None,
        )
        session.add(row)
        if position == 0:
            await record_transition(session, tenant, row, TransitionAction.OPEN, from_status=None, at=now)
    first = campaign.plan(PHASES[0])
    await outbox.add(
        session,
        SCHOOL_CAMPAIGN_JOINED,
        SchoolCampaignJoined(
            school_campaign_id=instance.id,
            campaign_id=campaign.id,
            school_id=school.id,
            title=campaign.title,
            rubric_id=campaign.rubric_id,
            current_phase=first.phase.value,
            deadline=first.deadline,
        ),
        county_id=campaign.county_id,
        school_id=school.id,
    )
    return instance


async def join_missing_schools(
    session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock
) -> list[SchoolCampaign]:
    """Give every active school of the caller's county an instance of every launched campaign it lacks (the
    schools onboarded or reactivated since the launch). Idempotent; for one school's context, that school."""
    now = clock()
    joined = []
    for campaign, school in await CampaignRepository(session).schools_to_join():
        joined.append(await join(session, tenant, campaign, school, now))
    await session.flush()
    return joined


class CampaignService:
    """The bureau's side: define, launch, watch and end county campaigns."""

    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = CampaignRepository(session)
        self.instances = SchoolCampaignRepository(session)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    async def get(self, campaign_id: uuid.UUID, *, for_update: bool = False) -> Campaign:
        campaign = await self.repository.get(campaign_id, for_update=for_update)
        if campaign is None:
            raise NotFoundError("campaign not found")
        return campaign

    async def view(self, campaign: Campaign) -> schemas.Campaign:
        counts = await self.repository.school_counts([campaign.id])
        return to_schema(campaign, counts.get(campaign.id, 0))

    async def campaigns(self, status: CampaignStatus | None = None) -> list[schemas.Campaign]:
        campaigns = await self.repository.find(status)
        counts = await self.repository.school_counts(c.id for c in campaigns)
        return [to_schema(c, counts.get(c.id, 0)) for c in campaigns]

    async def create(self, data: schemas.CampaignCreate) -> Campaign:
        plans = checked_plans(data.start_date, data.phases)
        campaign = Campaign(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=None,
            title=data.title,
            description=data.description,
            start_date=data.start_date,
            rubric_id=data.rubric_id,
            status=CampaignStatus.DRAFT,
            created_by=self.tenant.user_id,
            created_by_name=self.tenant.username,
            launched_by_name="",
        )
        self.repository.add(campaign)
        await self.session.flush()
        for position, plan in enumerate(plans):
            self.session.add(
                CampaignPhase(
                    id=uuid.uuid4(),
                    county_id=campaign.county_id,
                    school_id=None,
                    campaign_id=campaign.id,
                    phase=plan.phase,
                    position=position,
                    deadline=plan.deadline,
                    required=_required(plan),
                )
            )
        await self.session.flush()
        await self.session.refresh(campaign)
        return campaign

    async def update(self, campaign_id: uuid.UUID, data: schemas.CampaignUpdate) -> Campaign:
        """Change a campaign. A draft changes freely; a launched one keeps its start date and required
        deliverables (the schools are working to them) but may move its deadlines; a closed one is final."""
        campaign = await self.get(campaign_id, for_update=True)
        if campaign.status is CampaignStatus.CLOSED:
            raise ConflictError("the campaign is closed")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        launched = campaign.status is CampaignStatus.LAUNCHED
        if launched and "start_date" in changes and changes["start_date"] != campaign.start_date:
            raise ConflictError(
                "a launched campaign keeps its start date",
                errors=[{"key": "start_date", "message": "fixed once launched"}],
            )
        for key in ("title", "description", "start_date", "rubric_id"):
            if key in changes:
                setattr(campaign, key, changes[key])
        if "phases" in changes:
            plans = checked_plans(campaign.start_date, changes["phases"])
            for plan in plans:
                row = campaign.plan(plan.phase)
                required = _required(plan) if plan.required is not msgspec.UNSET else row.required
                if launched and required != row.required:
                    raise ConflictError(
                        "a launched campaign keeps its required deliverables; only deadlines may move",
                        errors=[
                            {"key": f"phases.{plan.phase.value}.required", "message": "fixed once launched"}
                        ],
                    )
                row.deadline = plan.deadline
                row.required = required
        elif "start_date" in changes:
            checked_plans(
                campaign.start_date,
                [schemas.PhasePlanInput(phase=p.phase, deadline=p.deadline) for p in campaign.phases],
            )
        await self.session.flush()
        await self.session.refresh(campaign)
        return campaign

    async def delete(self, campaign_id: uuid.UUID) -> None:
        campaign = await self.get(campaign_id, for_update=True)
        if campaign.status is not CampaignStatus.DRAFT:
            raise ConflictError("only a draft campaign can be deleted; end a launched one instead")
        for plan in campaign.phases:
            await self.session.delete(plan)
        await self.session.delete(campaign)
        await self.session.flush()

    async def launch(self, campaign_id: uuid.UUID) -> schemas.CampaignLaunch:
        """Launch a draft: every active school of the county gets its instance, deployment open."""
        campaign = await self.get(campaign_id, for_update=True)
        if campaign.status is not CampaignStatus.DRAFT:
            raise ConflictError(f"the campaign is already {campaign.status.value}")
        now = self.clock()
        campaign.status = CampaignStatus.LAUNCHED
        campaign.launched_at = now
        campaign.launched_by_name = self.tenant.username
        name_action(campaign, "campaign.launch")
        await self.session.flush()
        joined = await join_missing_schools(self.session, self.tenant, clock=lambda: now)
        mine = [j for j in joined if j.campaign_id == campaign.id]
        await outbox.add(
            self.session,
            CAMPAIGN_LAUNCHED,
            CampaignLaunched(
                campaign_id=campaign.id,
                title=campaign.title,
                start_date=campaign.start_date,
                rubric_id=campaign.rubric_id,
                deadlines={p.phase.value: p.deadline for p in campaign.phases},
                schools=len(mine),
            ),
            county_id=campaign.county_id,
            school_id=None,
        )
        await self.session.refresh(campaign)
        return schemas.CampaignLaunch(campaign=await self.view(campaign), schools_joined=len(mine))

    async def close(self, campaign_id: uuid.UUID) -> Campaign:
        """End a launched campaign: the schools keep their record; nobody joins it or is reminded any more."""
        campaign = await self.get(campaign_id, for_update=True)
        if campaign.status is not CampaignStatus.LAUNCHED:
            raise ConflictError("only a launched campaign can be closed")
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = self.clock()
        name_action(campaign, "campaign.close")
        await outbox.add(
            self.session,
            CAMPAIGN_CLOSED,
            CampaignClosed(campaign_id=campaign.id, title=campaign.title),
            county_id=campaign.county_id,
            school_id=None,
        )
        await self.session.flush()
        await self.session.refresh(campaign)
        return campaign

    async def board(self, campaign_id: uuid.UUID) -> schemas.Board:
        """Every school × phase of a campaign: status, deadline in force, overdue, required deliverables done.

        Two statements whatever the county's size (the campaign with its plans, then one set-based read of
        every school's phases and facts); each cell is counted from plain rows by the same rules as the
        principal's page (:func:`~schools.domain.campaigns.progress.required_progress`)."""
        campaign = await self.get(campaign_id)
        today = self.today
        plans = {plan.phase: (plan.deadline, frozenset(plan.required)) for plan in campaign.phases}
        counts = {phase: [0, 0] for phase in PHASES}
        board_rows = []
        for record in await self.instances.board(campaign.id):
            cells = []
            for phase, status, extended_until in record.phases:
                county_deadline, required = plans[phase]
                deadline = deadline_in_force(county_deadline, extended_until)
                complete, total = required_progress(phase, required, record.facts)
                cells.append(
                    schemas.BoardCell(
                        phase=phase,
                        status=status,
                        deadline=deadline,
                        extended=deadline != county_deadline,
                        overdue=status is not PhaseStatus.CLOSED and deadline < today,
                        required_complete=complete,
                        required_total=total,
                    )
                )
            row_overdue = any(c.overdue for c in cells)
            if record.current_phase is not None:
                counts[record.current_phase][0] += 1
                counts[record.current_phase][1] += int(row_overdue)
            board_rows.append(
                schemas.BoardRow(
                    school_campaign_id=record.school_campaign_id,
                    school_id=record.school_id,
                    school_code=record.school_code,
                    school_name=record.school_name,
                    status=record.status,
                    current_phase=record.current_phase,
                    overdue=row_overdue,
                    phases=cells,
                )
            )
        return schemas.Board(
            campaign=to_schema(campaign, len(board_rows)),
            today=today,
            rows=board_rows,
            by_phase=[
                schemas.PhaseCount(phase=p, schools=counts[p][0], overdue=counts[p][1]) for p in PHASES
            ],
            completed=sum(1 for r in board_rows if r.status is SchoolCampaignStatus.COMPLETED),
            overdue=sum(1 for r in board_rows if r.overdue),
        )
